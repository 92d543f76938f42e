// What the command-centre server tells its dashboard (JSON API and the SSE stream). No Node imports:
// the dashboard bundles this file, so both sides share one definition.

export interface DirectionTotals {
  allowed: number;
  denied: number;
  review: number;
  overridden: number;
}

/** Counts summed from `ckpt.summary/2` messages. */
export interface Totals {
  in: DirectionTotals;
  out: DirectionTotals;
  people: number;
}

/** What the kiosk's last online status said (spec/mqtt.md `status`). */
export interface KioskStatusView {
  version: string | null;
  startedAt: string | null;
  direction: 'in' | 'out' | null;
  scanner: 'ok' | 'missing' | 'error' | 'none' | null;
  clockSkewMs: number | null;
  lastScanAt: string | null;
  shift: { id: string; startedAt: string } | null;
  /** Whether the kiosk sees a command centre online. */
  commandCentre: 'online' | 'offline' | 'unknown' | null;
}

/** One kiosk instance: a kiosk id claimed by two instances is two of these. */
export interface KioskView {
  kiosk: string;
  instance: string;
  lane: string | null;
  /** From its status and Will; `kioskLiveness` adds silence. */
  online: boolean;
  /** Its last status (birth, change or heartbeat), ISO. */
  lastStatusAt: string | null;
  /** Its last message of any kind, ISO. */
  lastSeenAt: string;
  firstSeenAt: string;
  /** When `online` last changed (a Will: when we received it), ISO. */
  changedAt: string | null;
  status: KioskStatusView;
  /** The highest seq the kiosk says it gave (its status), null before its first status. */
  lastSeq: number | null;
  /** Our receipt: every seq ≤ upTo is in the database, and each range of `also`. */
  upTo: number;
  also: [number, number][];
  /** lastSeq − upTo: how far our receipt trails what the kiosk has sent (null without a status). */
  receiptLag: number | null;
  /** The kiosk's own count of messages not yet receipted, and when the oldest was written. */
  unreceipted: number | null;
  oldestUnreceiptedAt: string | null;
  /** Another live instance claims the same kiosk id. */
  conflict: boolean;
  /** Since midnight, Vietnam time. */
  today: Totals;
  total: Totals;
  summaries: number;
  events: number;
  passages: number;
  duplicates: number;
}

export interface CheckpointView {
  district: string;
  districtName: string | null;
  checkpoint: string;
  /** Sorted by kiosk id, then instance. */
  kiosks: KioskView[];
  /** The sums of its kiosks. */
  today: Totals;
  total: Totals;
  summaries: number;
  events: number;
  passages: number;
}

/** Heartbeats come at least every 30 s: three missed and an "online" kiosk is called silent. */
export const SILENT_MS = 90_000;

export type Liveness = 'online' | 'silent' | 'offline';

export function kioskLiveness(k: Pick<KioskView, 'online' | 'lastStatusAt'>, nowMs: number): Liveness {
  if (!k.online) return 'offline';
  if (k.lastStatusAt === null || nowMs - Date.parse(k.lastStatusAt) > SILENT_MS) return 'silent';
  return 'online';
}

export interface DistrictView {
  district: string;
  name: string | null;
  checkpoints: number;
  kiosks: number;
  /** Kiosks online (silent ones included: the dashboard tells them apart). */
  online: number;
  today: Totals;
}

export interface HourView {
  /** Start of the hour, ISO. */
  hourStart: string;
  allowed: number;
  denied: number;
  review: number;
  people: number;
}

export interface AlertView {
  seq: number;
  id: string;
  district: string;
  districtName: string | null;
  checkpoint: string;
  /** Null for events received under v1. */
  kiosk: string | null;
  instance: string | null;
  at: string;
  receivedAt: string;
  kind: string;
  /** What the command centre treats it as: an alert kind, or null for an ordinary denial/override. */
  alert: string | null;
  decision: string | null;
  reasons: string[];
  permit: string | null;
  direction: string | null;
  lane: string | null;
  /** A kiosk id claimed twice: the instances claiming it. */
  instances: string[] | null;
  /** A late passback: the area and the two entries, at which checkpoint and kiosk, and when. */
  passback: {
    area: string;
    areaName: string | null;
    entries: { checkpoint: string | null; kiosk: string | null; at: string }[];
  } | null;
  /** Who acknowledged it at the command centre, and when (ISO); null while unacknowledged. */
  ackedBy?: string | null;
  ackedAt?: string | null;
}

