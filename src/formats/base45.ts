// Base45 (RFC 9285), hand-written: no maintained base45 package is installed and the codec is small.
// Decoding is strict: any character outside the alphabet, a dangling single character or a value
// out of range is an error (the caller turns it into FORMAT_INVALID).
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {
  override name = 'Base45Error';
}

function digit(text: string, i: number): number {
  const code = text.charCodeAt(i);
  const v = code < 128 ? (VALUE[code] ?? -1) : -1;
  if (v < 0) throw new Base45Error(`character ${JSON.stringify(text[i])} at ${i} is not base45`);
  return v;
}

export function base45Decode(text: string): Buffer {
  const len = text.length;
  if (len % 3 === 1) throw new Base45Error('invalid base45 length');
  const out = Buffer.allocUnsafe(Math.floor(len / 3) * 2 + (len % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i + 3 <= len; i += 3) {
    const n = digit(text, i) + digit(text, i + 1) * 45 + digit(text, i + 2) * 2025;
    if (n > 0xffff) throw new Base45Error('base45 group out of range');
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (len % 3 === 2) {
    const n = digit(text, len - 2) + digit(text, len - 1) * 45;
    if (n > 0xff) throw new Base45Error('base45 group out of range');
    out[o++] = n;
  }
  return out;
}

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    out += ALPHABET.charAt(c) + ALPHABET.charAt(d) + ALPHABET.charAt((n - d) / 45);
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1] as number;
    out += ALPHABET.charAt(n % 45) + ALPHABET.charAt(Math.floor(n / 45));
  }
  return out;
}
