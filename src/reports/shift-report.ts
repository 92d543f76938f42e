// What a shift report says, gathered from the log in a few indexed queries: counts by hour, direction,
// vehicle type and reason, the denials and the overrides with their reasons, and the shift's stretch
// of the hash chain re-verified. Rendering is apart (pdf.ts) so the numbers are testable alone.

import { hourlyFlow } from '../audit/queries.js';
import { OVERRIDDEN_SQL, PASSAGE_COLUMNS, type PassageQueryRow, toAuditPassage } from '../audit/search.js';
import type { Db } from '../base/db.js';
import type { AuditPassage, FlowHour, ShiftView, VerifyResult } from '../contract/api-audit.js';
import type { ReasonCode } from '../contract/reasons.js';
import { verifyLog } from '../store/chain-log.js';
import { FINAL_DECISION_SQL, FINAL_REASONS_SQL } from '../store/final-decision.js';

export const MAX_LISTED = 300;

export interface DirectionTotals {
  allowed: number;
  denied: number;
  review: number;
  overridden: number;
}

export interface ShiftReportData {
  checkpoint: {
    id: string;
    name: string | null;
    district: string;
    districtName: string | null;
    areaName: string | null;
  };
  shift: ShiftView;
  generatedAtMs: number;
  byHour: FlowHour[];
  byDirection: { in: DirectionTotals; out: DirectionTotals };
  /** Persons checked (passengers included), and scans that yielded no permit (not passages). */
  people: number;
  unreadable: number;
  byVehicle: { type: string; n: number }[];
  byReason: { reason: ReasonCode; n: number }[];
  denials: AuditPassage[];
  denialsTotal: number;
  overrides: AuditPassage[];
  /** The shift's stretch of the chain, from its opening to its close (or to now while open). */
  chain: VerifyResult & { fromSeq: number; toSeq: number | null };
}

export async function gatherShiftReport(
  db: Db,
  shift: ShiftView,
  checkpoint: ShiftReportData['checkpoint'],
  nowMs: number,
): Promise<ShiftReportData> {
  const id = shift.id;
  const from = Date.parse(shift.openedAt);
  const to = shift.closedAt ? Date.parse(shift.closedAt) + 1 : nowMs + 1;
  const byHour = hourlyFlow(db, from, Math.max(to, from + 1), id);
  const byDirection = {
    in: { allowed: 0, denied: 0, review: 0, overridden: 0 },
    out: { allowed: 0, denied: 0, review: 0, overridden: 0 },
  };
  for (const h of byHour) {
    for (const dir of ['in', 'out'] as const) {
      const d = byDirection[dir];
      d.allowed += h[dir].allowed;
      d.denied += h[dir].denied;
      d.review += h[dir].review;
      d.overridden += h[dir].overridden;
    }
  }
  const people = (
    db
      .prepare(
        'SELECT COALESCE(sum(people), 0) AS n FROM passages WHERE shift_id IS NOT NULL AND shift_id = ?',
      )
      .get(id) as {
      n: number;
    }
  ).n;
  const unreadable = (
    db
      .prepare(
        `SELECT count(*) AS n FROM audit_events WHERE kind = 'unreadable' AND shift_id IS NOT NULL AND shift_id = ?`,
      )
      .get(id) as { n: number }
  ).n;
  const byVehicle = db
    .prepare(`SELECT COALESCE(vehicle_type, 'none') AS type, count(*) AS n FROM passages
      WHERE shift_id IS NOT NULL AND shift_id = ? GROUP BY type ORDER BY n DESC`)
    .all(id) as { type: string; n: number }[];
  // From the shift's own rows (its index), not from the reasons table of the whole log.
  const byReason = db
    .prepare(`SELECT j.value AS reason, count(*) AS n FROM passages p, json_each(${FINAL_REASONS_SQL('p')}) j
      WHERE p.shift_id IS NOT NULL AND p.shift_id = ? AND ${FINAL_DECISION_SQL('p')} <> 'ALLOW'
      GROUP BY j.value ORDER BY n DESC`)
    .all(id) as { reason: ReasonCode; n: number }[];
  const rowsOf = (where: string, limit: number) =>
    (
      db
        .prepare(`SELECT ${PASSAGE_COLUMNS} FROM passages p LEFT JOIN users u ON u.id = p.user_id
          WHERE p.shift_id IS NOT NULL AND p.shift_id = ? AND ${where} ORDER BY p.at_ms, p.id LIMIT ?`)
        .all(id, limit) as PassageQueryRow[]
    ).map(toAuditPassage);
  const denials = rowsOf(`p.decision = 'DENY'`, MAX_LISTED);
  const denialsTotal = byDirection.in.denied + byDirection.out.denied;
  const overrides = rowsOf(OVERRIDDEN_SQL, MAX_LISTED);
  const openSeq =
    (
      db
        .prepare(
          `SELECT seq FROM audit_events WHERE kind = 'shift_open' AND shift_id = ? ORDER BY seq LIMIT 1`,
        )
        .get(id) as { seq: number } | undefined
    )?.seq ?? 1;
  const toSeq =
    shift.closedAt === null
      ? null
      : ((db.prepare('SELECT close_seq FROM shifts WHERE id = ?').get(id) as { close_seq: number | null })
          .close_seq ?? null);
  // In slices: a shift of thousands of rows must not hold up the scans while it is checked.
  const checked = await verifyLog(db, {
    fromSeq: openSeq - 1,
    ...(toSeq !== null ? { toSeq } : {}),
    sliceRows: 2000,
  });
  const chain = { ...checked, fromSeq: openSeq, toSeq };
  return {
    checkpoint,
    shift,
    generatedAtMs: nowMs,
    byHour,
    byDirection,
    people,
    unreadable,
    byVehicle,
    byReason,
    denials,
    denialsTotal,
    overrides,
    chain,
  };
}
