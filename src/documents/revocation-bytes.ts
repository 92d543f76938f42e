// Verifying a revocations JWS and finding its fields straight from the bytes, so that a packed list of
// a million entries (58 MB of JWS) is held about twice, not as JWS text, signing input, payload text and
// parsed string besides. Anything unusual returns null and the caller takes the general path, which
// gives the precise refusal; this path only ever accepts what that one would accept.
import { type KeyObject, verify } from 'node:crypto';
import { base64url } from '../contract/document-jws.js';
import { kidOf } from '../contract/keys.js';
import { decodeBase64Strict } from '../contract/revocation-packing.js';

/** A payload field: parsed JSON, or where a long string's characters lie in `payload`. */
export type FieldValue = { json: unknown } | { start: number; end: number };

export interface VerifiedFields {
  payload: Buffer;
  fields: Map<string, FieldValue>;
}

/** Strings longer than this stay in the bytes; shorter values are parsed as JSON. */
const INLINE_LIMIT = 4096;
const fatal = new TextDecoder('utf-8', { fatal: true });

function isUrlChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f
  );
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Verifies a compact ES256 JWS of `typ` against the root key from its bytes. Null when it is not a plain
 * compact JWS with that typ, a valid signature and a JSON object payload (the caller then refuses it).
 */
export function verifyBytes(raw: Uint8Array, typ: string, root: KeyObject): VerifiedFields | null {
  let start = 0;
  let end = raw.length;
  while (start < end && isSpace(raw[start])) start++;
  while (end > start && isSpace(raw[end - 1])) end--;
  let dot1 = -1;
  let dot2 = -1;
  for (let i = start; i < end; i++) {
    const c = raw[i]!;
    if (c === 0x2e) {
      if (dot1 < 0) dot1 = i;
      else if (dot2 < 0) dot2 = i;
      else return null;
    } else if (!isUrlChar(c)) return null;
  }
  if (dot1 <= start || dot2 < 0 || dot2 === end - 1) return null;
  let header: { typ?: unknown; alg?: unknown; kid?: unknown; crit?: unknown; b64?: unknown };
  try {
    header = JSON.parse(fatal.decode(decodeBase64Strict(raw, start, dot1, true) ?? new Uint8Array([0])));
  } catch {
    return null;
  }
  if (typeof header !== 'object' || header === null) return null;
  if (header.typ !== typ || header.alg !== 'ES256' || header.crit !== undefined || header.b64 !== undefined) {
    return null;
  }
  if (header.kid !== undefined && header.kid !== base64url(kidOf(root))) return null;
  const signature = decodeBase64Strict(raw, dot2 + 1, end, true);
  if (signature?.length !== 64) return null;
  const signed = raw.subarray(start, dot2);
  if (!verify('sha256', signed, { key: root, dsaEncoding: 'ieee-p1363' }, signature)) return null;
  const payload = decodeBase64Strict(raw, dot1 + 1, dot2, true);
  if (!payload) return null;
  const fields = scanObject(payload);
  return fields && { payload, fields };
}

/** The end of the JSON string whose opening quote is at `at` (index after the closing quote), or -1. */
function stringEnd(b: Buffer, at: number): number {
  for (let i = at + 1; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22) return i + 1;
    if (c === 0x5c) i++;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** The end of the JSON value starting at `at` (not checked: JSON.parse checks what is kept), or -1. */
function valueEnd(b: Buffer, at: number): number {
  let depth = 0;
  for (let i = at; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x22) {
      i = stringEnd(b, i) - 1;
      if (i < 0) return -1;
      if (depth === 0) return i + 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === 0x2c || isSpace(c))) return i;
  }
  return depth === 0 ? b.length : -1;
}

/**
 * The top-level members of a JSON object. Long strings without escapes are left in place (a packed list
 * is base64, which needs none); every other value is parsed. Null when it is not one JSON object.
 */
function scanObject(b: Buffer): Map<string, FieldValue> | null {
  const fields = new Map<string, FieldValue>();
  let i = 0;
  const skip = () => {
    while (isSpace(b[i])) i++;
  };
  skip();
  if (b[i++] !== 0x7b) return null;
  skip();
  if (b[i] === 0x7d) i++;
  else {
    for (;;) {
      skip();
      if (b[i] !== 0x22) return null;
      const keyEnd = stringEnd(b, i);
      if (keyEnd < 0) return null;
      let key: unknown;
      try {
        key = JSON.parse(fatal.decode(b.subarray(i, keyEnd)));
      } catch {
        return null;
      }
      i = keyEnd;
      skip();
      if (b[i++] !== 0x3a) return null;
      skip();
      const end = valueEnd(b, i);
      if (end <= i) return null;
      const inPlace = b[i] === 0x22 && end - i > INLINE_LIMIT && b.subarray(i, end).indexOf(0x5c) < 0;
      if (inPlace) {
        for (let k = i + 1; k < end - 1; k++) if (b[k]! >= 0x80) return null; // leave UTF-8 to the parser
        fields.set(key as string, { start: i + 1, end: end - 1 });
      } else {
        try {
          fields.set(key as string, { json: JSON.parse(fatal.decode(b.subarray(i, end))) });
        } catch {
          return null;
        }
      }
      i = end;
      skip();
      if (b[i] === 0x2c) {
        i++;
        continue;
      }
      if (b[i++] !== 0x7d) return null;
      break;
    }
  }
  skip();
  return i === b.length ? fields : null;
}
