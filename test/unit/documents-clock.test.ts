import { describe, expect, it } from 'vitest';
import { CLOCK_TOLERANCE_MS, clockBehind, clockSkewMs } from '../../src/documents/clock.js';
import { judgeScan } from '../../src/lane/judge.js';
import { MemoryHistory } from '../fixtures/memory-history.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';

const issuer = makeIssuer();
const trust = makeTrust([{ issuer }]);
const cp = checkpoint({}, { duplicateWindowSeconds: 0 });

function judge(text: string, newestDocumentMs: number | null, now = T0) {
  return judgeScan(
    { text, now, direction: 'in' },
    { checkpoint: cp, trust, history: new MemoryHistory(), newestDocumentMs },
  );
}

describe('clock check', () => {
  it('flags a clock behind the newest document beyond the tolerance, not within it', () => {
    expect(clockBehind(T0, null)).toBe(false);
    expect(clockBehind(T0, T0 + CLOCK_TOLERANCE_MS)).toBe(false);
    expect(clockBehind(T0, T0 + CLOCK_TOLERANCE_MS + 1)).toBe(true);
    expect(clockBehind(T0, T0 - 86_400_000)).toBe(false);
  });

  it('reports a skew only when the clock is provably behind, in whole seconds', () => {
    expect(clockSkewMs(T0, null)).toBeNull();
    expect(clockSkewMs(T0, T0 - 3_600_000)).toBe(0);
    expect(Object.is(clockSkewMs(T0, T0 + 400), 0)).toBe(true);
    expect(clockSkewMs(T0, T0 + 90_400)).toBe(-90_000);
  });

  it('turns ALLOW into REVIEW with CLOCK_UNTRUSTED, keeps DENY, and leaves failed verification alone', () => {
    const ok = makePermit(issuer, { cti: 'C-1' });
    expect(judge(ok, T0 - 60_000)).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(judge(ok, T0 + 3_600_000)).toMatchObject({ decision: 'REVIEW', reasons: ['CLOCK_UNTRUSTED'] });
    const expired = makePermit(issuer, { cti: 'C-2', exp: T0 / 1000 - 60 });
    expect(judge(expired, T0 + 3_600_000)).toMatchObject({
      decision: 'DENY',
      reasons: ['EXPIRED', 'CLOCK_UNTRUSTED'],
    });
    const forged = makePermit(makeIssuer(), { cti: 'C-3' });
    expect(judge(forged, T0 + 3_600_000)).toMatchObject({ decision: 'DENY', reasons: ['UNKNOWN_ISSUER'] });
  });
});
