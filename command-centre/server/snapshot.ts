// What the dashboard and the totals API read from the ledger: every kiosk instance under its checkpoint,
// with its receipt as the database holds it; checkpoint and district counts are the sums of their kiosks.
import { areaName } from '../../src/contract/areas.js';
import { receiptOf, type SeqRange } from '../../src/contract/receipts.js';
import {
  ackView,
  addTotals,
  alertView,
  type CounterRow,
  iso,
  parseStatus,
  publishedView,
  statusView,
  totalsOf,
} from './rows.js';
import {
  type CheckpointTotalsRow,
  type CheckpointView,
  type DistrictView,
  emptyTotals,
  type HourView,
  type KioskView,
  kioskLiveness,
  type RejectedView,
  SILENT_MS,
  type Snapshot,
  type Totals,
} from './types.js';

const HOUR_MS = 3_600_000;

/** A range of seq an instance sent that the database does not hold. */
export interface Gap {
  kioskId: number;
  from: number;
  to: number;
  /** `tail`: beyond everything held, up to the lastSeq of the kiosk's status. */
  where: 'start' | 'between' | 'tail';
}

/** The first range missing from `ranges` (sorted, disjoint), given the kiosk's lastSeq; null if none. */
export function gapOf(ranges: readonly SeqRange[], lastSeq: number): Omit<Gap, 'kioskId'> | null {
  const first = ranges[0];
  if (!first) return lastSeq > 0 ? { from: 1, to: lastSeq, where: 'tail' } : null;
  if (first[0] > 1) return { from: 1, to: first[0] - 1, where: 'start' };
  const second = ranges[1];
  if (second) return { from: first[1] + 1, to: second[0] - 1, where: 'between' };
  return lastSeq > first[1] ? { from: first[1] + 1, to: lastSeq, where: 'tail' } : null;
}

export type KioskRow = CounterRow & {
  id: number;
  district: string;
  checkpoint: string;
  kiosk: string;
  instance: string;
  lane: string | null;
  online: number;
  status: string | null;
  last_status_ms: number | null;
  changed_ms: number | null;
  first_seen_ms: number;
  last_seen_ms: number;
  summaries: number;
  events: number;
  passages: number;
  duplicates: number;
};

export interface HeldRow {
  kiosk_id: number;
  lo: number;
  hi: number;
}

/** What a snapshot is made of, read from either database in one go. */
export interface SnapshotRows {
  kiosks: KioskRow[];
  held: HeldRow[];
  today: (CounterRow & { kiosk_id: number })[];
  hours: (CounterRow & { hour_ms: number })[];
  events: Record<string, unknown>[];
  acks: Record<string, unknown>[];
  published: Record<string, unknown>[];
  rejected: Record<string, unknown>[];
}

