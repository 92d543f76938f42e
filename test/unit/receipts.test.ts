// Receipt arithmetic shared by the command centre and the kiosk: ranges held, the receipt they give,
// and what a receipt covers. Checked against a plain set of numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSeq,
  receiptCovers,
  receiptHighest,
  receiptOf,
  type SeqRange,
} from '../../src/contract/receipts.js';

function expand(ranges: readonly SeqRange[]): number[] {
  return ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
}

describe('receipts', () => {
  it('ranges stay sorted, disjoint and non-adjacent, and hold exactly the seqs added', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 80 }), (seqs) => {
        let ranges: SeqRange[] = [];
        for (const s of seqs) ranges = addSeq(ranges, s);
        expect(expand(ranges)).toEqual([...new Set(seqs)].sort((x, y) => x - y));
        for (let i = 1; i < ranges.length; i++) {
          expect((ranges[i] as SeqRange)[0]).toBeGreaterThan((ranges[i - 1] as SeqRange)[1] + 1);
        }
      }),
      { seed: 20211, numRuns: 500 },
    );
  });

  it('a seq that closes a gap merges the ranges on both sides', () => {
    expect(
      addSeq(
        [
          [1, 3],
          [5, 7],
        ],
        4,
      ),
    ).toEqual([[1, 7]]);
    expect(
      addSeq(
        [
          [1, 3],
          [6, 7],
        ],
        4,
      ),
    ).toEqual([
      [1, 4],
      [6, 7],
    ]);
    expect(addSeq([[3, 4]], 1)).toEqual([
      [1, 1],
      [3, 4],
    ]);
  });

  it('the receipt: up to the first gap, then at most 32 ranges', () => {
    expect(receiptOf([])).toEqual({ upTo: 0, also: [] });
    expect(receiptOf([[2, 5]])).toEqual({ upTo: 0, also: [[2, 5]] });
    expect(
      receiptOf([
        [1, 5],
        [7, 9],
      ]),
    ).toEqual({ upTo: 5, also: [[7, 9]] });
    const many: SeqRange[] = [
      [1, 1],
      ...Array.from({ length: 40 }, (_, i): SeqRange => [3 + 2 * i, 3 + 2 * i]),
    ];
    const r = receiptOf(many);
    expect(r.upTo).toBe(1);
    expect(r.also).toHaveLength(32);
    expect(receiptCovers(r, 1)).toBe(true);
    expect(receiptCovers(r, 2)).toBe(false);
    expect(receiptCovers(r, 3)).toBe(true);
    expect(receiptCovers(r, 3 + 2 * 39)).toBe(false);
    expect(receiptHighest(r)).toBe(3 + 2 * 31);
  });
});
