// The page's "verdict painted" mark: what it carries to match a scan, and that a kiosk running for weeks
// keeps a bounded number of them (Node's own User Timing stands in for the browser's).
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { markVerdictPainted, paintedDetail } from '../../renderer/src/painted-mark.js';
import { verdictKey } from '../../renderer/src/state.js';
import { VERDICT_PAINTED, VERDICT_PAINTED_KEPT } from '../../src/contract/paint-mark.js';
import { makeVerdict } from '../integration/host-fixture.js';

const marks = () => performance.getEntriesByName(VERDICT_PAINTED, 'mark') as PerformanceMark[];

afterEach(() => performance.clearMarks(VERDICT_PAINTED));

describe('the verdict-painted mark', () => {
  it("carries the verdict's screen identity, passage, permit id, kind and decision", () => {
    const v = makeVerdict('ALLOW', [], { passageId: 42 });
    markVerdictPainted(performance, paintedDetail(v, 12.5));
    expect(marks().map((m) => m.detail)).toEqual([
      {
        scanId: verdictKey(v),
        passageId: 42,
        cti: v.permit?.cti,
        kind: 'passage',
        decision: 'ALLOW',
        shownAt: 12.5,
      },
    ]);
  });

  it('an unreadable scan has no passage and no permit id', () => {
    const v = makeVerdict('DENY', ['FORMAT_INVALID'], { kind: 'unreadable', passageId: null, permit: null });
    expect(paintedDetail(v, 0)).toMatchObject({ passageId: null, cti: null, kind: 'unreadable' });
  });

  it('keeps at most VERDICT_PAINTED_KEPT marks, the newest among them', () => {
    const n = VERDICT_PAINTED_KEPT * 3 + 7;
    for (let i = 0; i < n; i++) {
      markVerdictPainted(performance, paintedDetail(makeVerdict('ALLOW', [], { passageId: i }), i));
      expect(marks().length).toBeLessThanOrEqual(VERDICT_PAINTED_KEPT);
    }
    expect(marks().at(-1)?.detail.passageId).toBe(n - 1);
    // Other marks of the page are left alone.
    performance.mark('other');
    markVerdictPainted(performance, paintedDetail(makeVerdict('ALLOW', []), 0));
    expect(performance.getEntriesByName('other')).toHaveLength(1);
    performance.clearMarks('other');
  });
});
