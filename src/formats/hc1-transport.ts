// HC1 transport, exactly as the EU DCC specification layers it: `HC1:` prefix → base45 → zlib →
// COSE_Sign1 (tag 18, optionally inside the CWT tag 61, or untagged). Each step is exported on its
// own because the conformance suite checks them one by one. Every failure is a DccFormatError,
// which the verifier reports as FORMAT_INVALID.
import { inflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { base45Decode } from './base45.js';
import { cborDecode, isBytes } from './cbor.js';
import { MAX_SCAN_CHARS, stripTrailingNewlines } from './vnp1.js';

export const HC1_PREFIX = 'HC1:';
/** Far above any certificate that fits a QR code (≈ 3 KB of data), small enough to stop zip bombs. */
export const MAX_HC1_INFLATED_BYTES = 65_536;

const TAG_COSE_SIGN1 = 18;
const TAG_CWT = 61;

export type Hc1Step = 'prefix' | 'base45' | 'zlib' | 'cbor' | 'cose';

export class DccFormatError extends Error {
  override name = 'DccFormatError';
  constructor(
    readonly step: Hc1Step,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

export interface CoseSign1 {
  /** The protected header exactly as signed (a bstr holding a CBOR map, possibly empty). */
  protectedBytes: Buffer;
  protectedHeader: Map<unknown, unknown>;
  unprotected: Map<unknown, unknown>;
  payload: Buffer;
  signature: Buffer;
}

/** Whether a scan claims to be an HC1 certificate (the kiosk's prefix dispatch). */
export function isHc1(text: string): boolean {
  return text.startsWith(HC1_PREFIX);
}

/** The base45 body of an HC1 text; trailing CR/LF (scanner suffixes) are not part of it. */
export function unprefixHc1(text: string): string {
  if (text.length > MAX_SCAN_CHARS) throw new DccFormatError('prefix', 'scan too long');
  const trimmed = stripTrailingNewlines(text);
  if (!trimmed.startsWith(HC1_PREFIX)) throw new DccFormatError('prefix', 'missing HC1: prefix');
  return trimmed.slice(HC1_PREFIX.length);
}

export function base45DecodeHc1(body: string): Buffer {
  try {
    return base45Decode(body);
  } catch (err) {
    throw new DccFormatError('base45', (err as Error).message);
  }
}

/**
 * zlib (RFC 1950) is required: the suite's Z2 case (an uncompressed COSE) expects decompression to
 * fail, and accepting both would give two encodings of one certificate.
 */
export function inflateHc1(compressed: Uint8Array): Buffer {
  try {
    return inflateSync(compressed, { maxOutputLength: MAX_HC1_INFLATED_BYTES });
  } catch (err) {
    throw new DccFormatError('zlib', (err as Error).message);
  }
}

/** COSE_Sign1 (RFC 9052) from its CBOR bytes; tags 61 (CWT) and 18 are both optional. */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let item: unknown;
  try {
    item = cborDecode(bytes);
  } catch (err) {
    throw new DccFormatError('cbor', (err as Error).message);
  }
  if (item instanceof Tag && item.tag === TAG_CWT) item = item.value;
  if (item instanceof Tag && item.tag === TAG_COSE_SIGN1) item = item.value;
  if (item instanceof Tag) throw new DccFormatError('cose', `unexpected CBOR tag ${item.tag}`);
  if (!Array.isArray(item) || item.length !== 4)
    throw new DccFormatError('cose', 'not a COSE_Sign1 array of 4');
  const [protectedBytes, unprotected, payload, signature] = item as unknown[];
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map) || !isBytes(payload) || !isBytes(signature)) {
    throw new DccFormatError('cose', 'COSE_Sign1 members have wrong types');
  }
  let protectedHeader: unknown = new Map();
  if (protectedBytes.length > 0) {
    try {
      protectedHeader = cborDecode(protectedBytes);
    } catch {
      throw new DccFormatError('cose', 'protected header is not CBOR');
    }
  }
  if (!(protectedHeader instanceof Map)) throw new DccFormatError('cose', 'protected header is not a map');
  return {
    protectedBytes: Buffer.from(protectedBytes),
    protectedHeader,
    unprotected,
    payload: Buffer.from(payload),
    signature: Buffer.from(signature),
  };
}

/** The whole transport: scanned text to COSE_Sign1. Throws DccFormatError. */
export function decodeHc1Transport(text: string): CoseSign1 {
  return parseCoseSign1(inflateHc1(base45DecodeHc1(unprefixHc1(text))));
}
