// Small documents (trust list, zone map, config) from verified JWS to what scans use, and the digest
// that recognises a document already held.
import { createHash, type KeyObject } from 'node:crypto';
import type { DocumentKind } from '../contract/document-jws.js';
import { ConfigPayload, describeZodError } from '../contract/documents.js';
import type { ConfigLevel } from '../contract/mqtt-topics.js';
import { verifyAs } from './inspect.js';
import { refusal } from './refusal.js';
import { yieldToLoop } from './revocation-index.js';
import { buildTrustList, type TrustList } from './trust-list.js';
import { buildZoneMap, type ZoneMap } from './zones.js';

const DIGEST_SLICE = 4 * 2 ** 20;

export type Built =
  | { kind: 'trust'; version: number; issued: number; trust: TrustList }
  | { kind: 'zones'; version: number; issued: number; zones: ZoneMap }
  | { kind: 'config'; version: number; issued: number; config: ConfigPayload };

/** Verifies a small document against the root key and builds what scans use from it. Throws refusals. */
export async function buildDocument(kind: DocumentKind, text: string, root: KeyObject): Promise<Built> {
  const payload = await verifyAs(kind, text, root);
  switch (kind) {
    case 'trust': {
      const trust = buildTrustList(payload);
      return { kind, version: trust.version, issued: trust.issued, trust };
    }
    case 'zones': {
      const zones = buildZoneMap(payload);
      return { kind, version: zones.version, issued: zones.issued, zones };
    }
    case 'config': {
      const parsed = ConfigPayload.safeParse(payload);
      if (!parsed.success) {
        const detail = describeZodError(parsed.error);
        throw refusal('MALFORMED', `Cấu hình sai: ${detail}`, `Malformed config: ${detail}`);
      }
      return { kind, version: parsed.data.version, issued: parsed.data.issued, config: parsed.data };
    }
    case 'revocations':
      throw new Error('revocations are read by readRevocations');
  }
}

/**
 * Where a built document is held: its kind, or `config:*` (district), `config:<this checkpoint>` or
 * `config:<this checkpoint>/<this kiosk>`, by the level of the topic it came on.
 */
export function slotOf(built: Built, checkpointId: string, level?: ConfigLevel, kioskId = ''): string {
  if (built.kind !== 'config') return built.kind;
  const target = built.config.checkpoint;
  // From a topic, the level must match what the config names; from a file, what it names decides.
  if (level && (level === 'district') !== (target === '*')) {
    throw refusal(
      'NOT_THIS_CHECKPOINT',
      `Cấu hình cho "${target}" không đúng cấp của chủ đề (${level})`,
      `A config for "${target}" does not belong on a ${level} topic`,
    );
  }
  if (target !== '*' && target !== checkpointId) {
    throw refusal(
      'NOT_THIS_CHECKPOINT',
      `Cấu hình dành cho chốt ${target}, không phải chốt ${checkpointId}`,
      `The config is for checkpoint ${target}, not ${checkpointId}`,
    );
  }
  return level === 'kiosk' ? `config:${target}/${kioskId}` : `config:${target}`;
}

/** SHA-256 hex of the raw bytes; large inputs are hashed in slices with the event loop served between. */
export async function digestOf(raw: string | Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  for (let at = 0; at < bytes.byteLength; at += DIGEST_SLICE) {
    hash.update(bytes.subarray(at, at + DIGEST_SLICE));
    if (at + DIGEST_SLICE < bytes.byteLength) await yieldToLoop();
  }
  return hash.digest('hex');
}
