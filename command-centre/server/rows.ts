// How the ledger's rows become what the dashboard shows (types.ts): counters, statuses, events, acks.
import { areaName } from '../../src/contract/areas.js';
import type { StatusPayload, SummaryPayload } from '../../src/contract/mqtt.js';
import {
  type AckView,
  type AlertView,
  alertKind,
  type KioskStatusView,
  type PublishedView,
  type Totals,
} from './types.js';

export const COUNTER_COLUMNS = [
  'in_allowed',
  'in_denied',
  'in_review',
  'in_overridden',
  'out_allowed',
  'out_denied',
  'out_review',
  'out_overridden',
  'people',
] as const;

export type CounterRow = Record<(typeof COUNTER_COLUMNS)[number], number>;

/** A summary's counts as the ledger's counter columns. */
export function counters(s: SummaryPayload): CounterRow {
  const { in: i, out: o } = s.counts;
  return {
    in_allowed: i.allowed,
    in_denied: i.denied,
    in_review: i.review,
    in_overridden: i.overridden,
    out_allowed: o.allowed,
    out_denied: o.denied,
    out_review: o.review,
    out_overridden: o.overridden,
    people: s.people,
  };
}

export function totalsOf(r: Partial<CounterRow> | undefined): Totals {
  const n = (k: keyof CounterRow) => Number(r?.[k] ?? 0);
  return {
    in: {
      allowed: n('in_allowed'),
      denied: n('in_denied'),
      review: n('in_review'),
      overridden: n('in_overridden'),
    },
    out: {
      allowed: n('out_allowed'),
      denied: n('out_denied'),
      review: n('out_review'),
      overridden: n('out_overridden'),
    },
    people: n('people'),
  };
}

export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

const NO_STATUS: KioskStatusView = {
  version: null,
  startedAt: null,
  direction: null,
  scanner: null,
  clockSkewMs: null,
  lastScanAt: null,
  shift: null,
  commandCentre: null,
};

export function addTotals(into: Totals, t: Totals): void {
  for (const dir of ['in', 'out'] as const) {
    for (const k of ['allowed', 'denied', 'review', 'overridden'] as const) into[dir][k] += t[dir][k];
  }
  into.people += t.people;
}

/** The status JSON the ledger keeps (a `ckpt.status/2` that passed its schema), or null. */
export function parseStatus(json: string | null): StatusPayload | null {
  return json ? (JSON.parse(json) as StatusPayload) : null;
}

export function statusView(s: StatusPayload | null): KioskStatusView {
  if (!s) return NO_STATUS;
  return {
    version: s.version,
    startedAt: s.startedAt,
    direction: s.direction,
    scanner: s.scanner,
    clockSkewMs: s.clockSkewMs,
    lastScanAt: s.lastScanAt,
    shift: s.shift,
    commandCentre: s.commandCentre,
  };
}

export function alertView(r: Record<string, unknown>): AlertView {
  const reasons = JSON.parse(r.reasons as string) as string[];
  const detail = r.detail
    ? (JSON.parse(r.detail as string) as {
        instances?: string[];
        area?: string;
        entries?: { checkpoint: string | null; kiosk: string | null; at: string }[];
      })
    : null;
  return {
    seq: r.seq as number,
    id: r.id as string,
    district: r.district as string,
    districtName: areaName(r.district as string),
    checkpoint: r.checkpoint as string,
    kiosk: (r.kiosk as string | null) ?? null,
    instance: (r.instance as string | null) ?? null,
    at: iso(r.at_ms as number)!,
    receivedAt: iso(r.received_ms as number)!,
    kind: r.kind as string,
    alert: alertKind(r.kind as string, reasons),
    decision: r.decision as string | null,
    reasons,
    permit: r.permit as string | null,
    direction: r.direction as string | null,
    lane: r.lane as string | null,
    instances: detail?.instances ?? null,
    passback:
      r.kind === 'late-passback' && detail?.area && detail.entries
        ? { area: detail.area, areaName: areaName(detail.area) ?? null, entries: detail.entries }
        : null,
  };
}

export function ackView(r: Record<string, unknown>): AckView {
  return {
    district: r.district as string,
    checkpoint: r.checkpoint as string,
    kiosk: r.kiosk as string,
    typ: r.typ as string,
    version: r.version as string,
    applied: r.applied === 1,
    error: r.error as string | null,
    receivedAt: iso(r.received_ms as number)!,
  };
}

export function publishedView(r: Record<string, unknown>): PublishedView {
  return {
    kind: r.kind as string,
    typ: r.typ as string,
    version: r.version as number,
    topic: r.topic as string,
    retained: r.retained === 1,
    at: iso(r.at_ms as number)!,
  };
}