/** The first hour a snapshot's 24-hour chart shows. */
export function firstHourOf(nowMs: number): number {
  return Math.floor(nowMs / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
}

/** Held rows sorted by kiosk and lo, grouped per kiosk instance. */
export function rangesByKiosk(held: readonly HeldRow[]): Map<number, SeqRange[]> {
  const out = new Map<number, SeqRange[]>();
  for (const r of held) {
    const list = out.get(r.kiosk_id) ?? [];
    if (list.length === 0) out.set(r.kiosk_id, list);
    list.push([r.lo, r.hi]);
  }
  return out;
}

/**
 * The first missing range of seq (before, between or after what is held) of every instance that is
 * live now: a command to a kiosk that is not listening is lost (commands are not retained).
 */
export function gapsOf(kiosks: readonly KioskRow[], held: readonly HeldRow[], nowMs: number): Gap[] {
  const ranges = rangesByKiosk(held);
  const gaps: Gap[] = [];
  for (const k of kiosks) {
    const lastStatus = k.last_status_ms;
    if (k.online !== 1 || lastStatus === null || nowMs - lastStatus > SILENT_MS) continue;
    const lastSeq = parseStatus(k.status)?.lastSeq ?? 0;
    const gap = gapOf(ranges.get(k.id) ?? [], lastSeq);
    if (gap) gaps.push({ kioskId: k.id, ...gap });
  }
  return gaps;
}

export function ledgerTotals(kiosks: readonly KioskRow[]): CheckpointTotalsRow[] {
  const out = new Map<string, CheckpointTotalsRow>();
  for (const r of kiosks) {
    const key = `${r.district}/${r.checkpoint}`;
    let c = out.get(key);
    if (!c) {
      c = {
        district: r.district,
        checkpoint: r.checkpoint,
        total: emptyTotals(),
        summaries: 0,
        events: 0,
        passages: 0,
        kiosks: [],
      };
      out.set(key, c);
    }
    const total = totalsOf(r);
    c.kiosks.push({
      kiosk: r.kiosk,
      instance: r.instance,
      lane: r.lane,
      total,
      summaries: r.summaries,
      events: r.events,
      passages: r.passages,
    });
    addTotals(c.total, total);
    c.summaries += r.summaries;
    c.events += r.events;
    c.passages += r.passages;
  }
  return [...out.values()];
}

function kioskView(r: KioskRow, today: Totals, ranges: readonly SeqRange[]): KioskView {
  const status = parseStatus(r.status);
  const { upTo, also } = receiptOf(ranges);
  return {
    kiosk: r.kiosk,
    instance: r.instance,
    lane: r.lane,
    online: r.online === 1,
    lastStatusAt: iso(r.last_status_ms),
    lastSeenAt: iso(r.last_seen_ms)!,
    firstSeenAt: iso(r.first_seen_ms)!,
    changedAt: iso(r.changed_ms),
    status: statusView(status),
    lastSeq: status?.lastSeq ?? null,
    upTo,
    also,
    receiptLag: status ? Math.max(0, status.lastSeq - upTo) : null,
    unreceipted: status?.outbox.unreceipted ?? null,
    oldestUnreceiptedAt: status?.outbox.oldestAt ?? null,
    conflict: false,
    today,
    total: totalsOf(r),
    summaries: r.summaries,
    events: r.events,
    passages: r.passages,
    duplicates: r.duplicates,
  };
}

/** 24 hours from `firstHour`, each with the counts of its row (zero without one). */
export function hourViews(firstHour: number, rows: (CounterRow & { hour_ms: number })[]): HourView[] {
  const byHour = new Map<number, HourView>();
  for (let h = 0; h < 24; h++) {
    const start = firstHour + h * HOUR_MS;
    byHour.set(start, { hourStart: iso(start)!, allowed: 0, denied: 0, review: 0, people: 0 });
  }
  for (const r of rows) {
    const h = byHour.get(r.hour_ms);
    if (!h) continue;
    h.allowed = r.in_allowed + r.out_allowed;
    h.denied = r.in_denied + r.out_denied;
    h.review = r.in_review + r.out_review;
    h.people = r.people;
  }
  return [...byHour.values()];
}

export function ledgerSnapshot(
  rows: SnapshotRows,
  nowMs: number,
): Omit<Snapshot, 'broker' | 'keyId' | 'areas'> {
  const today = new Map<number, Totals>();
  for (const r of rows.today) today.set(r.kiosk_id, totalsOf(r));
  const ranges = rangesByKiosk(rows.held);
  const checkpoints = new Map<string, CheckpointView>();
  for (const r of rows.kiosks) {
    const key = `${r.district}/${r.checkpoint}`;
    let c = checkpoints.get(key);
    if (!c) {
      c = {
        district: r.district,
        districtName: areaName(r.district),
        checkpoint: r.checkpoint,
        kiosks: [],
        today: emptyTotals(),
        total: emptyTotals(),
        summaries: 0,
        events: 0,
        passages: 0,
      };
      checkpoints.set(key, c);
    }
    const k = kioskView(r, today.get(r.id) ?? emptyTotals(), ranges.get(r.id) ?? []);
    c.kiosks.push(k);
    addTotals(c.today, k.today);
    addTotals(c.total, k.total);
    c.summaries += k.summaries;
    c.events += k.events;
    c.passages += k.passages;
  }
  for (const c of checkpoints.values()) {
    // Two live instances under one kiosk id: both marked (spec/mqtt.md "Identity").
    const live = new Map<string, KioskView[]>();
    for (const k of c.kiosks) {
      if (kioskLiveness(k, nowMs) !== 'online') continue;
      live.set(k.kiosk, [...(live.get(k.kiosk) ?? []), k]);
    }
    for (const group of live.values()) if (group.length > 1) for (const k of group) k.conflict = true;
  }
  const districts = new Map<string, DistrictView>();
  for (const c of checkpoints.values()) {
    let d = districts.get(c.district);
    if (!d) {
      d = {
        district: c.district,
        name: c.districtName,
        checkpoints: 0,
        kiosks: 0,
        online: 0,
        today: emptyTotals(),
      };
      districts.set(c.district, d);
    }
    d.checkpoints++;
    d.kiosks += c.kiosks.length;
    d.online += c.kiosks.filter((k) => k.online).length;
    addTotals(d.today, c.today);
  }
  const hourly = hourViews(firstHourOf(nowMs), rows.hours);
  return {
    now: iso(nowMs)!,
    checkpoints: [...checkpoints.values()],
    districts: [...districts.values()].sort((a, b) => a.district.localeCompare(b.district)),
    hourly,
    alerts: rows.events.map(alertView),
    acks: rows.acks.map(ackView),
    published: rows.published.map(publishedView),
    rejected: rows.rejected.map(
      (r): RejectedView => ({
        reason: r.reason as string,
        count: r.count as number,
        lastTopic: r.last_topic as string | null,
        lastAt: iso(r.last_ms as number | null),
      }),
    ),
  };
}
