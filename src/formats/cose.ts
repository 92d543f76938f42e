// COSE_Sign1 (RFC 9052), one implementation for VNP1 and HC1: the structure, its headers, the
// Sig_structure a signature covers, and ES256/PS256 over it (RFC 9053, RFC 8230). The formats keep
// their own order of checks and failure codes; this module decides nothing but what the bytes say.
import { constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { Tag } from 'cbor-x';
import { cborDecode, cborEncode, isBytes } from './cbor.js';

export const TAG_COSE_SIGN1 = 18;
export const HEADER_ALG = 1;
export const HEADER_KID = 4;

export type CoseAlg = 'ES256' | 'PS256';
const ALG_IDS: ReadonlyMap<unknown, CoseAlg> = new Map<unknown, CoseAlg>([
  [-7, 'ES256'],
  [-37, 'PS256'],
]);

export interface CoseSign1 {
  /** The protected header exactly as signed (a bstr holding a CBOR map, possibly empty). */
  protectedBytes: Buffer;
  protectedHeader: Map<unknown, unknown>;
  unprotected: Map<unknown, unknown>;
  payload: Buffer;
  signature: Buffer;
}

/** Why bytes are not a COSE_Sign1: `cbor` when they are not one CBOR item, `cose` for its shape. */
export class CoseError extends Error {
  override name = 'CoseError';
  constructor(
    readonly step: 'cbor' | 'cose',
    readonly detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

/**
 * COSE_Sign1 from its CBOR bytes. `tags` are the CBOR tags that may wrap it, outermost first, each
 * optional and each at most once (VNP1: [18]; HC1: [61, 18]); any other tag is refused. Throws CoseError.
 */
export function parseCoseSign1(bytes: Uint8Array, tags: readonly number[]): CoseSign1 {
  let item: unknown;
  try {
    item = cborDecode(bytes);
  } catch (err) {
    throw new CoseError('cbor', (err as Error).message);
  }
  for (const tag of tags) if (item instanceof Tag && item.tag === tag) item = item.value;
  if (item instanceof Tag) throw new CoseError('cose', `unexpected CBOR tag ${item.tag}`);
  if (!Array.isArray(item) || item.length !== 4) throw new CoseError('cose', 'not a COSE_Sign1 array of 4');
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
    throw new CoseError('cose', 'COSE_Sign1 members have wrong types');
  }
  let protectedHeader: unknown = new Map();
  // An empty bstr is the empty map (RFC 9052 §3): nothing is protected.
  if (protectedBytes.length > 0) {
    try {
      protectedHeader = cborDecode(protectedBytes);
    } catch {
      throw new CoseError('cose', 'protected header is not CBOR');
    }
  }
  if (!(protectedHeader instanceof Map)) throw new CoseError('cose', 'protected header is not a map');
  return {
    protectedBytes: Buffer.from(protectedBytes),
    protectedHeader,
    unprotected,
    payload: Buffer.from(payload),
    signature: Buffer.from(signature),
  };
}

/** A header parameter where it stands; the protected header wins (an unprotected value is unsigned). */
export function headerParam(
  cose: Pick<CoseSign1, 'protectedHeader' | 'unprotected'>,
  label: number,
): unknown {
  return cose.protectedHeader.get(label) ?? cose.unprotected.get(label);
}

/** The algorithm name of a COSE alg value, or undefined for any other. */
export function coseAlg(id: unknown): CoseAlg | undefined {
  return typeof id === 'number' ? ALG_IDS.get(id) : undefined;
}

/** What a COSE_Sign1 signature covers: `["Signature1", protected, h'', payload]`. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return cborEncode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
}

/**
 * Whether the signature holds. ES256 is raw `r || s` (RFC 9053), each as long as the curve's order:
 * `ecSignatureLength` bytes in all (64 for P-256), nothing else. PS256 (RFC 8230) is RSASSA-PSS with
 * SHA-256, MGF1 with SHA-256 and a salt as long as the hash.
 */
export function signatureHolds(
  cose: Pick<CoseSign1, 'protectedBytes' | 'payload' | 'signature'>,
  alg: CoseAlg,
  key: KeyObject,
  ecSignatureLength = 64,
): boolean {
  const toBeSigned = sigStructure(cose.protectedBytes, cose.payload);
  if (alg === 'ES256') {
    if (cose.signature.length !== ecSignatureLength) return false;
    return cryptoVerify('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, cose.signature);
  }
  return cryptoVerify(
    'sha256',
    toBeSigned,
    { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
    cose.signature,
  );
}

/** The ES256 signature (raw r || s) of a protected header and payload: the issuer side. */
export function signEs256(protectedBytes: Uint8Array, payload: Uint8Array, key: KeyObject): Buffer {
  return cryptoSign('sha256', sigStructure(protectedBytes, payload), { key, dsaEncoding: 'ieee-p1363' });
}
