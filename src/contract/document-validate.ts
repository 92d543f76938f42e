// Payload validation by document kind, shared by the kiosk (before it applies a document) and by those
// who sign them (`kiosk sign`, the command centre's publisher): nothing signed can then be refused by a
// kiosk for its content. Every problem is a KioskError DOCUMENT_INVALID with both languages.
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { type DocumentKind, documentError } from './document-jws.js';
import {
  ConfigPayload,
  describeZodError,
  RevocationsPayload,
  TrustListPayload,
  ZonesPayload,
} from './documents.js';
import { kidOf, publicKeyFromDer } from './keys.js';

function parsed<S extends z.ZodType>(kind: DocumentKind, schema: S, payload: unknown): z.infer<S> {
  const r = schema.safeParse(payload);
  if (r.success) return r.data;
  const detail = describeZodError(r.error);
  throw documentError(kind, `nội dung sai: ${detail}`, `bad payload: ${detail}`);
}

export interface CheckedTrustList {
  payload: TrustListPayload;
  /** Each issuer's key imported, by the base64 kid derived from it (one per issuer entry, in order). */
  keys: { kid: string; key: KeyObject }[];
}

/** A trust list's payload: its schema, and each issuer key a P-256 key whose kid is the one listed, once. */
export function checkTrustList(payload: unknown): CheckedTrustList {
  const p = parsed('trust', TrustListPayload, payload);
  const seen = new Set<string>();
  const keys = p.issuers.map((entry) => {
    let key: KeyObject;
    try {
      key = publicKeyFromDer(Buffer.from(entry.key, 'base64'));
    } catch {
      throw documentError(
        'trust',
        `khoá của ${entry.iss} không phải P-256`,
        `key of ${entry.iss} is not P-256`,
      );
    }
    // The kid is derived from the key; a list where they disagree was made wrongly or tampered with.
    const kid = kidOf(key).toString('base64');
    if (Buffer.from(entry.kid, 'base64').toString('base64') !== kid) {
      throw documentError(
        'trust',
        `kid của ${entry.iss} không khớp khoá`,
        `kid of ${entry.iss} does not match its key`,
      );
    }
    if (seen.has(kid)) throw documentError('trust', `kid ${kid} lặp lại`, `duplicate kid ${kid}`);
    seen.add(kid);
    return { kid, key };
  });
  return { payload: p, keys };
}

export function checkRevocations(payload: unknown): RevocationsPayload {
  return parsed('revocations', RevocationsPayload, payload);
}

export function checkZones(payload: unknown): ZonesPayload {
  return parsed('zones', ZonesPayload, payload);
}

export function checkConfig(payload: unknown): ConfigPayload {
  return parsed('config', ConfigPayload, payload);
}

/** Throws a KioskError DOCUMENT_INVALID when the payload is not a valid document of this kind. */
export function validateDocumentPayload(kind: DocumentKind, payload: unknown): { version: number } {
  switch (kind) {
    case 'trust':
      return { version: checkTrustList(payload).payload.version };
    case 'revocations':
      return { version: checkRevocations(payload).version };
    case 'zones':
      return { version: checkZones(payload).version };
    case 'config':
      return { version: checkConfig(payload).version };
  }
}
