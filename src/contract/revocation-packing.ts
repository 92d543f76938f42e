// Packed revocation lists (spec/permit-format.md §2, `addPacked` / `removePacked`): standard base64 of
// the 32-byte hashes concatenated in ascending byte order. A million entries are one 43 MB string, not a
// million JSON strings, so a kiosk can read one without a JS object per entry.

export const PACKED_HASH_BYTES = 32;

/** What is wrong with a packed list, in both languages. */
export interface PackedProblem {
  vi: string;
  en: string;
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function table(alphabet: string): Int8Array {
  const t = new Int8Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STD_TABLE = table(STD);
const URL_TABLE = table(URL_SAFE);

/**
 * Strict base64 decoding of src[start..end) (bytes, so that a 43 MB list never becomes a JS string):
 * every character in the alphabet; standard base64 needs `=` padding to a multiple of 4, base64url has
 * none. Node's own decoder skips characters it does not know, which would let garbage through.
 */
export function decodeBase64Strict(
  src: Uint8Array,
  start: number,
  end: number,
  urlSafe: boolean,
): Buffer | null {
  let stop = end;
  if (!urlSafe) {
    if ((end - start) % 4 !== 0) return null;
    if (stop > start && src[stop - 1] === 0x3d) stop--;
    if (stop > start && src[stop - 1] === 0x3d) stop--;
  }
  const chars = stop - start;
  if (chars % 4 === 1) return null;
  const t = urlSafe ? URL_TABLE : STD_TABLE;
  const out = Buffer.allocUnsafe(Math.floor((chars * 3) / 4));
  let o = 0;
  let i = start;
  const whole = start + chars - (chars % 4);
  for (; i < whole; i += 4) {
    const a = t[src[i]!]!;
    const b = t[src[i + 1]!]!;
    const c = t[src[i + 2]!]!;
    const d = t[src[i + 3]!]!;
    if ((a | b | c | d) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const rest = stop - i;
  if (rest >= 2) {
    const a = t[src[i]!]!;
    const b = t[src[i + 1]!]!;
    const c = rest === 3 ? t[src[i + 2]!]! : 0;
    if ((a | b | c) < 0) return null;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >> 16;
    if (rest === 3) out[o++] = (v >> 8) & 0xff;
  }
  return out.subarray(0, o);
}

/**
 * A packed list as its 32-byte records, checked: whole records, strictly ascending (so also without
 * duplicates). `field` names the list in the problem.
 */
export function unpackChecked(
  src: Uint8Array,
  start: number,
  end: number,
  field: string,
): Buffer | PackedProblem {
  const bytes = decodeBase64Strict(src, start, end, false);
  if (!bytes) {
    return { vi: `${field} không phải base64 chuẩn`, en: `${field} is not standard base64` };
  }
  if (bytes.length % PACKED_HASH_BYTES !== 0) {
    return {
      vi: `${field} không gồm trọn các mã băm 32 byte`,
      en: `${field} is not whole 32-byte hashes`,
    };
  }
  for (let at = PACKED_HASH_BYTES; at < bytes.length; at += PACKED_HASH_BYTES) {
    if (bytes.compare(bytes, at - PACKED_HASH_BYTES, at, at, at + PACKED_HASH_BYTES) <= 0) {
      const i = at / PACKED_HASH_BYTES;
      return {
        vi: `${field}: mã băm thứ ${i} không lớn hơn mã trước nó (phải tăng dần)`,
        en: `${field}: hash ${i} is not above the one before it (must be ascending)`,
      };
    }
  }
  return bytes;
}

/** Lower-case hex hashes, packed as a list carries them: sorted, without duplicates, base64. */
export function packHexHashes(hexes: Iterable<string>): string {
  const sorted = [...new Set(Array.from(hexes, (h) => h.toLowerCase()))].sort();
  const out = Buffer.allocUnsafe(sorted.length * PACKED_HASH_BYTES);
  for (let i = 0; i < sorted.length; i++)
    out.write(sorted[i]!, i * PACKED_HASH_BYTES, PACKED_HASH_BYTES, 'hex');
  return out.toString('base64');
}

/** A packed list back as lower-case hex hashes (the command centre's and tools' side). */
export function unpackToHex(packed: string, field: string): string[] | PackedProblem {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(packed)) {
    return { vi: `${field} không phải base64 chuẩn`, en: `${field} is not standard base64` };
  }
  const bytes = unpackChecked(Buffer.from(packed, 'latin1'), 0, packed.length, field);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const out = new Array<string>(bytes.length / PACKED_HASH_BYTES);
  for (let i = 0; i < out.length; i++) {
    out[i] = bytes.toString('hex', i * PACKED_HASH_BYTES, (i + 1) * PACKED_HASH_BYTES);
  }
  return out;
}
