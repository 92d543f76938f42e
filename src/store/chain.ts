// Hash chain of the passage log (DESIGN.md "Storage"): hash = SHA-256(prev_hash || canonical row).
// Personal fields enter the chain through a salted digest, so the retention purge can erase them (and
// the salt, making the digest unlinkable to a person) while the chain still verifies.
//
// Since migration 3 passages and audit events form ONE chain, ordered by a `seq` both tables share.
// Rows written before it (chain_v 1) keep their original canonical form, so they still verify; rows
// written after it (chain_v 2) also hash their seq, guard, shift and the ID-number HMAC. Since
// migration 5 (chain_v 4) no ID number enters the chain, only whether the passage has one: its search
// tokens are rewritten by key rotation, so they are bound to the row by a MAC instead (store/idn.ts).
import * as nodeCrypto from 'node:crypto';
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

const hashOnce = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  // The one-shot crypto.hash (Node ≥ 20.12) is about twice as fast on short rows: "verify log" walks millions.
  return hashOnce ? hashOnce('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex');
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
  /** Absent (or 1) on rows written before migration 3. */
  chain_v?: number;
  seq?: number | null;
  user_id?: number | null;
  shift_id?: number | null;
  idn_hmac?: string | null;
  /** Since migration 4 (chain_v 3): passengers and the guard's note. */
  passengers?: number | null;
  note?: string | null;
  /** Since migration 5: whether an ID number was recorded (chained from chain_v 4) and its tokens. */
  has_idn?: number | null;
  idn_full?: string | null;
  idn_tail?: string | null;
  idn_mac?: string | null;
}

/** A passage written since migration 3: the chain position, guard and shift are hashed too. */
export interface ChainedPassageV2 extends ChainedPassage {
  seq: number;
  user_id: number | null;
  shift_id: number | null;
}

export interface PersonalFieldsV2 extends PersonalFields {
  idn_hmac: string | null;
}

export function canonicalPassageV2(p: ChainedPassageV2): string {
  return `${canonicalPassage(p).slice(0, -1)},"v":2,"seq":${JSON.stringify(p.seq)},"user_id":${JSON.stringify(
    p.user_id,
  )},"shift_id":${JSON.stringify(p.shift_id)}}`;
}

export function chainHashV2(prevHash: string, p: ChainedPassageV2): string {
  return sha256Hex(prevHash + canonicalPassageV2(p));
}

export function personalHashV2(salt: string, f: PersonalFieldsV2): string {
  return sha256Hex(
    JSON.stringify([salt, f.holder_name, f.id_masked, f.vehicle_plate, f.raw_preview, f.idn_hmac]),
  );
}

/**
 * A passage written since migration 4 (src/store/migration-lane.ts): also its passengers. The guard's note
 * (why a person was recorded by hand) may name people, so it is personal: hashed through the salted
 * digest, erased by the purge.
 */
export interface ChainedPassageV3 extends ChainedPassageV2 {
  passengers: number;
}

export interface PersonalFieldsV3 extends PersonalFieldsV2 {
  note: string | null;
}

export function canonicalPassageV3(p: ChainedPassageV3): string {
  return `${canonicalPassageV2(p).slice(0, -1)},"passengers":${JSON.stringify(p.passengers)}}`;
}

export function chainHashV3(prevHash: string, p: ChainedPassageV3): string {
  return sha256Hex(prevHash + canonicalPassageV3(p));
}

export function personalHashV3(salt: string, f: PersonalFieldsV3): string {
  return sha256Hex(
    JSON.stringify([salt, f.holder_name, f.id_masked, f.vehicle_plate, f.raw_preview, f.idn_hmac, f.note]),
  );
}

/** A passage written since migration 5: whether it has an ID number; no ID-derived value is chained. */
export interface ChainedPassageV4 extends ChainedPassageV3 {
  has_idn: number;
}

export function canonicalPassageV4(p: ChainedPassageV4): string {
  return `${canonicalPassageV3(p).slice(0, -1)},"cv":4,"has_idn":${JSON.stringify(p.has_idn)}}`;
}

export function chainHashV4(prevHash: string, p: ChainedPassageV4): string {
  return sha256Hex(prevHash + canonicalPassageV4(p));
}

/** The chained fields of an audit event (login, override, export, sign-off, purge...). */
export interface ChainedAuditEvent {
  id: number;
  seq: number;
  at_ms: number;
  kind: string;
  user_id: number | null;
  user_name: string | null;
  shift_id: number | null;
  passage_id: number | null;
  /** JSON text exactly as stored. */
  details: string;
}

export interface StoredAuditEventForChain extends ChainedAuditEvent {
  prev_hash: string;
  hash: string;
}

