// Revocation lists: a Set of permit hashes (hex SHA-256 of iss/cti) gives O(1) lookups at a million
// entries. Full lists replace; a delta applies only on top of exactly its base version.
import type { KeyObject } from 'node:crypto';
import { documentError, verifyDocument } from '../contract/document-jws.js';
import { checkRevocations } from '../contract/document-validate.js';
import type { RevocationsPayload } from '../contract/documents.js';

export interface RevocationSet {
  version: number;
  issued: number;
  revoked: ReadonlySet<string>;
}

export function parseRevocations(payload: unknown): RevocationsPayload {
  return checkRevocations(payload);
}

/** The revocation set after applying a document to what is held (null: nothing held yet). */
export function applyRevocations(held: RevocationSet | null, doc: RevocationsPayload): RevocationSet {
  if (held && doc.version <= held.version) {
    throw documentError(
      'revocations',
      `phiên bản ${doc.version} không mới hơn ${held.version}`,
      `version ${doc.version} is not newer than the held ${held.version}`,
    );
  }
  if (doc.mode === 'full') {
    const revoked = new Set(doc.add);
    for (const h of doc.remove) revoked.delete(h);
    return { version: doc.version, issued: doc.issued, revoked };
  }
  if (!held || held.version !== doc.base) {
    throw documentError(
      'revocations',
      `bản bổ sung dựa trên phiên bản ${doc.base}, máy đang giữ ${held ? held.version : 'không có'}; cần danh sách đầy đủ`,
      `delta based on version ${doc.base} but ${held ? `version ${held.version}` : 'nothing'} is held; a full list is needed`,
    );
  }
  const revoked = new Set(held.revoked);
  for (const h of doc.add) revoked.add(h);
  for (const h of doc.remove) revoked.delete(h);
  return { version: doc.version, issued: doc.issued, revoked };
}

/** Verifies a `vnp-revocations+jws` document and applies it on top of `held`. */
export async function loadRevocations(
  jws: string,
  root: KeyObject,
  held: RevocationSet | null = null,
): Promise<RevocationSet> {
  return applyRevocations(held, parseRevocations(await verifyDocument(jws, 'revocations', root)));
}
