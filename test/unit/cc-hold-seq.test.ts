// The ranges a PostgreSQL batch merges in memory before writing them back: the same closed, disjoint,
// non-touching ranges as the SQLite ledger keeps row by row.
import { describe, expect, it } from 'vitest';
import { holdSeq } from '../../command-centre/server/store-pg-commit.js';

describe('holdSeq', () => {
  it('adds, extends, joins and refuses what is held', () => {
    const r: [number, number][] = [];
    expect(holdSeq(r, 5)).toBe(true);
    expect(r).toEqual([[5, 5]]);
    expect(holdSeq(r, 5)).toBe(false);
    expect(holdSeq(r, 1)).toBe(true);
    expect(holdSeq(r, 2)).toBe(true);
    expect(holdSeq(r, 6)).toBe(true);
    expect(r).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(holdSeq(r, 4)).toBe(true);
    expect(r).toEqual([
      [1, 2],
      [4, 6],
    ]);
    expect(holdSeq(r, 3)).toBe(true);
    expect(r).toEqual([[1, 6]]);
    expect(holdSeq(r, 9)).toBe(true);
    expect(holdSeq(r, 7)).toBe(true);
    expect(r).toEqual([
      [1, 7],
      [9, 9],
    ]);
    for (const seq of [1, 4, 7, 9]) expect(holdSeq(r, seq)).toBe(false);
  });

  it('holds every seq once, in any order', () => {
    const r: [number, number][] = [];
    const order = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 500) + 1);
    expect(order.filter((s) => holdSeq(r, s))).toHaveLength(500);
    expect(r).toEqual([[1, 500]]);
    expect(order.some((s) => holdSeq(r, s))).toBe(false);
  });
});
