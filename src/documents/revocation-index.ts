// The revocation set at a million entries: SHA-256 hashes kept as 32-byte binary records, sorted, in
// 256 buckets by first byte (~125 KB each at 1e6). A lookup is a binary search in one bucket (~12
// comparisons); a delta rewrites only the buckets it touches, in memory and on disk. The whole set is
// ~32 MB outside the JS heap, where a Set of hex strings would take ~100 MB of heap.
import type { RevocationLookup } from '../policy/evaluate.js';
import { malformed } from './refusal.js';

export const HASH_BYTES = 32;
export const BUCKETS = 256;
const EMPTY = Buffer.alloc(0);

/** Yields to the event loop so that scans are served between slices of long work. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function compareAt(a: Buffer, ai: number, b: Buffer, bi: number): number {
  return a.compare(b, bi * HASH_BYTES, (bi + 1) * HASH_BYTES, ai * HASH_BYTES, (ai + 1) * HASH_BYTES);
}

/**
 * Validates a list of hex hashes and returns them packed, sorted and without duplicates. Upper-case hex
 * is accepted (the schema lower-cases it too). `field` names the list in a refusal.
 */
export function packHashes(list: unknown, field: string): Buffer {
  if (list === undefined) return EMPTY;
  if (!Array.isArray(list)) throw malformed(`"${field}" phải là một mảng`, `"${field}" must be an array`);
  const hexes = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (typeof h !== 'string' || h.length !== 64) {
      throw malformed(
        `${field}[${i}] không phải mã băm 64 chữ số hex`,
        `${field}[${i}] is not 64 hex digits`,
      );
    }
    hexes[i] = h.toLowerCase();
  }
  // Lower-case hex sorts as its bytes do; an already sorted list (the usual case) costs one pass.
  hexes.sort();
  const out = Buffer.allocUnsafe(hexes.length * HASH_BYTES);
  let n = 0;
  let prev = '';
  for (let i = 0; i < hexes.length; i++) {
    const h = hexes[i]!;
    if (h === prev) continue;
    // Buffer.write stops at the first character that is not hex: fewer than 32 bytes means garbage.
    if (out.write(h, n * HASH_BYTES, HASH_BYTES, 'hex') !== HASH_BYTES) {
      throw malformed(`${field} có phần tử không phải hex`, `${field} has an entry that is not hex`);
    }
    prev = h;
    n++;
  }
  return out.subarray(0, n * HASH_BYTES);
}

/** Records of `sorted` (packed, sorted) that are not in `remove` (packed, sorted). */
export function subtractSorted(sorted: Buffer, remove: Buffer): Buffer {
  if (remove.length === 0 || sorted.length === 0) return sorted;
  const out = Buffer.allocUnsafe(sorted.length);
  const n = sorted.length / HASH_BYTES;
  const m = remove.length / HASH_BYTES;
  let j = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    while (j < m && compareAt(remove, j, sorted, i) < 0) j++;
    if (j < m && compareAt(remove, j, sorted, i) === 0) continue;
    sorted.copy(out, k++ * HASH_BYTES, i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }
  return out.subarray(0, k * HASH_BYTES);
}

/** (old ∪ add) \ remove for sorted packed inputs; the result is sorted and unique. */
export function mergeSorted(old: Buffer, add: Buffer, remove: Buffer): Buffer {
  const out = Buffer.allocUnsafe(old.length + add.length);
  const n = old.length / HASH_BYTES;
  const a = add.length / HASH_BYTES;
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < n || j < a) {
    let src: Buffer;
    let at: number;
    if (j >= a) {
      src = old;
      at = i++;
    } else if (i >= n) {
      src = add;
      at = j++;
    } else {
      const c = compareAt(old, i, add, j);
      src = c <= 0 ? old : add;
      at = c <= 0 ? i++ : j++;
      if (c === 0) j++;
    }
    src.copy(out, k++ * HASH_BYTES, at * HASH_BYTES, (at + 1) * HASH_BYTES);
  }
  return subtractSorted(out.subarray(0, k * HASH_BYTES), remove);
}

/** Splits a sorted packed list into views per first byte. */
export function splitBuckets(sorted: Buffer): Buffer[] {
  const buckets = new Array<Buffer>(BUCKETS);
  const n = sorted.length / HASH_BYTES;
  let start = 0;
  for (let b = 0; b < BUCKETS; b++) {
    let end = start;
    while (end < n && sorted[end * HASH_BYTES] === b) end++;
    buckets[b] = sorted.subarray(start * HASH_BYTES, end * HASH_BYTES);
    start = end;
  }
  return buckets;
}

export class RevocationIndex implements RevocationLookup {
  readonly size: number;

  private constructor(private readonly buckets: readonly Buffer[]) {
    let bytes = 0;
    for (const b of buckets) bytes += b.length;
    this.size = bytes / HASH_BYTES;
  }

  static empty(): RevocationIndex {
    return new RevocationIndex(new Array<Buffer>(BUCKETS).fill(EMPTY));
  }

  /** From one sorted, duplicate-free packed list (what packHashes returns). */
  static fromSorted(sorted: Buffer): RevocationIndex {
    return new RevocationIndex(splitBuckets(sorted));
  }

  /**
   * From stored buckets. Checks what is cheap to check (sizes, and that each bucket's first and last
   * records belong to it); returns null when they do not fit, so that a damaged store is not trusted.
   */
  static fromBuckets(buckets: readonly Buffer[]): RevocationIndex | null {
    if (buckets.length !== BUCKETS) return null;
    for (let b = 0; b < BUCKETS; b++) {
      const data = buckets[b]!;
      if (data.length % HASH_BYTES !== 0) return null;
      if (data.length > 0 && (data[0] !== b || data[data.length - HASH_BYTES] !== b)) return null;
    }
    return new RevocationIndex(buckets);
  }

  bucket(b: number): Buffer {
    return this.buckets[b] ?? EMPTY;
  }

  has(hash: string): boolean {
    if (hash.length !== 64) return false;
    const key = Buffer.from(hash, 'hex');
    return key.length === HASH_BYTES && this.hasBytes(key);
  }

  hasBytes(key: Buffer): boolean {
    const data = this.buckets[key[0]!]!;
    let lo = 0;
    let hi = data.length / HASH_BYTES - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = key.compare(data, mid * HASH_BYTES, (mid + 1) * HASH_BYTES);
      if (c === 0) return true;
      if (c < 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return false;
  }

  /**
   * A new index with a delta applied (both lists sorted and packed); this one is left as it is, so
   * scans keep using it until the caller swaps. Untouched buckets are shared. Yields between buckets.
   */
  async withDelta(add: Buffer, remove: Buffer): Promise<{ index: RevocationIndex; touched: number[] }> {
    const addBuckets = splitBuckets(add);
    const removeBuckets = splitBuckets(remove);
    const next = [...this.buckets];
    const touched: number[] = [];
    let work = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const ab = addBuckets[b]!;
      const rb = removeBuckets[b]!;
      if (ab.length === 0 && rb.length === 0) continue;
      const merged = mergeSorted(this.buckets[b]!, ab, rb);
      if (!merged.equals(this.buckets[b]!)) {
        // A copy, so that the new bucket does not keep a large merge buffer alive.
        next[b] = Buffer.from(merged);
        touched.push(b);
      }
      work += this.buckets[b]!.length + ab.length;
      if (work > 1 << 20) {
        work = 0;
        await yieldToLoop();
      }
    }
    return { index: new RevocationIndex(next), touched };
  }
}
