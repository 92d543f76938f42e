// Checkpoint configuration per spec/policy.md: one zod schema gives both the type and the validation.
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
export const AREA_CODE = /^\d{2}(-\d{3}(-\d{5})?)?$/;
export const AreaCode = z.string().regex(AREA_CODE, 'area code like 01-009 or 01-009-00337');

export const ZoneLevel = z.enum(['red', 'orange', 'yellow', 'green']);
export type ZoneLevel = z.infer<typeof ZoneLevel>;

export const CheckpointKind = z.enum(['district-entry', 'green-zone', 'lockdown', 'mobile']);
export type CheckpointKind = z.infer<typeof CheckpointKind>;

export const Policy = z
  .object({
    curfew: z.tuple([hhmm, hhmm]).nullable().default(null),
    refuseOriginLevels: z.array(ZoneLevel).default(['red', 'orange']),
    exemptPurposes: z.array(z.string()).default(['medical', 'emergency', 'official']),
    duplicateWindowSeconds: z.number().int().min(0).max(3600).default(30),
    antiPassback: z.enum(['off', 'review', 'deny']).default('review'),
    /** A let-through passage older than this no longer makes ALREADY_INSIDE (spec/policy.md). */
    antiPassbackHours: z
      .number()
      .positive()
      .max(24 * 366)
      .default(24),
    /** A peer kiosk of the area not heard from for this long makes the shared history incomplete. */
    peerStaleSeconds: z.number().int().min(10).max(86_400).default(120),
    notBeforeToleranceSeconds: z.number().int().min(0).max(86_400).default(300),
    /** An override needs a supervisor's name and PIN besides the guard's reason (spec/policy.md). */
    overrideRequiresSupervisor: z.boolean().default(false),
    health: z
      .object({
        required: z.boolean().default(false),
        testHours: z.number().positive().default(72),
        vaccinationDays: z.number().min(0).default(14),
        recoveryDays: z.number().positive().default(180),
        /** A health proof and a permit scanned at one lane this close together belong to one passage. */
        pairSeconds: z.number().int().min(1).max(3600).default(120),
      })
      .prefault({}),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

export const CheckpointConfig = z
  .object({
    checkpoint: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/, 'letters, digits, _ . - (no MQTT wildcards)'),
        name: z.string().max(200).optional(),
        district: AreaCode,
        area: AreaCode,
        kind: CheckpointKind,
        lanes: z.array(z.string().min(1).max(16)).min(1).default(['1']),
      })
      .strict(),
    policy: Policy.prefault({}),
  })
  .strict();
export type CheckpointConfig = z.infer<typeof CheckpointConfig>;
export type CheckpointConfigInput = z.input<typeof CheckpointConfig>;
