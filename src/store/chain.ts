// Hash chain of the passage log (DESIGN.md "Storage"): hash = SHA-256(prev_hash || canonical row).
// Personal fields enter the chain through a salted digest, so the retention purge can erase them (and
// the salt, making the digest unlinkable to a person) while the chain still verifies.
import { createHash, randomBytes } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The chained fields of a passage, in the order they are serialised. */
export interface ChainedPassage {
  id: number;
  at_ms: number;
  checkpoint_id: string;
  area: string;
  lane: string;
  direction: string;
  source: string;
  decision: string;
  reasons: string;
  permit_hash: string | null;
  iss: string | null;
  cti: string | null;
  purpose: string | null;
  vehicle_type: string | null;
  people: number;
  let_through: number;
  personal_hash: string;
}

export interface PersonalFields {
  holder_name: string | null;
  id_masked: string | null;
  vehicle_plate: string | null;
  raw_preview: string | null;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Deterministic JSON: fixed key order, no whitespace. */
export function canonicalPassage(p: ChainedPassage): string {
  return JSON.stringify({
    id: p.id,
    at_ms: p.at_ms,
    checkpoint_id: p.checkpoint_id,
    area: p.area,
    lane: p.lane,
    direction: p.direction,
    source: p.source,
    decision: p.decision,
    reasons: p.reasons,
    permit_hash: p.permit_hash,
    iss: p.iss,
    cti: p.cti,
    purpose: p.purpose,
    vehicle_type: p.vehicle_type,
    people: p.people,
    let_through: p.let_through,
    personal_hash: p.personal_hash,
  });
}

export function chainHash(prevHash: string, p: ChainedPassage): string {
  return sha256Hex(prevHash + canonicalPassage(p));
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function personalHash(salt: string, f: PersonalFields): string {
  return sha256Hex(JSON.stringify([salt, f.holder_name, f.id_masked, f.vehicle_plate, f.raw_preview]));
}

export interface StoredPassageForChain extends ChainedPassage, PersonalFields {
  personal_salt: string | null;
  purged: number;
  prev_hash: string;
  hash: string;
}

/**
 * Checks one row against the hash of the row before it. A purged row must have its personal fields
 * and salt erased; an unpurged row must match its personal digest.
 */
export function rowIsIntact(row: StoredPassageForChain, expectedPrev: string): boolean {
  if (row.prev_hash !== expectedPrev) return false;
  if (row.purged === 1) {
    const erased =
      row.personal_salt === null &&
      row.holder_name === null &&
      row.id_masked === null &&
      row.vehicle_plate === null &&
      row.raw_preview === null;
    if (!erased) return false;
  } else if (row.personal_salt === null || personalHash(row.personal_salt, row) !== row.personal_hash) {
    return false;
  }
  return chainHash(row.prev_hash, row) === row.hash;
}
