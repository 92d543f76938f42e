// A performance mark once the verdict on screen is painted: what the guard waits for, measured by the
// page itself (the bench reads it). Scheduled when React has put the verdict in the DOM, before the
// browser can paint it: the next frame's callback, then a task after that frame, which has painted.
import { useLayoutEffect } from 'react';
import type { Verdict } from '../../src/contract/api.js';
import {
  VERDICT_PAINTED,
  VERDICT_PAINTED_KEPT,
  type VerdictPaintedDetail,
} from '../../src/contract/paint-mark.js';
import { verdictKey } from './state.js';

type Marks = Pick<Performance, 'mark' | 'getEntriesByName' | 'clearMarks'>;

/** Records the mark, first clearing the kept ones when there are VERDICT_PAINTED_KEPT of them. */
export function markVerdictPainted(perf: Marks, detail: VerdictPaintedDetail): void {
  if (perf.getEntriesByName(VERDICT_PAINTED, 'mark').length >= VERDICT_PAINTED_KEPT) {
    perf.clearMarks(VERDICT_PAINTED);
  }
  perf.mark(VERDICT_PAINTED, { detail });
}

export function paintedDetail(verdict: Verdict, shownAt: number): VerdictPaintedDetail {
  return {
    scanId: verdictKey(verdict),
    passageId: verdict.passageId,
    cti: verdict.permit?.cti ?? null,
    kind: verdict.kind,
    decision: verdict.decision,
    shownAt,
  };
}

/** Marks each verdict shown (null: none shown) once it is painted; one replaced before that, never. */
export function usePaintedMark(verdict: Verdict | null): void {
  useLayoutEffect(() => {
    if (!verdict) return;
    const detail = paintedDetail(verdict, performance.now());
    // A message, not setTimeout: a task as soon as the frame is done, with no timer clamping.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      markVerdictPainted(performance, detail);
    };
    const frame = requestAnimationFrame(() => channel.port2.postMessage(null));
    return () => {
      cancelAnimationFrame(frame);
      channel.port1.close();
    };
  }, [verdict]);
}
