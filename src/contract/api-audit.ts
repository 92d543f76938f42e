// The kiosk API of roles, shifts and the audit: users and sessions, shifts with handover and
// sign-off, overrides, search, verification of the log, charts and exports. Spread into `methods` in
// src/contract/api.ts. No Node imports: the renderer bundles this file.
import { z } from 'zod';
import { Decision, Direction, ReasonCode, ScanSource } from './reasons.js';

export const ROLES = ['guard', 'supervisor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** A login name: letters (Vietnamese included), digits, dot, dash, underscore; compared case-blind. */
export const UserName = z
  .string()
  .trim()
  .min(2)
  .max(32)
  .regex(/^[\p{L}\p{N}._-]+$/u, 'letters, digits, . _ -');
/** PINs are 6 to 12 digits: with the lockout, 6 digits take years to guess online. */
export const Pin = z.string().regex(/^\d{6,12}$/, '6–12 digits');
const DisplayName = z.string().trim().min(1).max(80);
const Iso = z.string();

export const UserView = z.object({
  id: z.number().int(),
  name: z.string(),
  displayName: z.string(),
  role: Role,
  disabled: z.boolean(),
  failedCount: z.number().int(),
  lockedUntil: Iso.nullable(),
  createdAt: Iso,
});
export type UserView = z.infer<typeof UserView>;

export const ShiftCounts = z.object({
  allowed: z.number().int(),
  denied: z.number().int(),
  review: z.number().int(),
  overridden: z.number().int(),
  people: z.number().int(),
});
export type ShiftCounts = z.infer<typeof ShiftCounts>;

export const ShiftView = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  guard: z.string(),
  lane: z.string(),
  openedAt: Iso,
  closedAt: Iso.nullable(),
  closedBy: z.string().nullable(),
  handoverNotes: z.string().nullable(),
  previousShiftId: z.number().int().nullable(),
  /** Chain head when the shift closed: the hash a sign-off seals. */
  closeHash: z.string().nullable(),
  signedAt: Iso.nullable(),
  signedBy: z.string().nullable(),
  signoffNote: z.string().nullable(),
  counts: ShiftCounts,
});
export type ShiftView = z.infer<typeof ShiftView>;

export const SessionView = z.object({
  user: z.object({ id: z.number().int(), name: z.string(), displayName: z.string(), role: Role }),
  expiresAt: Iso,
  /** Sent back in the X-Kiosk-CSRF header on cookie-authenticated HTTP calls. */
  csrfToken: z.string(),
  /** The kiosk's open shift, if any (whoever opened it). */
  shift: ShiftView.nullable(),
});
export type SessionView = z.infer<typeof SessionView>;

/** A guard's decision to let a passage through: an override event, or a manual entry let through. */
export const OverrideView = z.object({
  /** The override's audit event; null for a manual entry (its reason is the entry's note). */
  eventId: z.number().int().nullable(),
  at: Iso,
  by: z.string().nullable(),
  reason: z.string(),
});
export type OverrideView = z.infer<typeof OverrideView>;

/** A passage as the audit shows it. Personal fields are null once purged. */
export const AuditPassage = z.object({
  id: z.number().int(),
  seq: z.number().int(),
  at: Iso,
  lane: z.string(),
  direction: Direction,
  source: ScanSource,
  decision: Decision,
  reasons: z.array(ReasonCode),
  letThrough: z.boolean(),
  iss: z.string().nullable(),
  cti: z.string().nullable(),
  permitHash: z.string().nullable(),
  purpose: z.string().nullable(),
  holderName: z.string().nullable(),
  idMasked: z.string().nullable(),
  vehiclePlate: z.string().nullable(),
  vehicleType: z.string().nullable(),
  people: z.number().int(),
  shiftId: z.number().int().nullable(),
  guard: z.string().nullable(),
  purged: z.boolean(),
  override: OverrideView.nullable(),
});
export type AuditPassage = z.infer<typeof AuditPassage>;

const Cursor = z.object({ at: z.number().int(), id: z.number().int() }).strict();

