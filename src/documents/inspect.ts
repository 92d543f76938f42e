// Turning raw downlink bytes into a verified payload, with a precise refusal for each way it can fail.
// The signature check itself is jws.ts verifyDocument; this file only classifies what it refuses.
import type { KeyObject } from 'node:crypto';
import { DOCUMENT_TYPES, type DocumentKind, verifyDocument } from '../contract/document-jws.js';
import { malformed, notUtf8, signatureInvalid, wrongType } from './refusal.js';

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
/** Only small documents are parsed a second time to read a claimed version for a refusal. */
const PEEK_LIMIT = 1 << 20;

/** UTF-8 bytes (or a string) as text; anything that is not valid UTF-8 is refused. */
export function documentText(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return raw.trim();
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw).trim();
  } catch {
    throw notUtf8();
  }
}

function segmentJson(segment: string): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(segment, 'base64url')));
}

/** The unverified protected header's `typ`, or a MALFORMED refusal. */
export function headerTyp(text: string): string {
  if (!COMPACT.test(text)) throw malformed('không phải JWS dạng rút gọn', 'not a compact JWS');
  let header: unknown;
  try {
    header = segmentJson(text.slice(0, text.indexOf('.')));
  } catch {
    throw malformed('phần đầu JWS không đọc được', 'unreadable JWS header');
  }
  const typ = (header as { typ?: unknown } | null)?.typ;
  if (typeof typ !== 'string') throw malformed('phần đầu JWS thiếu "typ"', 'JWS header has no "typ"');
  return typ;
}

/**
 * Verifies a document of this kind against the pinned root key and returns its JSON payload.
 * Refusals: MALFORMED, WRONG_TYPE (checked before the signature: it changes nothing either way),
 * SIGNATURE_INVALID.
 */
export async function verifyAs(kind: DocumentKind, text: string, root: KeyObject): Promise<unknown> {
  const typ = headerTyp(text);
  if (typ !== DOCUMENT_TYPES[kind]) throw wrongType(typ, DOCUMENT_TYPES[kind]);
  try {
    return await verifyDocument(text, kind, root);
  } catch {
    // Format and typ passed; verifyDocument refuses only a bad signature, a foreign kid or alg, or a
    // payload that is not JSON. Reading the payload tells the last apart (only on this failure path).
    try {
      segmentJson(text.slice(text.indexOf('.') + 1, text.lastIndexOf('.')));
    } catch {
      throw malformed('nội dung không phải JSON', 'the payload is not JSON');
    }
    throw signatureInvalid();
  }
}

/** The version a document claims, unverified, for reporting a refusal; null when unreadable. */
export function claimedVersion(raw: string | Uint8Array): number | null {
  if (raw.length > PEEK_LIMIT) return null;
  try {
    const text = documentText(raw);
    const parts = text.split('.');
    if (parts.length !== 3) return null;
    const v = (segmentJson(parts[1]!) as { version?: unknown } | null)?.version;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
  } catch {
    return null;
  }
}