export interface AckView {
  district: string;
  checkpoint: string;
  kiosk: string;
  typ: string;
  version: string;
  applied: boolean;
  error: string | null;
  receivedAt: string;
}

export interface PublishedView {
  kind: string;
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
  at: string;
}

export interface RejectedView {
  reason: string;
  count: number;
  lastTopic: string | null;
  lastAt: string | null;
}

/** An area the command centre watches (spec/policy.md "Shared history"). */
export interface AreaView {
  area: string;
  name: string | null;
  kind: 'lockdown' | 'green-zone';
  /** Permits whose newest let-through passage in the area is `in`. */
  inside: number;
  checkpoints: { district: string; checkpoint: string; kiosks: number }[];
}

export interface Snapshot {
  now: string;
  broker: { connected: boolean; url: string | null; error: string | null };
  /** The command centre's signing key id (base64url); the key itself never leaves the server. */
  keyId: string | null;
  checkpoints: CheckpointView[];
  districts: DistrictView[];
  /** The last 24 hours, oldest first, every checkpoint together. */
  hourly: HourView[];
  alerts: AlertView[];
  acks: AckView[];
  published: PublishedView[];
  rejected: RejectedView[];
  /** People inside each lockdown and green-zone area now, with the checkpoints guarding it. */
  areas: AreaView[];
}

export const DOCUMENT_KINDS = ['trust', 'revocations', 'zones', 'config'] as const;
export type PublishKind = (typeof DOCUMENT_KINDS)[number];

/** POST /api/publish */
export interface PublishRequest {
  kind: PublishKind;
  payload: unknown;
  /** Required for `config`: the district whose checkpoint(s) the config addresses. */
  district?: string;
  /** `config` for one kiosk of the payload's checkpoint (the most specific config wins). */
  kiosk?: string;
}

export interface PublishResult {
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
  /** A revocation delta is also folded into a new full list of its version, published retained. */
  full?: { topic: string; entries: number };
}

/** POST /api/resend: asks one kiosk instance to republish a range of seq (spec/mqtt.md `command`). */
export interface ResendRequest {
  district: string;
  checkpoint: string;
  kiosk: string;
  /** Defaults to the instance that last reported under that kiosk id. */
  instance?: string;
  /** Both default to the first gap in what the database holds (or the tail beyond it). */
  from?: number;
  to?: number;
}

export interface ResendResult {
  id: string;
  topic: string;
  instance: string;
  from: number;
  to: number;
}

/** GET /api/totals: all-time counts per checkpoint, the sum of its kiosks', and each kiosk's. */
export interface KioskTotalsRow {
  kiosk: string;
  instance: string;
  lane: string | null;
  total: Totals;
  summaries: number;
  events: number;
  passages: number;
}

export interface CheckpointTotalsRow {
  district: string;
  checkpoint: string;
  total: Totals;
  summaries: number;
  events: number;
  passages: number;
  kiosks: KioskTotalsRow[];
}

export interface ApiErrorBody {
  code: string;
  vi: string;
  en: string;
}

import { alertKind as kioskAlertKind } from '../../src/contract/mqtt.js';

export { ALERT_KINDS } from '../../src/contract/mqtt.js';

/**
 * Alerts the command centre raises itself: a kiosk id claimed by two live instances; one permit entering
 * an area twice without leaving, seen only when passages arrived late (presence.ts).
 */
export const CC_ALERT_KINDS = ['kiosk-id-conflict', 'late-passback'] as const;

/** The alert an event row raises: a kiosk's (spec/mqtt.md) or the command centre's own. */
export function alertKind(kind: string, reasons: readonly string[]): string | null {
  if ((CC_ALERT_KINDS as readonly string[]).includes(kind)) return kind;
  return kioskAlertKind(kind, reasons);
}

export function emptyTotals(): Totals {
  const d = (): DirectionTotals => ({ allowed: 0, denied: 0, review: 0, overridden: 0 });
  return { in: d(), out: d(), people: 0 };
}
