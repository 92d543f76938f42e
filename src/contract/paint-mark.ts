// The page's own record of when a verdict reached the guard's eyes: a User Timing mark made once the
// frame that shows the verdict is painted. The bench (serial bytes → painted) and the tests read it.
import type { Decision } from './reasons.js';

export const VERDICT_PAINTED = 'verdict-painted';

/** Marks the page keeps at most: a kiosk runs for weeks, so older marks are cleared. */
export const VERDICT_PAINTED_KEPT = 100;

export interface VerdictPaintedDetail {
  /** The verdict's identity on the screen (time, kind, passage, permit hash or preview). */
  scanId: string;
  /** The passage recorded (for a duplicate, the earlier one); null when the scan is no passage. */
  passageId: number | null;
  /** The permit's id, when the scan was a permit that could be read. */
  cti: string | null;
  kind: string;
  decision: Decision;
  /** performance.now() when the verdict was put in the page, before the frame that paints it. */
  shownAt: number;
}
