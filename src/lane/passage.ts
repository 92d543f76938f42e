// What the core hands the store for one passage, validated before anything is written.
import { z } from 'zod';
import { KioskError } from '../contract/errors.js';
import type { ManualPerson } from '../contract/manual-entry.js';
import { Decision, Direction, ReasonCode, ScanSource } from '../contract/reasons.js';
import type { LaneVehicle } from '../contract/vehicle.js';
import type { VerifiedPermit } from '../formats/types.js';
import { codePoints, LIMITS } from '../formats/vnp1-claims.js';

/**
 * A holder's name bounded exactly as the permit rules bound it (code points: 200 astral characters are
 * 400 UTF-16 units). zod 4.6 happens to count code points too; the store must not depend on that.
 */
const HolderName = z
  .string()
  .refine((s) => codePoints(s) <= LIMITS.namChars, `at most ${LIMITS.namChars} characters`);

export const PassageInput = z
  .object({
    atMs: z.number().int().min(0),
    lane: z.string().min(1).max(16),
    direction: Direction,
    source: ScanSource,
    decision: Decision,
    reasons: z.array(ReasonCode).max(32),
    permit: z
      .object({
        hash: z.string().regex(/^[0-9a-f]{64}$/),
        iss: z.string().max(256),
        cti: z.string().max(256),
        holderName: HolderName.nullable(),
        purpose: z.string().max(64).nullable(),
      })
      .strict()
      .nullable()
      .default(null),
    vehiclePlate: z.string().max(20).nullable().default(null),
    /** From the permit or typed by the guard; unknown types count as `other` in summaries. */
    vehicleType: z.string().max(32).nullable().default(null),
    /** First characters of an unreadable scan, for the guard and the audit only. */
    rawPreview: z.string().max(200).nullable().default(null),
    /** Persons in this passage (a vehicle's passengers included). */
    people: z.number().int().min(1).max(100).default(1),
    letThrough: z.boolean(),
    /** The guard and shift the passage belongs to (the kiosk's open shift), if any. */
    userId: z.number().int().positive().nullable().default(null),
    shiftId: z.number().int().positive().nullable().default(null),
    /**
     * The holder's ID number, in memory only: the store keeps search tokens made with a key outside the
     * database (src/store/idn.ts), never the number nor its last digits.
     */
    idn: z
      .string()
      .regex(/^[0-9A-Z]{6,12}$/)
      .nullable()
      .default(null),
    /** A person recorded without a permit (manual entry, src/contract/manual-entry.ts). */
    person: z
      .object({
        holderName: HolderName,
        purpose: z.string().max(64).nullable(),
      })
      .strict()
      .nullable()
      .default(null),
    /** People in the vehicle besides the person checked (people counts them too). */
    passengers: z.number().int().min(0).max(99).default(0),
    /** The guard's written reason (a manual entry's). Personal: purged with the name. */
    note: z.string().max(1000).nullable().default(null),
  })
  .strict();
export type PassageInput = z.input<typeof PassageInput>;
export type Passage = z.infer<typeof PassageInput>;

export function parsePassage(input: unknown): Passage {
  const r = PassageInput.safeParse(input);
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new KioskError(
    'PASSAGE_INVALID',
    `Dữ liệu lượt qua không hợp lệ: ${detail}`,
    `Invalid passage: ${detail}`,
  );
}

/** A passage as read back from the log. */
export interface PassageRow {
  id: number;
  atMs: number;
  checkpointId: string;
  area: string;
  lane: string;
  direction: Direction;
  source: ScanSource;
  decision: Decision;
  reasons: ReasonCode[];
  permitHash: string | null;
  iss: string | null;
  cti: string | null;
  holderName: string | null;
  idMasked: string | null;
  purpose: string | null;
  vehiclePlate: string | null;
  vehicleType: string | null;
  rawPreview: string | null;
  people: number;
  letThrough: boolean;
  purged: boolean;
  prevHash: string;
  hash: string;
}

export interface PassageContext {
  atMs: number;
  lane: string;
  direction: Direction;
  /** The open shift's guard, who answers for the lane whatever the source. */
  who: { userId: number | null; shiftId: number | null };
}

/** A judged permit scan (readable, verified or not) as the passage to record. */
export function permitPassage(
  j: { decision: Decision; reasons: ReasonCode[] },
  permit: VerifiedPermit | null,
  vehicle: LaneVehicle,
  ctx: PassageContext & { source: ScanSource; preview: string | null },
): PassageInput {
  return {
    atMs: ctx.atMs,
    lane: ctx.lane,
    direction: ctx.direction,
    source: ctx.source,
    decision: j.decision,
    reasons: j.reasons,
    permit: permit && {
      hash: permit.hash,
      iss: permit.iss,
      cti: permit.cti,
      holderName: permit.permit.nam,
      purpose: permit.permit.pur,
    },
    // A permit that did not verify: only its first characters, for the guard and the audit.
    rawPreview: permit ? null : ctx.preview,
    vehiclePlate: vehicle.plate,
    vehicleType: vehicle.type,
    people: vehicle.people,
    passengers: vehicle.passengers,
    letThrough: j.decision === 'ALLOW',
    userId: ctx.who.userId,
    shiftId: ctx.who.shiftId,
    idn: permit?.permit.idn ?? null,
  };
}

/** A manual entry as a passage: source `manual`, REVIEW (nothing was verified), the guard's choice. */
export function manualPassage(
  person: ManualPerson,
  vehicle: LaneVehicle,
  ctx: PassageContext & { letThrough: boolean },
): PassageInput {
  return {
    atMs: ctx.atMs,
    lane: ctx.lane,
    direction: ctx.direction,
    source: 'manual',
    decision: 'REVIEW',
    reasons: [],
    person: { holderName: person.name, purpose: person.purpose },
    vehiclePlate: vehicle.plate,
    vehicleType: vehicle.type,
    people: vehicle.people,
    passengers: vehicle.passengers,
    letThrough: ctx.letThrough,
    note: person.reason,
    userId: ctx.who.userId,
    shiftId: ctx.who.shiftId,
    idn: person.idNumber,
  };
}
