// MQTT payloads per spec/mqtt.md: one zod schema each gives both the TypeScript type and the
// validation. No personal data appears in any of them: permits are named by their hash only.
import { z } from 'zod';
import { Decision, Direction, ReasonCode } from './reasons.js';

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);
const permitHash = z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256');

export const SUMMARY_VEHICLES = ['motorbike', 'car', 'truck', 'bicycle', 'other', 'none'] as const;
export type SummaryVehicle = (typeof SUMMARY_VEHICLES)[number];

/**
 * A window's change to the counts. A passage whose decision changes later (a health proof completing
 * it) is counted in the window of the change: that window then carries -1 for the old decision and +1
 * for the new, so the totals summed over windows equal the final decisions in the kiosk's log.
 */
const delta = z.number().int();

export const DirectionCounts = z
  .object({ allowed: delta, denied: delta, review: delta, overridden: delta })
  .strict();
export type DirectionCounts = z.infer<typeof DirectionCounts>;

export const StatusPayload = z
  .object({
    schema: z.literal('ckpt.status/1'),
    online: z.literal(true),
    at: isoTime,
    version: z.string(),
    startedAt: isoTime,
    /** `none`: no serial scanner is configured (keyboard wedge or camera only). */
    scanner: z.enum(['ok', 'missing', 'error', 'none']),
    uplinkBacklog: count,
    /** Kiosk clock minus a trusted clock, when known. */
    clockSkewMs: z.number().int().nullable(),
    shift: z.object({ id: z.string(), startedAt: isoTime }).strict().nullable(),
    lastScanAt: isoTime.nullable(),
  })
  .strict();
export type StatusPayload = z.infer<typeof StatusPayload>;

/** The Last Will and the goodbye on a clean stop. */
export const OfflineStatusPayload = z
  .object({ schema: z.literal('ckpt.status/1'), online: z.literal(false), at: isoTime })
  .strict();
export type OfflineStatusPayload = z.infer<typeof OfflineStatusPayload>;

export const AnyStatusPayload = z.union([StatusPayload, OfflineStatusPayload]);
export type AnyStatusPayload = z.infer<typeof AnyStatusPayload>;

export const SummaryPayload = z
  .object({
    schema: z.literal('ckpt.summary/1'),
    /** `{checkpoint}:{windowStart}`: the command centre de-duplicates on it. */
    id: z.string(),
    checkpoint: z.string(),
    district: z.string(),
    windowStart: isoTime,
    windowEnd: isoTime,
    counts: z.object({ in: DirectionCounts, out: DirectionCounts }).strict(),
    /** Persons checked in the window (all decisions), passengers of a vehicle included. */
    people: count,
    /** Scans that yielded no permit (FORMAT_INVALID, UNRECOGNISED): not passages, not people. */
    unreadable: count.default(0),
    /** Passages checked by vehicle type; `none` for people on foot. */
    vehicles: z.record(z.enum(SUMMARY_VEHICLES), count),
    /** Passages checked by permit purpose; scans without a readable permit are not listed. */
    byPurpose: z.record(z.string(), count),
    /** How many passages carry each reason (a change of decision moves its reasons too). */
    byReason: z.partialRecord(ReasonCode, delta),
  })
  .strict();
export type SummaryPayload = z.infer<typeof SummaryPayload>;

/** Kiosk events that are alerts for the command centre (spec/mqtt.md `event`). */
export const ALERT_KINDS = [
  'revoked-presented',
  'unknown-issuer',
  'repeated-failures',
  'scanner-lost',
  'tamper',
  // A renderer or backend of the Electron shell died and was restarted.
  'crash',
  // The passage log refused a write (disk full, read-only): the lane works on paper until it is fixed.
  'store-fault',
] as const;

/** Every event kind: a passage's denial or override, or an alert. */
export const EVENT_KINDS = ['denial', 'override', ...ALERT_KINDS] as const;

/**
 * The alert an event raises at the command centre, if any. Kiosks send a revoked permit or an unknown
 * issuer as a `denial` carrying that reason (one event per passage); it is raised as the alert the spec
 * names.
 */
export function alertKind(kind: string, reasons: readonly string[]): string | null {
  if ((ALERT_KINDS as readonly string[]).includes(kind)) return kind;
  if (reasons.includes('REVOKED')) return 'revoked-presented';
  if (reasons.includes('UNKNOWN_ISSUER')) return 'unknown-issuer';
  return null;
}

export const EventPayload = z
  .object({
    schema: z.literal('ckpt.event/1'),
    id: z.uuid(),
    at: isoTime,
    kind: z.enum(EVENT_KINDS),
    decision: Decision.nullable(),
    reasons: z.array(ReasonCode),
    permit: permitHash.nullable(),
    direction: Direction.nullable(),
    lane: z.string().nullable(),
    /** A machine-readable detail of an alert (the store fault's code). */
    detail: z.string().max(64).optional(),
  })
  .strict();
export type EventPayload = z.infer<typeof EventPayload>;

export const AckPayload = z
  .object({
    schema: z.literal('ckpt.ack/1'),
    typ: z.string(),
    version: z.union([z.string(), z.number()]),
    applied: z.boolean(),
    error: z.string().optional(),
  })
  .strict();
export type AckPayload = z.infer<typeof AckPayload>;

/** Used by tests and the command centre to read anything a kiosk publishes. */
export const UplinkPayload = z.discriminatedUnion('schema', [SummaryPayload, EventPayload, AckPayload]);
