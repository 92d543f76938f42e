// What the command-centre server tells its dashboard (JSON API and the SSE stream). No Node imports:
// the dashboard bundles this file, so both sides share one definition.

export interface DirectionTotals {
  allowed: number;
  denied: number;
  review: number;
  overridden: number;
}

/** Counts summed from `ckpt.summary/1` messages. */
export interface Totals {
  in: DirectionTotals;
  out: DirectionTotals;
  people: number;
}

export interface KioskStatusView {
  version: string | null;
  startedAt: string | null;
  scanner: 'ok' | 'missing' | 'error' | 'none' | null;
  uplinkBacklog: number | null;
  clockSkewMs: number | null;
  lastScanAt: string | null;
  shift: { id: string; startedAt: string } | null;
}

export interface CheckpointView {
  district: string;
  districtName: string | null;
  checkpoint: string;
  online: boolean;
  /** When the kiosk was last heard from (its status), ISO. */
  lastSeenAt: string | null;
  /** When `online` last changed, ISO. */
  changedAt: string | null;
  status: KioskStatusView;
  /** Since midnight, Vietnam time. */
  today: Totals;
  total: Totals;
  summaries: number;
  events: number;
}

export interface DistrictView {
  district: string;
  name: string | null;
  checkpoints: number;
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
}

export interface AckView {
  district: string;
  checkpoint: string;
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
}

export const DOCUMENT_KINDS = ['trust', 'revocations', 'zones', 'config'] as const;
export type PublishKind = (typeof DOCUMENT_KINDS)[number];

/** POST /api/publish */
export interface PublishRequest {
  kind: PublishKind;
  payload: unknown;
  /** Required for `config`: the district whose checkpoint(s) the config addresses. */
  district?: string;
}

export interface PublishResult {
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
}

export interface ApiErrorBody {
  code: string;
  vi: string;
  en: string;
}

export { ALERT_KINDS, alertKind } from '../../src/contract/mqtt.js';

export function emptyTotals(): Totals {
  const d = (): DirectionTotals => ({ allowed: 0, denied: 0, review: 0, overridden: 0 });
  return { in: d(), out: d(), people: 0 };
}
