// Signing and addressing downlink documents (spec/mqtt.md "Command centre → kiosk"). The payload is
// validated with the schemas a kiosk uses, signed with the command centre's key (which stays in this
// process), and sent to the spec's topic. A revocation delta is also folded into a new full list of the
// same version, so the retained full list is always current. Pure apart from signing: the aggregator
// does the publishing.
import { createHash } from 'node:crypto';
import { AREA_CODE } from '../../src/contract/checkpoint.js';
import { DOCUMENT_TYPES, type DocumentKind, signDocument } from '../../src/contract/document-jws.js';
import { validateDocumentPayload } from '../../src/contract/document-validate.js';
import { ConfigPayload, RevocationsPayload, TrustListPayload } from '../../src/contract/documents.js';
import { KioskError } from '../../src/contract/errors.js';
import {
  configTopic,
  KioskId,
  REVOCATIONS_DELTA_TOPIC,
  REVOCATIONS_TOPIC,
  TRUST_TOPIC,
  ZONES_TOPIC,
} from '../../src/contract/mqtt-topics.js';
import { packHexHashes } from '../../src/contract/revocation-packing.js';
import { DOCUMENT_KINDS, type PublishRequest } from './types.js';

export interface PreparedDocument {
  kind: DocumentKind;
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
  /** Topics whose versions this one must exceed (a delta shares the full list's numbering). */
  versionTopics: string[];
  jws: string;
  sha256: string;
}

/** The full list a revocation document leaves current, and the change it makes to the one held. */
export interface PreparedRevocations {
  /** For a delta: the held list with the delta applied, signed, to publish first, retained. */
  folded: PreparedDocument | null;
  entries: number;
  change: { full: boolean; add: string[]; remove: string[] };
}

const DISTRICT = /^\d{2}-\d{3}$/;
const REVOCATION_TOPICS = [REVOCATIONS_TOPIC, REVOCATIONS_DELTA_TOPIC];

export function requestError(vi: string, en: string): KioskError {
  return new KioskError('PUBLISH_INVALID', vi, en);
}

/** Where a document goes, and whether the broker keeps it for kiosks that connect later. */
export function documentTopic(
  kind: DocumentKind,
  payload: unknown,
  district: string | undefined,
  kiosk?: string,
): { topic: string; retained: boolean; versionTopics: string[] } {
  switch (kind) {
    case 'trust':
      return { topic: TRUST_TOPIC, retained: true, versionTopics: [TRUST_TOPIC] };
    case 'zones':
      return { topic: ZONES_TOPIC, retained: true, versionTopics: [ZONES_TOPIC] };
    case 'revocations': {
      const mode = RevocationsPayload.parse(payload).mode;
      // The full list is retained; deltas are not: a kiosk that missed one fetches the full list.
      return mode === 'full'
        ? { topic: REVOCATIONS_TOPIC, retained: true, versionTopics: REVOCATION_TOPICS }
        : { topic: REVOCATIONS_DELTA_TOPIC, retained: false, versionTopics: REVOCATION_TOPICS };
    }
    case 'config': {
      if (!district || !DISTRICT.test(district) || !AREA_CODE.test(district)) {
        throw requestError(
          'Cấu hình chốt cần mã quận/huyện (vd 01-009)',
          'A checkpoint config needs a district code (e.g. 01-009)',
        );
      }
      const target = ConfigPayload.parse(payload).checkpoint;
      if (kiosk !== undefined && (target === '*' || !KioskId.safeParse(kiosk).success)) {
        throw requestError(
          'Cấu hình cho một máy cần mã chốt cụ thể và mã máy hợp lệ (vd L1)',
          'A config for one kiosk needs a named checkpoint and a valid kiosk id (e.g. L1)',
        );
      }
      const topic =
        target === '*'
          ? configTopic({ district }, 'district')
          : kiosk === undefined
            ? configTopic({ district, checkpoint: target }, 'checkpoint')
            : configTopic({ district, checkpoint: target, kiosk }, 'kiosk');
      return { topic, retained: true, versionTopics: [topic] };
    }
  }
}

async function signed(
  kind: DocumentKind,
  payload: unknown,
  version: number,
  where: { topic: string; retained: boolean; versionTopics: string[] },
  keyPem: string,
): Promise<PreparedDocument> {
  const jws = await signDocument(kind, payload, keyPem);
  return {
    kind,
    typ: DOCUMENT_TYPES[kind],
    version,
    ...where,
    jws,
    sha256: createHash('sha256').update(jws).digest('hex'),
  };
}

type Held = { version: number; hashes: string[] } | null;
/** The full revocation list last published, from whichever database the command centre runs on. */
export type HeldRevocations = () => Promise<Held> | Held;
/** The highest version already sent on any of these topics, from either database. */
export type LastVersion = (topics: string[]) => Promise<number | null> | number | null;

/**
 * Validates and addresses a request without signing it: what a second publisher will be asked to
 * approve is known to be publishable. `lastVersion` gives the highest version already sent on a topic.
 */
