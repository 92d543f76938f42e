// Overrides (spec/policy.md "Overrides"): the guard of the open shift lets a DENY or REVIEW passage of
// that shift through, with a written reason of at least 10 characters. The passage keeps its original
// decision and reasons; the override is a chained audit event naming the guard and the reason, counted
// in the summary window and announced to the command centre as an `override` event.
import { KioskError } from '../api/errors.js';
import type { Decision, Direction, ReasonCode } from '../api/reasons.js';
import type { CallerSession } from '../api/dispatch.js';
import type { Db } from '../store/db.js';
import type { Store } from '../store/store.js';
import type { OverrideView } from './api-schema.js';
import type { AuditChain } from './chain-log.js';

interface Row {
  id: number;
  decision: Decision;
  reasons: string;
  direction: Direction;
  lane: string;
  permit_hash: string | null;
  shift_id: number | null;
}

export class Overrides {
  private readonly get;
  private readonly existing;

  constructor(
    db: Db,
    private readonly store: Pick<Store, 'recordOverride'>,
    private readonly chain: AuditChain,
  ) {
    this.get = db.prepare(
      'SELECT id, decision, reasons, direction, lane, permit_hash, shift_id FROM passages WHERE id = ?',
    );
    this.existing = db.prepare(`SELECT id FROM audit_events WHERE kind = 'override' AND passage_id = ? LIMIT 1`);
  }

  override(passageId: number, reason: string, by: CallerSession, shiftId: number, atMs: number): OverrideView {
    const text = reason.trim();
    if (text.length < 10) {
      throw new KioskError(
        'REASON_TOO_SHORT',
        'Lý do phải có ít nhất 10 ký tự',
        'The reason must be at least 10 characters',
      );
    }
    const p = this.get.get(passageId) as Row | undefined;
    if (!p) throw new KioskError('PASSAGE_NOT_FOUND', `Không có lượt qua số ${passageId}`, `No passage ${passageId}`);
    if (p.shift_id !== shiftId) {
      throw new KioskError(
        'NOT_YOUR_SHIFT',
        'Chỉ được cho qua lượt thuộc ca của mình',
        'Only passages of your own shift can be overridden',
      );
    }
    if (p.decision === 'ALLOW') {
      throw new KioskError('NOTHING_TO_OVERRIDE', 'Lượt này đã được cho qua', 'This passage was already allowed');
    }
    if (this.existing.get(passageId)) {
      throw new KioskError('ALREADY_OVERRIDDEN', 'Lượt này đã được cho qua thủ công', 'Already overridden');
    }
    const reasons = JSON.parse(p.reasons) as ReasonCode[];
    const ev = this.store.recordOverride(
      atMs,
      { direction: p.direction, decision: p.decision, reasons, permitHash: p.permit_hash, lane: p.lane },
      () =>
        this.chain.append({
          atMs,
          kind: 'override',
          userId: by.userId,
          userName: by.displayName,
          shiftId,
          passageId,
          details: { reason: text, decision: p.decision, reasons },
        }),
    );
    return { eventId: ev.id, at: new Date(atMs).toISOString(), by: by.displayName, reason: text };
  }
}