/** Search filters: every given filter must match (AND). Newest first. */
export const SearchFilters = z
  .object({
    /** Any part of the plate's start, compared normalised (`29a-123` finds `29A-123.45`). */
    plate: z.string().trim().min(2).max(20).optional(),
    /** Words of the holder's name, accents optional (`nguyen hang` finds `Nguyễn Thị Hằng`). */
    name: z.string().trim().min(2).max(100).optional(),
    /** A full ID number (9 or 12 digits, matched exactly) or its last 4 digits. */
    idn: z
      .string()
      .trim()
      .regex(/^(\d{4}|\d{9}|\d{12})$/, '4, 9 or 12 digits')
      .optional(),
    /** A permit serial (cti) or a permit hash (64 hex). */
    permit: z.string().trim().min(1).max(256).optional(),
    from: Iso.optional(),
    to: Iso.optional(),
    decision: Decision.optional(),
    reason: ReasonCode.optional(),
    shiftId: z.number().int().positive().optional(),
    /** Only passages a guard overrode. */
    overridden: z.boolean().optional(),
  })
  .strict();
export type SearchFilters = z.infer<typeof SearchFilters>;

export const SearchParams = SearchFilters.extend({
  limit: z.number().int().min(1).max(500).default(100),
  before: Cursor.optional(),
}).strict();
export type SearchParams = z.input<typeof SearchParams>;

