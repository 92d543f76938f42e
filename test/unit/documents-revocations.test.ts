import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import {
  BUCKETS,
  bucketOf,
  HASH_BYTES,
  mergeSorted,
  packHashes,
  RevocationIndex,
  splitBuckets,
  subtractSorted,
} from '../../src/documents/revocation-index.js';

const hexOf = (s: string) => createHash('sha256').update(s).digest('hex');
const many = (n: number, tag = 'p') => Array.from({ length: n }, (_, i) => hexOf(`${tag}/${i}`));
const packed = (list: string[]) => packHashes(list, 'add');
const asHex = (b: Buffer) =>
  Array.from({ length: b.length / HASH_BYTES }, (_, i) =>
    b.toString('hex', i * HASH_BYTES, (i + 1) * HASH_BYTES),
  );

describe('packHashes', () => {
  it('sorts, removes duplicates and accepts upper case', () => {
    const list = many(50);
    const input = [...list].reverse().concat(list[3]!.toUpperCase(), list[7]!);
    expect(asHex(packed(input))).toEqual([...list].sort());
  });

  it('refuses anything that is not 64 hex digits, naming the entry', () => {
    const good = hexOf('x');
    for (const bad of [`${good.slice(0, 62)}zz`, `${good.slice(0, 63)}`, ` ${good.slice(1)}`, 42, null]) {
      let err: unknown;
      try {
        packHashes([good, bad], 'remove');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KioskError);
      expect((err as KioskError).code).toBe('MALFORMED');
      expect((err as KioskError).en).toMatch(/remove/);
    }
    expect(() => packHashes('nope', 'add')).toThrow(/array/);
    expect(packHashes(undefined, 'add').length).toBe(0);
  });
});

describe('sorted merges', () => {
  it('subtract and merge agree with a Set', () => {
    const a = many(400, 'a');
    const b = many(300, 'b');
    const rm = [...a.slice(0, 50), ...b.slice(100, 120), hexOf('never-there')];
    const merged = mergeSorted(packed(a), packed([...b, ...a.slice(10, 20)]), packed(rm));
    const expected = new Set([...a, ...b]);
    for (const h of rm) expected.delete(h);
    expect(asHex(merged)).toEqual([...expected].sort());
    expect(asHex(subtractSorted(packed(a), packed(rm)))).toEqual(a.filter((h) => !rm.includes(h)).sort());
  });

  it('splits by the first 12 bits', () => {
    const list = many(20_000);
    const buckets = splitBuckets(packed(list));
    expect(buckets).toHaveLength(BUCKETS);
    expect(BUCKETS).toBe(4096);
    buckets.forEach((b, i) => {
      for (let j = 0; j < b.length; j += HASH_BYTES) expect(bucketOf(b, j)).toBe(i);
    });
    expect(buckets.reduce((n, b) => n + b.length / HASH_BYTES, 0)).toBe(list.length);
    expect(bucketOf(Buffer.from('abcd', 'hex'), 0)).toBe(0xabc);
  });
});

describe('RevocationIndex', () => {
  it('finds exactly the listed hashes', () => {
    const list = many(5000);
    const index = RevocationIndex.fromSorted(packed(list));
    expect(index.size).toBe(5000);
    for (const h of list) expect(index.has(h)).toBe(true);
    for (const h of many(2000, 'other')) expect(index.has(h)).toBe(false);
    expect(index.has('')).toBe(false);
    expect(index.has('zz'.repeat(32))).toBe(false);
    expect(RevocationIndex.empty().has(list[0]!)).toBe(false);
    // The extremes of the key space.
    const edge = RevocationIndex.fromSorted(packed(['00'.repeat(32), 'ff'.repeat(32)]));
    expect([edge.has('00'.repeat(32)), edge.has('ff'.repeat(32)), edge.has(`${'00'.repeat(31)}01`)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('a delta makes a new index, shares untouched buckets and leaves the old one as it was', async () => {
    const list = many(3000);
    const old = RevocationIndex.fromSorted(packed(list));
    const add = [hexOf('new-1'), hexOf('new-2')];
    const { index, touched } = await old.withDelta(packed(add), packed([list[0]!]));
    expect(index.has(add[0]!)).toBe(true);
    expect(index.has(list[0]!)).toBe(false);
    expect(old.has(list[0]!)).toBe(true);
    expect(old.has(add[0]!)).toBe(false);
    expect(index.size).toBe(3001);
    const expectedTouched = [...new Set([...add, list[0]!].map((h) => Number.parseInt(h.slice(0, 3), 16)))];
    expect(touched.sort((a, b) => a - b)).toEqual(expectedTouched.sort((a, b) => a - b));
    const untouched = [...Array(BUCKETS).keys()].find((b) => !touched.includes(b))!;
    expect(index.bucket(untouched)).toBe(old.bucket(untouched));
  });

  it('fromBuckets refuses buckets that do not fit', () => {
    const good = splitBuckets(packed(many(600)));
    expect(RevocationIndex.fromBuckets(good)?.size).toBe(600);
    expect(RevocationIndex.fromBuckets(good.slice(1))).toBeNull();
    const odd = [...good];
    odd[5] = Buffer.concat([good[5]!, Buffer.from([5])]);
    expect(RevocationIndex.fromBuckets(odd)).toBeNull();
    const full = good.findIndex((b) => b.length > 0);
    const misplaced = [...good];
    misplaced[full + 1] = good[full]!;
    expect(RevocationIndex.fromBuckets(misplaced)).toBeNull();
  });

  it('random binary keys: lookups agree with a Set of 50,000', () => {
    const raw = randomBytes(50_000 * HASH_BYTES);
    const list = asHex(raw);
    const index = RevocationIndex.fromSorted(packed(list));
    const set = new Set(list);
    const probes = [...list.slice(0, 1000), ...asHex(randomBytes(1000 * HASH_BYTES))];
    for (const p of probes) expect(index.has(p)).toBe(set.has(p));
  });
});
