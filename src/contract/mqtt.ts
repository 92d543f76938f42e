// MQTT payloads of the contract v2 (spec/mqtt.md): one zod schema each gives both the TypeScript type
// and the validation, for the kiosk, the command centre and the fleet simulator alike. No personal data
// appears in any of them: permits are named by their hash only.
import { z } from 'zod';
import { AreaCode, CheckpointKind } from './checkpoint.js';
import { KioskId } from './mqtt-topics.js';
import { Decision, Direction, ReasonCode } from './reasons.js';

const isoTime = z.iso.datetime({ offset: true });
const count = z.number().int().min(0);
const permitHash = z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256');
/** Every summary, event, ack and passage a kiosk sends: 1, 2, 3… for the life of its database. */
export const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const instance = z.uuid();

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

export const CommandCentreState = z.enum(['online', 'offline', 'unknown']);
export type CommandCentreState = z.infer<typeof CommandCentreState>;

export const StatusPayload = z
  .object({
    schema: z.literal('ckpt.status/2'),
    online: z.literal(true),
    at: isoTime,
    kiosk: KioskId,
    instance,
    version: z.string().max(64),
    startedAt: isoTime,
    lane: z.string().min(1).max(16),
    direction: Direction,
    /** `none`: no serial scanner is configured (keyboard wedge or camera only). */
    scanner: z.enum(['ok', 'missing', 'error', 'none']),
    /** The highest seq given so far (0 before the first message). */
    lastSeq: z.number().int().min(0),
    /** Messages written but not yet covered by a receipt, and when the oldest of them was written. */
    outbox: z.object({ unreceipted: count, oldestAt: isoTime.nullable() }).strict(),
    /** Kiosk clock minus a trusted clock, when known. */
    clockSkewMs: z.number().int().nullable(),
    shift: z.object({ id: z.string(), startedAt: isoTime }).strict().nullable(),
    lastScanAt: isoTime.nullable(),
    commandCentre: CommandCentreState,
    /**
     * The area the kiosk's checkpoint protects and its kind: its peers learn from the retained status
     * which kiosks share their area before any passage, and the command centre which areas to watch.
     */
    area: AreaCode.optional(),
    checkpointKind: CheckpointKind.optional(),
  })
  .strict();
export type StatusPayload = z.infer<typeof StatusPayload>;

/** The Last Will, and the goodbye on a clean stop: `since` is the connection's start. */
export const OfflineStatusPayload = z
  .object({
    schema: z.literal('ckpt.status/2'),
    online: z.literal(false),
    kiosk: KioskId,
    instance,
    since: isoTime,
  })
  .strict();
export type OfflineStatusPayload = z.infer<typeof OfflineStatusPayload>;

export const AnyStatusPayload = z.union([StatusPayload, OfflineStatusPayload]);
export type AnyStatusPayload = z.infer<typeof AnyStatusPayload>;

/** The fields every numbered message carries. */
const numbered = { seq: Seq, kiosk: KioskId, instance };

export const SummaryPayload = z
  .object({
    schema: z.literal('ckpt.summary/2'),
    /** `{checkpoint}:{kiosk}:{windowStart}`. */
    id: z.string().max(128),
    ...numbered,
    checkpoint: z.string(),
    district: z.string(),
    windowStart: isoTime,
    windowEnd: isoTime,
    counts: z.object({ in: DirectionCounts, out: DirectionCounts }).strict(),
    /** Persons checked in the window (all decisions), passengers of a vehicle included. */
    people: count,
    /** Scans that yielded no permit (FORMAT_INVALID, UNRECOGNISED): not passages, not people. */
    unreadable: count,
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
  // The oldest unreceipted message is older than a day, or more than 100,000 wait.
  'outbox-high',
  // The passage log refused a write (disk full, read-only): the lane works on paper until it is fixed.
  'store-fault',
] as const;

/** Every event kind: a passage's denial or override, or an alert. */
export const EVENT_KINDS = ['denial', 'override', ...ALERT_KINDS] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

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
    schema: z.literal('ckpt.event/2'),
    id: z.uuid(),
    ...numbered,
    at: isoTime,
    kind: z.enum(EVENT_KINDS),
    decision: Decision.nullable(),
    reasons: z.array(ReasonCode),
    permit: permitHash.nullable(),
    direction: Direction.nullable(),
    lane: z.string().nullable(),
  })
  .strict();
export type EventPayload = z.infer<typeof EventPayload>;

export const AckPayload = z
  .object({
    schema: z.literal('ckpt.ack/2'),
    id: z.uuid(),
    ...numbered,
    at: isoTime,
    typ: z.string().max(64),
    version: z.union([z.string().max(32), z.number()]),
    applied: z.boolean(),
    error: z.string().max(64).optional(),
  })
  .strict();
export type AckPayload = z.infer<typeof AckPayload>;

/** A recorded passage with a permit, for anti-passback across the area (spec/policy.md "Shared history"). */
export const PassagePayload = z
  .object({
    schema: z.literal('ckpt.passage/1'),
    id: z.uuid(),
    ...numbered,
    at: isoTime,
    area: z.string().max(32),
    permit: permitHash,
    direction: Direction,
    letThrough: z.boolean(),
  })
  .strict();
export type PassagePayload = z.infer<typeof PassagePayload>;

/** What a kiosk's parts write to its outbox: the outbox numbers it (seq, kiosk, instance) as it stores it. */
const UNNUMBERED = { seq: true, kiosk: true, instance: true } as const;
export const UnnumberedEvent = EventPayload.omit(UNNUMBERED);
export type UnnumberedEvent = z.infer<typeof UnnumberedEvent>;
export const UnnumberedAck = AckPayload.omit(UNNUMBERED);
export type UnnumberedAck = z.infer<typeof UnnumberedAck>;
export const UnnumberedPassage = PassagePayload.omit(UNNUMBERED);
export type UnnumberedPassage = z.infer<typeof UnnumberedPassage>;

/** Anything a kiosk numbers: what the command centre ingests by (instance, seq). */
export const NumberedPayload = z.discriminatedUnion('schema', [
  SummaryPayload,
  EventPayload,
  AckPayload,
  PassagePayload,
]);
export type NumberedPayload = z.infer<typeof NumberedPayload>;

/** At most this many closed ranges beyond the first gap in a receipt. */
export const MAX_RECEIPT_RANGES = 32;

/** The command centre → a kiosk (retained): every seq ≤ upTo, and each range of `also`, is committed. */
export const ReceiptPayload = z
  .object({
    schema: z.literal('ckpt.receipt/1'),
    instance,
    upTo: z.number().int().min(0),
    also: z
      .array(z.tuple([Seq, Seq]).refine(([a, b]) => a <= b, 'a range runs from low to high'))
      .max(MAX_RECEIPT_RANGES),
    at: isoTime,
  })
  .strict();
export type ReceiptPayload = z.infer<typeof ReceiptPayload>;

/** The presence of one aggregator (retained, with a Will of online:false). */
export const CcStatePayload = z
  .object({ schema: z.literal('ckpt.cc-state/1'), online: z.boolean(), at: isoTime })
  .strict();
export type CcStatePayload = z.infer<typeof CcStatePayload>;

/** Republish a range of seq: no state changes, unsigned. */
export const CommandPayload = z
  .object({
    schema: z.literal('ckpt.command/1'),
    id: z.string().min(1).max(64),
    kind: z.literal('resend'),
    from: Seq,
    to: Seq,
  })
  .strict()
  .refine((c) => c.from <= c.to, { message: 'from must not exceed to', path: ['to'] });
export type CommandPayload = z.infer<typeof CommandPayload>;
