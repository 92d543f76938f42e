// The counts beside the verdict are the guard's shift's once shifts are in use: what this guard
// checked since they took over, not what the kiosk saw since midnight.
import type { Decision } from '../api/reasons.js';
import type { Db } from '../store/db.js';

export interface LaneCounts {
  allowed: number;
  denied: number;
  review: number;
}

/** Passages of one shift by decision (indexed by shift: passages_shift). */
export function shiftCounts(db: Db, shiftId: number): LaneCounts {
  const out: LaneCounts = { allowed: 0, denied: 0, review: 0 };
  const rows = db
    .prepare('SELECT decision, count(*) AS n FROM passages WHERE shift_id = ? GROUP BY decision')
    .all(shiftId) as { decision: Decision; n: number }[];
  for (const r of rows) {
    if (r.decision === 'ALLOW') out.allowed = r.n;
    else if (r.decision === 'DENY') out.denied = r.n;
    else out.review = r.n;
  }
  return out;
}
