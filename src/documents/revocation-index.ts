// The revocation set at a million entries: SHA-256 hashes kept as 32-byte binary records, sorted, in
// 4096 buckets by their first 12 bits (~8 KB each at 1e6). A lookup is a binary search in one bucket
// (~8 comparisons); a delta rewrites only the buckets it touches, in memory and on disk (a delta of 100
// entries rewrites ~0.8 MB, not the whole list). The set is ~32 MB outside the JS heap, where a Set of
// hex strings would take ~100 MB of heap.

import { malformed } from './refusal.js';
import type { RevocationLookup } from './types.js';

export const HASH_BYTES = 32;
export const BUCKET_BITS = 12;
export const BUCKETS = 1 << BUCKET_BITS;
const EMPTY = Buffer.alloc(0);

/** Yields to the event loop so that scans are served between slices of long work. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The bucket of the record starting at byte `offset`: its first 12 bits. */
export function bucketOf(data: Buffer, offset: number): number {
  return (data[offset]! << 4) | (data[offset + 1]! >> 4);
}

/** Sign of record a[ai] minus record b[bi]. */
function compareAt(a: Buffer, ai: number, b: Buffer, bi: number): number {
  return a.compare(b, bi * HASH_BYTES, (bi + 1) * HASH_BYTES, ai * HASH_BYTES, (ai + 1) * HASH_BYTES);
}

/** The first record of data[from..n) not below key[ki]; galloping, so runs of nearby keys are cheap. */
function lowerBound(data: Buffer, n: number, from: number, key: Buffer, ki: number): number {
  let below = from - 1;
  let probe = from;
  let step = 1;
  while (probe < n && compareAt(data, probe, key, ki) < 0) {
    below = probe;
    step *= 2;
    probe = from + step - 1;
  }
  let lo = below + 1;
  let hi = Math.min(probe, n);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareAt(data, mid, key, ki) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  return remove.length === 0 || sorted.length === 0 ? sorted : mergeSorted(sorted, EMPTY, remove);
}

/**
 * (old ∪ add) \ remove for sorted, duplicate-free packed inputs; the result is sorted and unique. The
 * runs of `old` between changes are copied whole, so a small delta on a large bucket costs little.
 */
export function mergeSorted(old: Buffer, add: Buffer, remove: Buffer): Buffer {
  const out = Buffer.allocUnsafe(old.length + add.length);
  const n = old.length / HASH_BYTES;
  const a = add.length / HASH_BYTES;
  const r = remove.length / HASH_BYTES;
  let pos = 0;
  let k = 0;
  let i = 0;
  let j = 0;
  while (i < a || j < r) {
    // The next change in key order; a hash both added and removed ends removed.
    let src: Buffer;
    let at: number;
    let isAdd: boolean;
    const c = i >= a ? 1 : j >= r ? -1 : compareAt(add, i, remove, j);
    if (c < 0) {
      src = add;
      at = i++;
      isAdd = true;
    } else {
      if (c === 0) i++;
      src = remove;
      at = j++;
      isAdd = false;
    }
    const to = lowerBound(old, n, pos, src, at);
    k += old.copy(out, k, pos * HASH_BYTES, to * HASH_BYTES);
    pos = to;
    if (pos < n && compareAt(old, pos, src, at) === 0) pos++;
    if (isAdd) k += src.copy(out, k, at * HASH_BYTES, (at + 1) * HASH_BYTES);
  }
  k += old.copy(out, k, pos * HASH_BYTES, n * HASH_BYTES);
  return out.subarray(0, k);
}

/** Splits a sorted packed list into views per bucket. */
export function splitBuckets(sorted: Buffer): Buffer[] {
  const buckets = new Array<Buffer>(BUCKETS);
  const n = sorted.length / HASH_BYTES;
  let start = 0;
  for (let b = 0; b < BUCKETS; b++) {
    let end = start;
    while (end < n && bucketOf(sorted, end * HASH_BYTES) === b) end++;
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
      if (data.length > 0 && (bucketOf(data, 0) !== b || bucketOf(data, data.length - HASH_BYTES) !== b)) {
        return null;
      }
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
    const data = this.buckets[bucketOf(key, 0)]!;
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
