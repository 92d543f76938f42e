// Summary windows (spec/mqtt.md, ckpt.summary/2): pure accumulation, the store persists it.
// Windows are aligned to the clock: the window of a passage starts at floor(at_ms / windowMs) * windowMs.
// Empty windows produce no summary: the retained status heartbeat shows the kiosk is alive.

import type { DirectionCounts, SummaryPayload, SummaryVehicle } from './mqtt.js';
import type { TopicScope } from './mqtt-topics.js';
import type { Decision, Direction, ReasonCode } from './reasons.js';
import { VEHICLE_TYPES } from './reasons.js';

export const DEFAULT_WINDOW_MS = 60_000;

export type SummaryData = Pick<
  SummaryPayload,
  'counts' | 'people' | 'unreadable' | 'vehicles' | 'byPurpose' | 'byReason'
>;

export interface CountedPassage {
  direction: Direction;
  decision: Decision;
  reasons: readonly ReasonCode[];
  letThrough: boolean;
  purpose: string | null;
  vehicleType: SummaryVehicle;
  people: number;
}

export function windowStartOf(atMs: number, windowMs: number): number {
  return Math.floor(atMs / windowMs) * windowMs;
}

function emptyDirection(): DirectionCounts {
  return { allowed: 0, denied: 0, review: 0, overridden: 0 };
}

export function emptySummary(): SummaryData {
  return {
    counts: { in: emptyDirection(), out: emptyDirection() },
    people: 0,
    unreadable: 0,
    vehicles: { motorbike: 0, car: 0, truck: 0, bicycle: 0, other: 0, none: 0 },
    byPurpose: {},
    byReason: {},
  };
}

/** Maps a vehicle type from a permit or the guard to the summary's buckets. */
export function summaryVehicle(
  type: string | null | undefined,
  plate: string | null | undefined,
): SummaryVehicle {
  if (type && (VEHICLE_TYPES as readonly string[]).includes(type)) return type as SummaryVehicle;
  if (type || plate) return 'other';
  return 'none';
}

/**
 * Adds one recorded passage. allowed/denied/review count the original decision; overridden counts
 * the DENY or REVIEW passages the guard let through anyway (a subset of denied + review).
 */
export function addPassage(data: SummaryData, p: CountedPassage): SummaryData {
  const dir = data.counts[p.direction];
  if (p.decision === 'ALLOW') dir.allowed++;
  else if (p.decision === 'DENY') dir.denied++;
  else dir.review++;
  if (p.decision !== 'ALLOW' && p.letThrough) dir.overridden++;
  data.people += p.people;
  data.vehicles[p.vehicleType] = (data.vehicles[p.vehicleType] ?? 0) + 1;
  if (p.purpose !== null) data.byPurpose[p.purpose] = (data.byPurpose[p.purpose] ?? 0) + 1;
  for (const r of new Set(p.reasons)) data.byReason[r] = (data.byReason[r] ?? 0) + 1;
  return data;
}

/** A passage's decision changed (a health proof completed it): moved between the decision counts. */
export function amendPassage(
  data: SummaryData,
  a: {
    direction: Direction;
    from: Decision;
    to: Decision;
    fromReasons: readonly ReasonCode[];
    toReasons: readonly ReasonCode[];
  },
): SummaryData {
  const dir = data.counts[a.direction];
  const key = (d: Decision) => (d === 'ALLOW' ? 'allowed' : d === 'DENY' ? 'denied' : 'review');
  dir[key(a.from)]--;
  dir[key(a.to)]++;
  for (const r of new Set(a.fromReasons)) data.byReason[r] = (data.byReason[r] ?? 0) - 1;
  for (const r of new Set(a.toReasons)) data.byReason[r] = (data.byReason[r] ?? 0) + 1;
  return data;
}

/** A scan that yielded no permit: counted apart, never as a person checked. */
export function addUnreadable(data: SummaryData): SummaryData {
  data.unreadable++;
  return data;
}

/** `{c}:{k}:{windowStart}`: unique per kiosk, so two lanes of one checkpoint never share one. */
export function summaryId(scope: TopicScope, windowStartMs: number): string {
  return `${scope.checkpoint}:${scope.kiosk}:${new Date(windowStartMs).toISOString()}`;
}

/** A window's summary, without the numbering (seq, kiosk, instance) its outbox row gives it. */
export type UnnumberedSummary = Omit<SummaryPayload, 'seq' | 'kiosk' | 'instance'>;

export function toSummaryPayload(
  scope: TopicScope,
  windowStartMs: number,
  windowMs: number,
  data: SummaryData,
): UnnumberedSummary {
  return {
    schema: 'ckpt.summary/2',
    id: summaryId(scope, windowStartMs),
    checkpoint: scope.checkpoint,
    district: scope.district,
    windowStart: new Date(windowStartMs).toISOString(),
    windowEnd: new Date(windowStartMs + windowMs).toISOString(),
    counts: data.counts,
    people: data.people,
    unreadable: data.unreadable,
    vehicles: data.vehicles,
    byPurpose: data.byPurpose,
    byReason: data.byReason,
  };
}
