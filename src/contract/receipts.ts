// Receipt arithmetic (spec/mqtt.md "Receipts"), once for both ends: the command centre keeps, per kiosk
// instance, the seq ranges its database holds and derives each receipt from them; the kiosk checks a
// receipt against what it ever sent and deletes only the rows it covers. Pure; no Node imports.
import { MAX_RECEIPT_RANGES } from './mqtt.js';

/** A closed range of seq, low to high. */
export type SeqRange = readonly [number, number];

/** Adds one seq to sorted, disjoint, non-adjacent ranges (a new array; the input is not changed). */
export function addSeq(ranges: readonly SeqRange[], seq: number): SeqRange[] {
  return addRange(ranges, [seq, seq]);
}

/** Adds a closed range, merging whatever it overlaps or touches. */
export function addRange(ranges: readonly SeqRange[], [lo, hi]: SeqRange): SeqRange[] {
  const out: SeqRange[] = [];
  let a = lo;
  let b = hi;
  let placed = false;
  for (const r of ranges) {
    if (r[1] + 1 < a) out.push(r);
    else if (b + 1 < r[0]) {
      if (!placed) out.push([a, b]);
      placed = true;
      out.push(r);
    } else {
      a = Math.min(a, r[0]);
      b = Math.max(b, r[1]);
    }
  }
  if (!placed) out.push([a, b]);
  return out;
}

/** The receipt the ranges give: everything from 1 up to the first gap, and up to 32 ranges beyond it. */
export function receiptOf(ranges: readonly SeqRange[]): { upTo: number; also: [number, number][] } {
  const first = ranges[0];
  const upTo = first && first[0] <= 1 ? first[1] : 0;
  const rest = upTo > 0 ? ranges.slice(1) : ranges;
  return { upTo, also: rest.slice(0, MAX_RECEIPT_RANGES).map(([a, b]) => [a, b]) };
}

/** Whether a receipt says the command centre holds this seq. */
export function receiptCovers(
  r: { upTo: number; also: readonly (readonly [number, number])[] },
  seq: number,
): boolean {
  return seq <= r.upTo || r.also.some(([a, b]) => seq >= a && seq <= b);
}

/** The highest seq a receipt claims to hold: a receipt beyond what the kiosk ever sent is forged or stale. */
export function receiptHighest(r: { upTo: number; also: readonly (readonly [number, number])[] }): number {
  return Math.max(r.upTo, ...r.also.map(([, b]) => b));
}