export function canonicalAuditEvent(e: ChainedAuditEvent): string {
  return JSON.stringify({
    t: 'audit',
    id: e.id,
    seq: e.seq,
    at_ms: e.at_ms,
    kind: e.kind,
    user_id: e.user_id,
    user_name: e.user_name,
    shift_id: e.shift_id,
    passage_id: e.passage_id,
    details: e.details,
  });
}

export function auditChainHash(prevHash: string, e: ChainedAuditEvent): string {
  return sha256Hex(prevHash + canonicalAuditEvent(e));
}

export type ChainProblem =
  | 'previous_hash'
  | 'hash'
  | 'personal_data'
  | 'purge_incomplete'
  | 'version'
  | 'id_tokens';

/** Why an audit event does not verify against the hash before it, or null when it is intact. */
export function auditEventProblem(row: StoredAuditEventForChain, expectedPrev: string): ChainProblem | null {
  if (row.prev_hash !== expectedPrev) return 'previous_hash';
  return auditChainHash(row.prev_hash, row) === row.hash ? null : 'hash';
}

/**
 * Checks one row against the hash of the row before it. A purged row must have its personal fields
 * and salt erased; an unpurged row must match its personal digest.
 */
export function rowIsIntact(row: StoredPassageForChain, expectedPrev: string): boolean {
  return passageProblem(row, expectedPrev) === null;
}

/** Why a passage does not verify against the hash before it, or null when it is intact. */
export function passageProblem(row: StoredPassageForChain, expectedPrev: string): ChainProblem | null {
  const v4 = row.chain_v === 4;
  const v3 = row.chain_v === 3 || v4;
  const v2 = row.chain_v === 2 || v3;
  if (!v2 && row.chain_v !== undefined && row.chain_v !== 1) return 'version';
  // A row from before migration 3 never had a guard, a shift or an ID HMAC: one appearing is an edit.
  if (!v2 && (row.user_id != null || row.shift_id != null || row.idn_hmac != null)) return 'hash';
  // Nor one from before migration 4 passengers or a note.
  if (!v3 && ((row.passengers ?? 0) !== 0 || row.note != null)) return 'hash';
  // Nor one from before migration 5 the chained "has an ID number".
  if (!v4 && (row.has_idn ?? 0) !== 0) return 'hash';
  if (row.prev_hash !== expectedPrev) return 'previous_hash';
  const tokens = row.idn_full ?? row.idn_tail ?? row.idn_mac ?? null;
  if (row.purged === 1) {
    const erased =
      row.personal_salt === null &&
      row.holder_name === null &&
      row.id_masked === null &&
      row.vehicle_plate === null &&
      row.raw_preview === null &&
      (row.idn_hmac ?? null) === null &&
      (row.note ?? null) === null &&
      tokens === null;
    if (!erased) return 'purge_incomplete';
  } else if (row.personal_salt === null) {
    return 'personal_data';
  } else {
    // Rows read with SELECT * carry every column (null, never undefined): no copies on this hot path.
    const full = row.idn_hmac !== undefined && row.note !== undefined;
    const digest = v3
      ? personalHashV3(
          row.personal_salt,
          full ? (row as never) : { ...row, idn_hmac: row.idn_hmac ?? null, note: row.note ?? null },
        )
      : v2
        ? personalHashV2(
            row.personal_salt,
            full ? (row as never) : { ...row, idn_hmac: row.idn_hmac ?? null },
          )
        : personalHash(row.personal_salt, row);
    if (digest !== row.personal_hash) return 'personal_data';
    // The chain says whether the passage has an ID number: its three tokens are all there, or none.
    if (v4) {
      const all = row.idn_full != null && row.idn_tail != null && row.idn_mac != null;
      if (row.has_idn === 1 ? !all : tokens !== null) return 'id_tokens';
    }
  }
  const complete =
    row.seq !== undefined && row.seq !== null && row.user_id !== undefined && row.shift_id !== undefined;
  const v2Fields = complete
    ? (row as ChainedPassageV2)
    : { ...row, seq: row.seq ?? -1, user_id: row.user_id ?? null, shift_id: row.shift_id ?? null };
  const v3Fields =
    complete && row.passengers !== undefined && row.passengers !== null
      ? (row as ChainedPassageV3)
      : { ...v2Fields, passengers: row.passengers ?? 0 };
  const hash = v4
    ? chainHashV4(
        row.prev_hash,
        v3Fields === row && row.has_idn != null
          ? (row as ChainedPassageV4)
          : { ...v3Fields, has_idn: row.has_idn ?? 0 },
      )
    : v3
      ? chainHashV3(row.prev_hash, v3Fields)
      : v2
        ? chainHashV2(row.prev_hash, v2Fields)
        : chainHash(row.prev_hash, row);
  return hash === row.hash ? null : 'hash';
}
