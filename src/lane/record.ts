// Writing the lane's records: a manual entry as a passage, and an override as a chained `override`
// audit event naming the passage it lets through. One transaction each: the record, its share of the
// summary window and its MQTT event commit together, before the guard sees them.
import { KioskError } from '../api/errors.js';
import type { Decision, Direction, ReasonCode } from '../api/reasons.js';
import type { AuditChain } from '../audit/chain-log.js';
import { maskIdNumber } from '../permit/view.js';
import type { PassageInput } from '../store/passage.js';
import type { Store } from '../store/store.js';
import type { ManualPerson } from './manual.js';
import { checkOverride, OVERRIDE_WINDOW_MS } from './override.js';
import type { LaneVehicle } from './vehicle.js';

/** Who did it: the guard's account and shift, when shifts are in use. */
export interface Attribution {
  userId: number | null;
  userName: string | null;
  shiftId: number | null;
}

export interface ManualContext extends Attribution {
  atMs: number;
  lane: string;
  direction: Direction;
  letThrough: boolean;
  /** HMAC of the full ID number (src/audit/idn.ts), for exact search. */
  idnHmac: string | null;
}

/** A manual entry as a passage: source `manual`, REVIEW (nothing was verified), the guard's choice. */
export function manualPassage(person: ManualPerson, vehicle: LaneVehicle, ctx: ManualContext): PassageInput {
  return {
    atMs: ctx.atMs,
    lane: ctx.lane,
    direction: ctx.direction,
    source: 'manual',
    decision: 'REVIEW',
    reasons: [],
    person: { holderName: person.name, idMasked: maskIdNumber(person.idNumber), purpose: person.purpose },
    vehiclePlate: vehicle.plate,
    vehicleType: vehicle.type,
    people: vehicle.people,
    passengers: vehicle.passengers,
    letThrough: ctx.letThrough,
    note: person.reason,
    userId: ctx.userId,
    shiftId: ctx.shiftId,
    idnHmac: ctx.idnHmac,
  };
}

export interface OverrideRecord {
  eventId: number;
  passageId: number;
  atMs: number;
  by: string | null;
  reason: string;
  /** The supervisor who approved it, when the policy requires one. */
  supervisor: string | null;
  decision: Decision;
  reasons: ReasonCode[];
}

interface TargetRow {
  id: number;
  at_ms: number;
  decision: Decision;
  reasons: string;
  let_through: number;
  direction: Direction;
  lane: string;
  permit_hash: string | null;
  shift_id: number | null;
}

/**
 * Lets a DENY or REVIEW passage through (spec/policy.md "Overrides"). The passage itself is never
 * changed: the override is an audit event in the same hash chain, with the guard, the shift, the
 * reason and the verdict it overrode. Anti-passback then counts the passage as let through.
 */
export function overridePassage(
  store: Store,
  chain: AuditChain,
  passageId: number,
  reason: string,
  nowMs: number,
  who: Attribution,
  windowMs = OVERRIDE_WINDOW_MS,
  /** The approving supervisor (policy `overrideRequiresSupervisor`), recorded in the event. */
  approval: { userId: number; name: string; login: string } | null = null,
): OverrideRecord {
  const db = store.db;
  return db
    .transaction((): OverrideRecord => {
      const row = db
        .prepare(`SELECT id, at_ms, decision, reasons, let_through, direction, lane, permit_hash, shift_id
          FROM passages WHERE id = ?`)
        .get(passageId) as TargetRow | undefined;
      const existing = db
        .prepare(`SELECT id FROM audit_events WHERE passage_id = ? AND kind = 'override' LIMIT 1`)
        .get(passageId) as { id: number } | undefined;
      const target = row
        ? { id: row.id, atMs: row.at_ms, decision: row.decision, letThrough: row.let_through === 1 }
        : null;
      const clean = checkOverride(target, existing?.id ?? null, reason, nowMs, windowMs);
      if (!row) throw new KioskError('PASSAGE_NOT_FOUND', 'Không tìm thấy lượt qua này', 'No such passage');
      // With shifts in use, a guard answers for the passages of their own shift only.
      if (who.shiftId !== null && row.shift_id !== null && row.shift_id !== who.shiftId) {
        throw new KioskError(
          'NOT_YOUR_SHIFT',
          'Chỉ được cho qua lượt thuộc ca trực của mình',
          'Only passages of your own shift can be overridden',
        );
      }
      const reasons = JSON.parse(row.reasons) as ReasonCode[];
      const event = chain.append({
        atMs: nowMs,
        kind: 'override',
        userId: who.userId,
        userName: who.userName,
        shiftId: who.shiftId,
        passageId,
        details: {
          reason: clean,
          decision: row.decision,
          reasons,
          direction: row.direction,
          lane: row.lane,
          ...(approval
            ? { supervisor: approval.name, supervisorId: approval.userId, supervisorLogin: approval.login }
            : {}),
        },
      });
      store.recordOverrideEffects({
        atMs: nowMs,
        direction: row.direction,
        lane: row.lane,
        decision: row.decision,
        reasons,
        permitHash: row.permit_hash,
      });
      return {
        eventId: event.id,
        passageId,
        atMs: nowMs,
        by: who.userName,
        reason: clean,
        supervisor: approval?.name ?? null,
        decision: row.decision,
        reasons,
      };
    })
    .immediate();
}

/** The override of a passage, if one was recorded (for the screen and the duplicate view). */
export function overrideOf(store: Store, passageId: number): { reason: string; atMs: number } | null {
  const r = store.db
    .prepare(`SELECT at_ms, details FROM audit_events WHERE passage_id = ? AND kind = 'override'
      ORDER BY id LIMIT 1`)
    .get(passageId) as { at_ms: number; details: string } | undefined;
  if (!r) return null;
  const d = JSON.parse(r.details) as { reason?: unknown };
  return { reason: typeof d.reason === 'string' ? d.reason : '', atMs: r.at_ms };
}