export async function checkRequest(
  req: unknown,
  lastVersion: LastVersion,
): Promise<{
  docKind: DocumentKind;
  payload: unknown;
  version: number;
  where: { topic: string; retained: boolean; versionTopics: string[] };
}> {
  if (typeof req !== 'object' || req === null) {
    throw requestError('Yêu cầu phải là một đối tượng JSON', 'The request must be a JSON object');
  }
  const { kind, payload, district, kiosk } = req as Partial<PublishRequest>;
  if (typeof kind !== 'string' || !(DOCUMENT_KINDS as readonly string[]).includes(kind)) {
    throw requestError(
      `Loại tài liệu phải là một trong: ${DOCUMENT_KINDS.join(', ')}`,
      `The document kind must be one of: ${DOCUMENT_KINDS.join(', ')}`,
    );
  }
  if (district !== undefined && typeof district !== 'string') {
    throw requestError('Mã quận/huyện phải là chuỗi', 'The district code must be a string');
  }
  if (kiosk !== undefined && (typeof kiosk !== 'string' || kind !== 'config')) {
    throw requestError(
      'Mã máy (kiosk) chỉ dùng cho cấu hình, và phải là chuỗi',
      'A kiosk id is for a config only, and must be a string',
    );
  }
  const docKind = kind as DocumentKind;
  const { version } = validateDocumentPayload(docKind, payload);
  if (docKind === 'trust' && TrustListPayload.parse(payload).issuers.length === 0) {
    // Valid for a kiosk, but it would turn every permit in the city into UNKNOWN_ISSUER.
    throw requestError(
      'Danh sách tin cậy rỗng: mọi giấy đi đường sẽ bị từ chối',
      'An empty trust list would make every permit be refused',
    );
  }
  const where = documentTopic(docKind, payload, district, kiosk);
  const last = await lastVersion(where.versionTopics);
  if (last !== null && version <= last) {
    // A kiosk refuses a version not greater than the one it holds: sending it would only produce refusals.
    throw requestError(
      `Phiên bản ${version} không mới hơn phiên bản đã phát ${last}`,
      `Version ${version} is not newer than the published version ${last}`,
    );
  }
  return { docKind, payload, version, where };
}

/**
 * Validates, addresses and signs. `lastVersion` gives the highest version already sent on a topic;
 * `heldRevocations` the full list this command centre last published (a delta is folded into it).
 */
export async function prepareDocument(
  req: unknown,
  keyPem: string,
  lastVersion: LastVersion,
  heldRevocations: HeldRevocations = () => null,
): Promise<{ doc: PreparedDocument; revocations: PreparedRevocations | null }> {
  const { docKind, payload, version, where } = await checkRequest(req, lastVersion);
  const doc = await signed(docKind, packedIfFull(docKind, payload), version, where, keyPem);
  const revocations =
    docKind === 'revocations' ? await foldRevocations(payload, heldRevocations, keyPem) : null;
  return { doc, revocations };
}

/** A full revocation list as kiosks get it: packed (a kiosk reads a million entries without a string each). */
function packedIfFull(kind: DocumentKind, payload: unknown): unknown {
  if (kind !== 'revocations') return payload;
  const p = RevocationsPayload.parse(payload);
  if (p.mode !== 'full') return payload;
  const { add, remove, ...head } = p;
  return {
    ...head,
    addPacked: packHexHashes(add),
    ...(remove.length > 0 && { removePacked: packHexHashes(remove) }),
  };
}

/** The full list after this document: itself when full, the held list with the delta applied otherwise. */
async function foldRevocations(
  payload: unknown,
  heldRevocations: HeldRevocations,
  keyPem: string,
): Promise<PreparedRevocations> {
  const p = RevocationsPayload.parse(payload);
  if (p.mode === 'full') {
    const hashes = [...new Set(p.add)];
    return { folded: null, entries: hashes.length, change: { full: true, add: hashes, remove: [] } };
  }
  const held = await heldRevocations();
  if (!held) {
    throw requestError(
      'Trung tâm chưa phát danh sách thu hồi đầy đủ nào: hãy phát danh sách đầy đủ trước khi phát phần thay đổi',
      'This command centre has published no full revocation list: publish a full list before a delta',
    );
  }
  if (p.base !== held.version) {
    throw requestError(
      `Phần thay đổi dựa trên phiên bản ${p.base}, nhưng danh sách đầy đủ hiện tại là phiên bản ${held.version}`,
      `The delta is based on version ${p.base}, but the current full list is version ${held.version}`,
    );
  }
  const set = new Set(held.hashes);
  for (const h of p.remove) set.delete(h);
  for (const h of p.add) set.add(h);
  const hashes = [...set].sort();
  const fullPayload = {
    version: p.version,
    issued: p.issued,
    mode: 'full' as const,
    addPacked: packHexHashes(hashes),
  };
  validateDocumentPayload('revocations', fullPayload);
  const where = { topic: REVOCATIONS_TOPIC, retained: true, versionTopics: REVOCATION_TOPICS };
  const folded = await signed('revocations', fullPayload, p.version, where, keyPem);
  return { folded, entries: hashes.length, change: { full: false, add: p.add, remove: p.remove } };
}
