// Overrides (spec/policy.md "Overrides"): a guard lets a DENY or REVIEW passage through with a written
// reason. The passage is never changed: the override is an audit event in the same hash chain naming
// it, with the guard, the shift, the reason, the verdict it overrode and any supervisor's approval.
import type { Db } from '../base/db.js';
import { KioskError } from '../contract/errors.js';
import type { EventPayload } from '../contract/mqtt.js';
import type { Decision, Direction, ReasonCode } from '../contract/reasons.js';
import { checkOverride, OVERRIDE_WINDOW_MS } from '../lane/override.js';
import type { OverrideRecorded, OverrideRequest } from '../lane/types.js';
import type { AuditChain } from './chain-log.js';

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
  area: string;
}

/** The passage an override lets through, for the shared history's `passage` message. */
export interface OverriddenPassage {
  atMs: number;
  area: string;
}

/**
 * Records the override and, through `effects` (in the same transaction), what the command centre hears
 * of it. Anti-passback then counts the passage as let through. Throws a bilingual KioskError.
 */
export function overridePassage(
  db: Db,
  chain: AuditChain,
  o: OverrideRequest,
  effects: (
    e: Pick<EventPayload, 'decision' | 'reasons' | 'permit' | 'lane'> & { direction: Direction },
    passage: OverriddenPassage,
  ) => void,
  windowMs = OVERRIDE_WINDOW_MS,
): OverrideRecorded {
  const { passageId, reason, atMs: nowMs, who, approval } = o;
  return db
    .transaction((): OverrideRecorded => {
      const row = db
        .prepare(`SELECT id, at_ms, decision, reasons, let_through, direction, lane, permit_hash, shift_id,
          area FROM passages WHERE id = ?`)
        .get(passageId) as TargetRow | undefined;
      const existing = db
        .prepare(`SELECT id FROM audit_events WHERE passage_id = ? AND kind = 'override' LIMIT 1`)
        .get(passageId) as { id: number } | undefined;
      const target = row
        ? { id: row.id, atMs: row.at_ms, decision: row.decision, letThrough: row.let_through === 1 }
        : null;
      const clean = checkOverride(target, existing?.id ?? null, reason, nowMs, windowMs);
      if (!row) throw new KioskError('PASSAGE_NOT_FOUND', 'Không tìm thấy lượt qua này', 'No such passage');
      // A guard answers for the passages of their own shift only.
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
      effects(
        {
          decision: row.decision,
          reasons,
          permit: row.permit_hash,
          direction: row.direction,
          lane: row.lane,
        },
        { atMs: row.at_ms, area: row.area },
      );
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
