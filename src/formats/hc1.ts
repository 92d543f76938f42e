// HC1 decode + verify against the trust list's `dcc` signers. The order of checks mirrors VNP1:
// transport → FORMAT_INVALID; alg → SIGNATURE_INVALID; kid → UNKNOWN_ISSUER; signature →
// SIGNATURE_INVALID; claims and schema → FORMAT_INVALID; the signer's key usage against the
// certificate's type → SIGNATURE_INVALID (a test-only signer cannot vouch for a vaccination).
// Signature before content: a tampered payload is a forgery, whatever its bytes now decode to.
import { isBytes } from './cbor.js';
import { type CoseSign1, coseAlg, HEADER_ALG, HEADER_KID, headerParam, signatureHolds } from './cose.js';
import { DccContentError, parseDccClaims, parseHealthCertificate } from './hc1-certificate.js';
import { type DccSignerIndex, type DccSignerKey, dccSigners, usageAllows } from './hc1-signers.js';
import { DccFormatError, decodeHc1Transport } from './hc1-transport.js';
import type { DccFailureReason, VerifiedDcc } from './hc1-types.js';
import type { DccSigner } from './types.js';

export type DccVerifyResult =
  | { ok: true; dcc: VerifiedDcc }
  | { ok: false; reason: DccFailureReason; detail: string };

export type SignatureResult =
  | { ok: true; signer: DccSignerKey; kid: string }
  | { ok: false; reason: DccFailureReason; detail: string };

function fail(
  reason: DccFailureReason,
  detail: string,
): { ok: false; reason: DccFailureReason; detail: string } {
  return { ok: false, reason, detail };
}

/** Verifies a COSE_Sign1 against the signers: alg, kid (protected header wins), signature. */
export function verifyCoseSignature(cose: CoseSign1, signers: DccSignerIndex): SignatureResult {
  // The suite puts alg in the unprotected header too (CO20). That is safe here: the signer's key
  // fixes the algorithm (EC: ES256, RSA: PS256), so a swapped alg can only make verification fail.
  const algId = headerParam(cose, HEADER_ALG);
  const alg = coseAlg(algId);
  if (!alg) return fail('SIGNATURE_INVALID', `alg ${String(algId)} is neither ES256 (-7) nor PS256 (-37)`);
  const kidRaw = headerParam(cose, HEADER_KID);
  if (kidRaw === undefined) return fail('UNKNOWN_ISSUER', 'no kid');
  if (!isBytes(kidRaw)) return fail('FORMAT_INVALID', 'kid is not a byte string');
  const kid = Buffer.from(kidRaw).toString('base64');
  const candidates = signers.byKid.get(kid);
  if (!candidates || candidates.length === 0)
    return fail('UNKNOWN_ISSUER', `kid ${kid} not in the trust list`);
  const usable = candidates.filter((s) => s.alg === alg);
  if (usable.length === 0) return fail('SIGNATURE_INVALID', `the key of kid ${kid} cannot verify ${alg}`);
  // kids are 8 bytes and may collide across member states: any listed key that verifies will do.
  const signer = usable.find((s) => signatureHolds(cose, alg, s.key, s.ecSignatureLength ?? undefined));
  if (!signer) return fail('SIGNATURE_INVALID', `${alg} signature does not verify`);
  return { ok: true, signer, kid };
}

/** Decodes and verifies an HC1 text against the trust list's `dcc` entries. Never throws. */
export function verifyHc1(text: string, trust: { dcc: readonly DccSigner[] }): DccVerifyResult {
  try {
    return verifyUnsafe(text, dccSigners(trust));
  } catch (err) {
    // Defensive: a decoder bug on hostile input must still be a verdict, not a crash.
    return fail('FORMAT_INVALID', `unexpected: ${(err as Error).message}`);
  }
}

function verifyUnsafe(text: string, signers: DccSignerIndex): DccVerifyResult {
  let cose: CoseSign1;
  try {
    cose = decodeHc1Transport(text);
  } catch (err) {
    if (err instanceof DccFormatError) return fail('FORMAT_INVALID', err.message);
    throw err;
  }
  const sig = verifyCoseSignature(cose, signers);
  if (!sig.ok) return sig;
  let dcc: VerifiedDcc;
  try {
    const claims = parseDccClaims(cose.payload);
    dcc = {
      kid: sig.kid,
      country: claims.iss ?? sig.signer.country,
      iat: claims.iat,
      exp: claims.exp,
      cert: parseHealthCertificate(claims.hcert),
    };
  } catch (err) {
    if (err instanceof DccContentError) return fail('FORMAT_INVALID', err.message);
    throw err;
  }
  if (!usageAllows(sig.signer, dcc.cert.entry.type)) {
    return fail('SIGNATURE_INVALID', `the signer may not sign ${dcc.cert.entry.type} certificates`);
  }
  return { ok: true, dcc };
}
