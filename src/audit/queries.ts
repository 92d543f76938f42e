// Read-only views of the log for the supervisor: the audit events, and hourly flow for the charts.

import type { Db } from '../base/db.js';
import type { AuditEventView, AuditKind, FlowHour } from '../contract/api-audit.js';
import { FINAL_DECISION_SQL } from '../store/final-decision.js';
import { MANUAL_OVERRIDE_SQL } from './search.js';

interface EventRow {
  id: number;
  seq: number;
  at_ms: number;
  kind: AuditKind;
  user_name: string | null;
  shift_id: number | null;
  passage_id: number | null;
  details: string;
}

export function toEventView(r: EventRow): AuditEventView {
  let details: Record<string, unknown> = {};
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unreadable: true };
  }
  return {
    id: r.id,
    seq: r.seq,
    at: new Date(r.at_ms).toISOString(),
    kind: r.kind,
    user: r.user_name,
    shiftId: r.shift_id,
    passageId: r.passage_id,
    details,
  };
}

export function listEvents(
  db: Db,
  q: {
    fromMs: number;
    toMs: number;
    kinds?: readonly AuditKind[] | undefined;
    beforeId: number;
    limit: number;
  },
): { events: AuditEventView[]; more: boolean } {
  const kinds = q.kinds && q.kinds.length > 0 ? q.kinds : null;
  const sql = `SELECT id, seq, at_ms, kind, user_name, shift_id, passage_id, details FROM audit_events
    WHERE at_ms >= ? AND at_ms < ? AND id < ? ${kinds ? `AND kind IN (${kinds.map(() => '?').join(',')})` : ''}
    ORDER BY id DESC LIMIT ?`;
  const rows = db.prepare(sql).all(q.fromMs, q.toMs, q.beforeId, ...(kinds ?? []), q.limit + 1) as EventRow[];
  return { events: rows.slice(0, q.limit).map(toEventView), more: rows.length > q.limit };
}

const HOUR = 3_600_000;
/** Vietnam time has no daylight saving: hours are aligned to UTC+7 hours, i.e. to UTC hours. */
const MAX_HOURS = 31 * 24;

function emptyDir() {
  return { allowed: 0, denied: 0, review: 0, overridden: 0 };
}

/**
 * Passages per hour and direction between fromMs and toMs (at most 31 days), every hour present
 * (zeros included) so a chart's axis is continuous. A passage counts under its decision as it stands now
 * (a health proof may have completed it); an overridden one also under `overridden`.
 */
export function hourlyFlow(db: Db, fromMs: number, toMs: number, shiftId?: number): FlowHour[] {
  const start = Math.floor(fromMs / HOUR) * HOUR;
  const end = Math.min(toMs, start + MAX_HOURS * HOUR);
  const byShift = shiftId !== undefined;
  const rows = db
    .prepare(
      `SELECT (p.at_ms / ${HOUR}) * ${HOUR} AS hour, p.direction, ${FINAL_DECISION_SQL('p')} AS decision,
        count(*) AS n,
        sum(EXISTS (SELECT 1 FROM audit_events e WHERE e.kind = 'override' AND e.passage_id = p.id)
          OR ${MANUAL_OVERRIDE_SQL}) AS overridden
       FROM passages p WHERE ${byShift ? 'p.shift_id IS NOT NULL AND p.shift_id = ? AND' : ''}
       p.at_ms >= ? AND p.at_ms < ? GROUP BY hour, p.direction, 3`,
    )
    .all(...(byShift ? [shiftId] : []), start, end) as {
    hour: number;
    direction: 'in' | 'out';
    decision: 'ALLOW' | 'DENY' | 'REVIEW';
    n: number;
    overridden: number;
  }[];
  const hours = new Map<number, FlowHour>();
  for (let h = start; h < end; h += HOUR) {
    hours.set(h, { hour: new Date(h).toISOString(), in: emptyDir(), out: emptyDir() });
  }
  for (const r of rows) {
    const slot = hours.get(r.hour);
    if (!slot) continue;
    const d = slot[r.direction];
    if (r.decision === 'ALLOW') d.allowed += r.n;
    else if (r.decision === 'DENY') d.denied += r.n;
    else d.review += r.n;
    d.overridden += r.overridden;
  }
  return [...hours.values()];
}
