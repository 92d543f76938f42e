// HC1 transport, exactly as the EU DCC specification layers it: `HC1:` prefix → base45 → zlib →
// COSE_Sign1 (tag 18, optionally inside the CWT tag 61, or untagged). Each step is exported on its
// own because the conformance suite checks them one by one. Every failure is a DccFormatError,
// which the verifier reports as FORMAT_INVALID.
import { inflateSync } from 'node:zlib';
import { base45Decode } from './base45.js';
import { CoseError, type CoseSign1, parseCoseSign1, TAG_COSE_SIGN1 } from './cose.js';
import { MAX_SCAN_CHARS, stripTrailingNewlines } from './vnp1.js';

export const HC1_PREFIX = 'HC1:';
/** Far above any certificate that fits a QR code (≈ 3 KB of data), small enough to stop zip bombs. */
export const MAX_HC1_INFLATED_BYTES = 65_536;

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

/** COSE_Sign1 (RFC 9052, src/formats/cose.ts) from its CBOR bytes; tags 61 (CWT) and 18 both optional. */
export function parseHc1Cose(bytes: Uint8Array): CoseSign1 {
  try {
    return parseCoseSign1(bytes, [TAG_CWT, TAG_COSE_SIGN1]);
  } catch (err) {
    if (err instanceof CoseError) throw new DccFormatError(err.step, err.detail);
    throw err;
  }
}

/** The whole transport: scanned text to COSE_Sign1. Throws DccFormatError. */
export function decodeHc1Transport(text: string): CoseSign1 {
  return parseHc1Cose(inflateHc1(base45DecodeHc1(unprefixHc1(text))));
}
