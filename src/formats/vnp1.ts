// VNP1 decode + verify (spec/permit-format.md §1). The order of checks is part of the contract:
// transport (base45, zlib, CBOR, COSE shape) → FORMAT_INVALID; header alg → SIGNATURE_INVALID;
// kid lookup → UNKNOWN_ISSUER; signature → SIGNATURE_INVALID; claims → FORMAT_INVALID; issuer
// binding (iss) → SIGNATURE_INVALID; issuer validity → ISSUER_NOT_VALID; kind → ISSUER_NOT_ALLOWED.
// Signature before claims: a tampered payload is a forgery, whatever its bytes now decode to.
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { base45Decode } from './base45.js';
import { cborDecode, cborEncode, isBytes } from './cbor.js';
import type { TrustedKeys, VerifiedPermit } from './types.js';
import { ClaimsError, parseClaims } from './vnp1-claims.js';

export const VNP1_PREFIX = 'VNP1:';
export const MAX_INFLATED_BYTES = 16_384;
/** No real permit comes near this; refusing early bounds the work a hostile scan can cause. */
export const MAX_SCAN_CHARS = 32_768;

export type PermitFailureReason =
  | 'FORMAT_INVALID'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_ISSUER'
  | 'ISSUER_NOT_VALID'
  | 'ISSUER_NOT_ALLOWED';

export type PermitResult =
  | { ok: true; permit: VerifiedPermit }
  | { ok: false; reason: PermitFailureReason; detail: string };

const ALG_ES256 = -7;

function fail(reason: PermitFailureReason, detail: string): PermitResult {
  return { ok: false, reason, detail };
}

/** Removes trailing CR/LF; a loop, not a regex, so a line of a million newlines stays linear. */
export function stripTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return end === text.length ? text : text.slice(0, end);
}

export function permitHash(iss: string, cti: string): string {
  return createHash('sha256').update(`${iss}/${cti}`, 'utf8').digest('hex');
}

interface CoseParts {
  protectedBytes: Buffer;
  protectedHeader: Map<unknown, unknown>;
  unprotected: Map<unknown, unknown>;
  payload: Buffer;
  signature: Buffer;
}

/** base45 → zlib → COSE_Sign1 structure; any failure here is FORMAT_INVALID. */
function unpack(body: string): CoseParts | string {
  let compressed: Buffer;
  try {
    compressed = base45Decode(body);
  } catch (err) {
    return `base45: ${(err as Error).message}`;
  }
  let cose: Buffer;
  try {
    cose = inflateSync(compressed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    return `zlib: ${(err as Error).message}`;
  }
  let item: unknown;
  try {
    item = cborDecode(cose);
  } catch (err) {
    return `cbor: ${(err as Error).message}`;
  }
  if (item instanceof Tag) {
    if (item.tag !== 18) return `unexpected CBOR tag ${item.tag}`;
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) return 'not a COSE_Sign1 array of 4';
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
    return 'COSE_Sign1 members have wrong types';
  }
  let protectedHeader: unknown = new Map();
  if (protectedBytes.length > 0) {
    try {
      protectedHeader = cborDecode(protectedBytes);
    } catch {
      return 'protected header is not CBOR';
    }
  }
  if (!(protectedHeader instanceof Map)) return 'protected header is not a map';
  return { protectedBytes, protectedHeader, unprotected, payload, signature };
}

/** Decodes and verifies a VNP1 text against the trust list. Never throws. */
export function verifyPermit(text: string, trust: Pick<TrustedKeys, 'issuers'>): PermitResult {
  try {
    return verifyUnsafe(text, trust);
  } catch (err) {
    // Defensive: a decoder bug on hostile input must still be a verdict, not a crash.
    return fail('FORMAT_INVALID', `unexpected: ${(err as Error).message}`);
  }
}

function verifyUnsafe(text: string, trust: Pick<TrustedKeys, 'issuers'>): PermitResult {
  if (text.length > MAX_SCAN_CHARS) return fail('FORMAT_INVALID', 'scan too long');
  const trimmed = stripTrailingNewlines(text);
  if (!trimmed.startsWith(VNP1_PREFIX)) return fail('FORMAT_INVALID', 'missing VNP1: prefix');
  const parts = unpack(trimmed.slice(VNP1_PREFIX.length));
  if (typeof parts === 'string') return fail('FORMAT_INVALID', parts);

  if (parts.protectedHeader.get(1) !== ALG_ES256) {
    return fail('SIGNATURE_INVALID', `alg ${String(parts.protectedHeader.get(1))} is not ES256 (-7)`);
  }
  const kid = parts.protectedHeader.get(4) ?? parts.unprotected.get(4);
  if (kid === undefined) return fail('UNKNOWN_ISSUER', 'no kid');
  if (!isBytes(kid)) return fail('FORMAT_INVALID', 'kid is not a byte string');
  const kidB64 = Buffer.from(kid).toString('base64');
  const issuer = trust.issuers.get(kidB64);
  if (!issuer) return fail('UNKNOWN_ISSUER', `kid ${kidB64} not in the trust list`);

  if (parts.signature.length !== 64) return fail('SIGNATURE_INVALID', 'signature is not 64 bytes');
  const toBeSigned = cborEncode(['Signature1', parts.protectedBytes, Buffer.alloc(0), parts.payload]);
  const good = cryptoVerify(
    'sha256',
    toBeSigned,
    { key: issuer.key, dsaEncoding: 'ieee-p1363' },
    parts.signature,
  );
  if (!good) return fail('SIGNATURE_INVALID', 'ES256 signature does not verify');

  let claims: ReturnType<typeof parseClaims>;
  try {
    claims = parseClaims(cborDecode(parts.payload));
  } catch (err) {
    const detail = err instanceof ClaimsError ? err.message : 'payload is not CBOR';
    return fail('FORMAT_INVALID', detail);
  }
  if (claims.iss !== issuer.iss) {
    return fail('SIGNATURE_INVALID', `iss ${claims.iss} differs from the key's issuer ${issuer.iss}`);
  }
  if (claims.iat < issuer.validFrom || claims.iat > issuer.validTo) {
    return fail('ISSUER_NOT_VALID', 'issued outside the issuer key validity');
  }
  if (!issuer.kinds.includes(claims.permit.k)) {
    return fail('ISSUER_NOT_ALLOWED', `issuer may not issue kind ${claims.permit.k}`);
  }
  return {
    ok: true,
    permit: {
      iss: claims.iss,
      cti: claims.cti,
      hash: permitHash(claims.iss, claims.cti),
      iat: claims.iat,
      nbf: claims.nbf,
      exp: claims.exp,
      kid: kidB64,
      issuerName: issuer.name || null,
      permit: claims.permit,
    },
  };
}
