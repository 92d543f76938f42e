// VNP1 decode + verify (spec/permit-format.md §1). The order of checks is part of the contract:
// transport (base45, zlib, CBOR, COSE shape) → FORMAT_INVALID; header alg → SIGNATURE_INVALID;
// kid lookup → UNKNOWN_ISSUER; signature → SIGNATURE_INVALID; claims → FORMAT_INVALID; issuer
// binding (iss) → SIGNATURE_INVALID; issuer validity → ISSUER_NOT_VALID; kind → ISSUER_NOT_ALLOWED.
// Signature before claims: a tampered payload is a forgery, whatever its bytes now decode to.
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { base45Decode } from './base45.js';
import { cborDecode, isBytes } from './cbor.js';
import {
  CoseError,
  type CoseSign1,
  coseAlg,
  HEADER_ALG,
  HEADER_KID,
  headerParam,
  parseCoseSign1,
  signatureHolds,
  TAG_COSE_SIGN1,
} from './cose.js';
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

/** base45 → zlib → COSE_Sign1 structure (tag 18 optional); any failure here is FORMAT_INVALID. */
function unpack(body: string): CoseSign1 | string {
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
  try {
    return parseCoseSign1(cose, [TAG_COSE_SIGN1]);
  } catch (err) {
    if (err instanceof CoseError) return err.message;
    throw err;
  }
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

  // alg only from the protected header: an unprotected one is unsigned (no algorithm confusion).
  const algId = parts.protectedHeader.get(HEADER_ALG);
  if (coseAlg(algId) !== 'ES256') {
    return fail('SIGNATURE_INVALID', `alg ${String(algId)} is not ES256 (-7)`);
  }
  const kid = headerParam(parts, HEADER_KID);
  if (kid === undefined) return fail('UNKNOWN_ISSUER', 'no kid');
  if (!isBytes(kid)) return fail('FORMAT_INVALID', 'kid is not a byte string');
  const kidB64 = Buffer.from(kid).toString('base64');
  const issuer = trust.issuers.get(kidB64);
  if (!issuer) return fail('UNKNOWN_ISSUER', `kid ${kidB64} not in the trust list`);

  // P-256: r || s is exactly 64 bytes; a DER or truncated signature does not hold.
  if (!signatureHolds(parts, 'ES256', issuer.key, 64)) {
    return fail('SIGNATURE_INVALID', `ES256 signature (${parts.signature.length} bytes) does not verify`);
  }

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