export const SearchResult = z.object({
  rows: z.array(AuditPassage),
  /** Where the next page starts; null at the end. */
  next: Cursor.nullable(),
  tookMs: z.number(),
  /** A very common name with other filters was looked for among its newest 50,000 matches only. */
  partial: z.boolean().optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const AUDIT_KINDS = [
  'login',
  'login_failed',
  'lockout',
  'logout',
  'shift_open',
  'shift_close',
  'shift_signoff',
  'override',
  'export',
  'verify',
  'user_create',
  'user_update',
  'pin_change',
  'config_change',
  'document',
  'purge',
  // A purge's first rows erased (the `purge` event follows with its last ones).
  'purge_start',
  'startup',
  // A scan that yielded no permit (its first characters only), a scan with nobody on duty (the permit's
  // hash only), and a passage completed by a health proof scanned after it.
  'unreadable',
  'no_shift_scan',
  'amendment',
  // The ID-number key replaced and every search token re-keyed (`kiosk idn-key rotate`).
  'idn_key_rotate',
] as const;
export const AuditKind = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditEventView = z.object({
  id: z.number().int(),
  seq: z.number().int(),
  at: Iso,
  kind: AuditKind,
  user: z.string().nullable(),
  shiftId: z.number().int().nullable(),
  passageId: z.number().int().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

export const ChainBreak = z.object({
  table: z.enum(['passages', 'audit_events']),
  id: z.number().int(),
  seq: z.number().int(),
  problem: z.enum([
    'previous_hash',
    'hash',
    'personal_data',
    'purge_incomplete',
    'sequence',
    'version',
    'id_tokens',
  ]),
});
export type ChainBreak = z.infer<typeof ChainBreak>;

export const VerifyResult = z.object({
  /** False while a long log is still being checked: call again to follow it (ok = nothing broken yet). */
  done: z.boolean(),
  ok: z.boolean(),
  checked: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  broken: ChainBreak.nullable(),
  tookMs: z.number(),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

const DirCounts = z.object({
  allowed: z.number().int(),
  denied: z.number().int(),
  review: z.number().int(),
  overridden: z.number().int(),
});
export const FlowHour = z.object({ hour: Iso, in: DirCounts, out: DirCounts });
export type FlowHour = z.infer<typeof FlowHour>;

/** A file for the client to save: CSV or PDF, base64 so that every transport carries it alike. */
export const FileResult = z.object({
  filename: z.string(),
  mime: z.string(),
  base64: z.string(),
  rows: z.number().int(),
});
export type FileResult = z.infer<typeof FileResult>;

const Ok = z.object({ ok: z.literal(true) });
const Empty = z.object({}).strict();
const Range = z.object({ from: Iso.optional(), to: Iso.optional() });

export const auditMethods = {
  'auth.login': {
    params: z.object({ name: z.string().trim().min(1).max(64), pin: z.string().min(1).max(64) }).strict(),
    result: SessionView,
  },
  'auth.logout': { params: Empty, result: Ok },
  'auth.whoami': { params: Empty, result: SessionView.nullable() },
  'auth.changePin': {
    params: z.object({ currentPin: z.string().max(64), newPin: Pin }).strict(),
    result: Ok,
  },
  'users.list': { params: Empty, result: z.array(UserView) },
  'users.create': {
    params: z.object({ name: UserName, displayName: DisplayName, role: Role, pin: Pin }).strict(),
    result: UserView,
  },
  'users.update': {
    params: z
      .object({
        id: z.number().int().positive(),
        displayName: DisplayName.optional(),
        role: Role.optional(),
        disabled: z.boolean().optional(),
        pin: Pin.optional(),
        unlock: z.literal(true).optional(),
      })
      .strict(),
    result: UserView,
  },
  /** The kiosk's open shift and the last closed one (its handover notes). */
  'shift.current': {
    params: Empty,
    result: z.object({ shift: ShiftView.nullable(), previous: ShiftView.nullable() }),
  },
  'shift.open': { params: Empty, result: ShiftView },
  /** Closes the open shift with handover notes; a guard's session ends with it. */
  'shift.close': {
    params: z.object({ notes: z.string().trim().max(2000).default('') }).strict(),
    result: ShiftView,
  },
  'shift.list': {
    params: Range.extend({
      limit: z.number().int().min(1).max(200).default(50),
      before: z.number().int().positive().optional(),
    }).strict(),
    result: z.object({ shifts: z.array(ShiftView), more: z.boolean() }),
  },
  'shift.get': { params: z.object({ id: z.number().int().positive() }).strict(), result: ShiftView },
  'shift.signoff': {
    params: z
      .object({ id: z.number().int().positive(), note: z.string().trim().max(1000).default('') })
      .strict(),
    result: ShiftView,
  },
  /** Lets a denied or review passage through: needs a reason of at least 10 characters (policy.md). */
  'passage.override': {
    params: z
      // The reason's rules (≥ 10 characters, letters, ≤ 500) are checked by src/lane/override.ts, which
      // explains a refusal in Vietnamese and English; here only a bound on the size.
      .object({
        passageId: z.number().int().positive(),
        reason: z.string().max(2000),
        // A supervisor's approval, needed when the policy's overrideRequiresSupervisor is on.
        supervisor: z
          .object({ name: z.string().max(64), pin: z.string().max(64) })
          .strict()
          .optional(),
      })
      .strict(),
    result: OverrideView,
  },
  'audit.search': { params: SearchParams, result: SearchResult },
  'audit.passage': { params: z.object({ id: z.number().int().positive() }).strict(), result: AuditPassage },
  'audit.events': {
    params: Range.extend({
      kinds: z.array(AuditKind).max(AUDIT_KINDS.length).optional(),
      limit: z.number().int().min(1).max(500).default(100),
      before: z.number().int().positive().optional(),
    }).strict(),
    result: z.object({ events: z.array(AuditEventView), more: z.boolean() }),
  },
  'audit.verify': { params: Empty, result: VerifyResult },
  'audit.flow': {
    params: z
      .object({ from: Iso.optional(), to: Iso.optional(), shiftId: z.number().int().positive().optional() })
      .strict(),
    result: z.array(FlowHour),
  },
  'export.csv': {
    params: SearchFilters.extend({ lang: z.enum(['vi', 'en']).default('vi') }).strict(),
    result: FileResult,
  },
  'export.shiftReport': {
    params: z.object({ shiftId: z.number().int().positive() }).strict(),
    result: FileResult,
  },
  /** Runs the retention purge now (it also runs on a schedule). */
  'retention.purge': {
    params: Empty,
    // `running`: the run goes on after this answer (its progress is in the status); `purged` so far.
    result: z.object({ purged: z.number().int(), before: Iso, running: z.boolean().optional() }),
  },
} as const;
