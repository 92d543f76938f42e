// Shifts: a guard opens one (one open shift per kiosk), hands it over with notes when closing it, and a
// supervisor signs it off. Closing records the chain head (the hash of the close event itself); the
// sign-off re-verifies the shift's stretch of the chain and seals that hash in its own chained event.

import { OVERRIDDEN_SQL } from '../audit/search.js';
import type { Db } from '../base/db.js';
import type { ShiftCounts, ShiftView } from '../contract/api-audit.js';
import { KioskError } from '../contract/errors.js';
import { type AuditChain, verifyLogSync } from '../store/chain-log.js';
import { FINAL_DECISION_SQL } from '../store/final-decision.js';
import type { UserRow } from './users.js';

export interface ShiftRow {
  id: number;
  user_id: number;
  lane: string;
  opened_ms: number;
  previous_shift_id: number | null;
  closed_ms: number | null;
  closed_by: number | null;
  handover_notes: string | null;
  close_seq: number | null;
  close_hash: string | null;
  signed_ms: number | null;
  signed_by: number | null;
  signoff_note: string | null;
  signoff_seq: number | null;
  guard: string;
  closed_by_name: string | null;
  signed_by_name: string | null;
}

const SELECT = `SELECT s.*, g.display_name AS guard, c.display_name AS closed_by_name,
  v.display_name AS signed_by_name FROM shifts s JOIN users g ON g.id = s.user_id
  LEFT JOIN users c ON c.id = s.closed_by LEFT JOIN users v ON v.id = s.signed_by`;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class Shifts {
  private readonly s;
  /** The open shift, kept in memory: every scan asks for it. */
  private open: ShiftRow | null = null;

  constructor(
    private readonly db: Db,
    private readonly chain: AuditChain,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      get: p(`${SELECT} WHERE s.id = ?`),
      current: p(`${SELECT} WHERE s.closed_ms IS NULL`),
      previous: p(`${SELECT} WHERE s.closed_ms IS NOT NULL ORDER BY s.id DESC LIMIT 1`),
      list: p(`${SELECT} WHERE s.opened_ms >= ? AND s.opened_ms < ? AND s.id < ? ORDER BY s.id DESC LIMIT ?`),
      insert: p('INSERT INTO shifts (user_id, lane, opened_ms, previous_shift_id) VALUES (?, ?, ?, ?)'),
      close: p(
        `UPDATE shifts SET closed_ms = ?, closed_by = ?, handover_notes = ? WHERE id = ? AND closed_ms IS NULL`,
      ),
      seal: p('UPDATE shifts SET close_seq = ?, close_hash = ? WHERE id = ?'),
      signoff: p(
        'UPDATE shifts SET signed_ms = ?, signed_by = ?, signoff_note = ?, signoff_seq = ? WHERE id = ?',
      ),
      counts: p(`SELECT ${FINAL_DECISION_SQL('p')} AS decision, count(*) AS n, sum(people) AS people
        FROM passages p WHERE p.shift_id IS NOT NULL AND p.shift_id = ? GROUP BY 1`),
      overridden: p(`SELECT count(*) AS n FROM passages p WHERE p.shift_id IS NOT NULL AND p.shift_id = ?
        AND ${OVERRIDDEN_SQL}`),
      closeDetails: p('SELECT details FROM audit_events WHERE seq = ?'),
      openEvent: p(
        `SELECT seq FROM audit_events WHERE kind = 'shift_open' AND shift_id = ? ORDER BY seq LIMIT 1`,
      ),
    };
  }

  /** Loads the open shift left by the previous run (a crash or restart keeps the shift open). */
  start(): void {
    this.open = (this.s.current.get() as ShiftRow | undefined) ?? null;
  }

  current(): ShiftRow | null {
    return this.open;
  }

  previous(): ShiftRow | null {
    return (this.s.previous.get() as ShiftRow | undefined) ?? null;
  }

  get(id: number): ShiftRow {
    const r = this.s.get.get(id) as ShiftRow | undefined;
    if (!r) throw new KioskError('SHIFT_NOT_FOUND', `Không có ca số ${id}`, `No shift ${id}`);
    return r;
  }

  list(fromMs: number, toMs: number, beforeId: number, limit: number): { rows: ShiftRow[]; more: boolean } {
    const rows = this.s.list.all(fromMs, toMs, beforeId, limit + 1) as ShiftRow[];
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  openShift(guard: UserRow, lane: string, nowMs: number): ShiftRow {
    const id = this.db
      .transaction(() => {
        if (this.s.current.get()) {
          const c = this.s.current.get() as ShiftRow;
          throw new KioskError(
            'SHIFT_ALREADY_OPEN',
            `Ca của ${c.guard} đang mở: ca đó phải bàn giao (đóng ca) trước`,
            `${c.guard}'s shift is open: it must be handed over (closed) first`,
          );
        }
        const previous = this.previous();
        const info = this.s.insert.run(guard.id, lane, nowMs, previous?.id ?? null);
        const shiftId = Number(info.lastInsertRowid);
        this.chain.append({
          atMs: nowMs,
          kind: 'shift_open',
          userId: guard.id,
          userName: guard.display_name,
          shiftId,
          details: { lane, previousShiftId: previous?.id ?? null },
        });
        return shiftId;
      })
      .immediate();
    this.open = this.get(id);
    return this.open;
  }

  closeShift(by: UserRow, notes: string, nowMs: number): ShiftRow {
    const open = this.open;
    if (!open) throw new KioskError('NO_SHIFT', 'Không có ca nào đang mở', 'No shift is open');
    if (by.role === 'guard' && by.id !== open.user_id) {
      throw new KioskError(
        'NOT_YOUR_SHIFT',
        `Ca đang mở là của ${open.guard}`,
        `The open shift belongs to ${open.guard}`,
      );
    }
    this.db
      .transaction(() => {
        this.s.close.run(nowMs, by.id, notes || null, open.id);
        const counts = this.counts(open.id);
        const ev = this.chain.append({
          atMs: nowMs,
          kind: 'shift_close',
          userId: by.id,
          userName: by.display_name,
          shiftId: open.id,
          details: { notes, counts },
        });
        this.s.seal.run(ev.seq, ev.hash, open.id);
      })
      .immediate();
    this.open = null;
    return this.get(open.id);
  }

  signoff(id: number, by: UserRow, note: string, nowMs: number): ShiftRow {
    const shift = this.get(id);
    if (shift.closed_ms === null || shift.close_seq === null || shift.close_hash === null) {
      throw new KioskError('SHIFT_OPEN', 'Ca chưa đóng: chưa thể ký xác nhận', 'The shift is not closed yet');
    }
    if (shift.signed_ms !== null) {
      throw new KioskError(
        'SHIFT_SIGNED',
        `Ca đã được ${shift.signed_by_name ?? ''} ký xác nhận`,
        `The shift was already signed off by ${shift.signed_by_name ?? ''}`,
      );
    }
    // Re-verify the shift's own stretch of the chain: nobody signs for a log that was edited.
    const openSeq = (this.s.openEvent.get(id) as { seq: number } | undefined)?.seq ?? shift.close_seq;
    const check = verifyLogSync(this.db, Math.max(0, openSeq - 1), shift.close_seq);
    if (!check.ok || check.head?.hash !== shift.close_hash) {
      const b = check.broken;
      const where = b ? `${b.table} #${b.id}` : `seq ${shift.close_seq}`;
      throw new KioskError(
        'CHAIN_BROKEN',
        `Sổ của ca không còn nguyên vẹn (dòng ${where}): không thể ký xác nhận`,
        `The shift's log does not verify (row ${where}): cannot sign off`,
      );
    }
    this.db
      .transaction(() => {
        const ev = this.chain.append({
          atMs: nowMs,
          kind: 'shift_signoff',
          userId: by.id,
          userName: by.display_name,
          shiftId: id,
          details: { note, sealedSeq: shift.close_seq, sealedHash: shift.close_hash },
        });
        this.s.signoff.run(nowMs, by.id, note || null, ev.seq, id);
      })
      .immediate();
    return this.get(id);
  }

  counts(shiftId: number): ShiftCounts {
    const out: ShiftCounts = { allowed: 0, denied: 0, review: 0, overridden: 0, people: 0 };
    const rows = this.s.counts.all(shiftId) as { decision: string; n: number; people: number }[];
    for (const r of rows) {
      if (r.decision === 'ALLOW') out.allowed += r.n;
      else if (r.decision === 'DENY') out.denied += r.n;
      else out.review += r.n;
      out.people += r.people ?? 0;
    }
    out.overridden = (this.s.overridden.get(shiftId) as { n: number }).n;
    return out;
  }

  view(r: ShiftRow): ShiftView {
    return {
      id: r.id,
      userId: r.user_id,
      guard: r.guard,
      lane: r.lane,
      openedAt: new Date(r.opened_ms).toISOString(),
      closedAt: iso(r.closed_ms),
      closedBy: r.closed_by_name,
      handoverNotes: r.handover_notes,
      previousShiftId: r.previous_shift_id,
      closeHash: r.close_hash,
      signedAt: iso(r.signed_ms),
      signedBy: r.signed_by_name,
      signoffNote: r.signoff_note,
      counts: this.frozenCounts(r) ?? this.counts(r.id),
    };
  }

  /** A closed shift's counts as its close event recorded them: lists of shifts stay fast. */
  private frozenCounts(r: ShiftRow): ShiftCounts | null {
    if (r.close_seq === null) return null;
    const row = this.s.closeDetails.get(r.close_seq) as { details: string } | undefined;
    try {
      const counts = row ? (JSON.parse(row.details) as { counts?: ShiftCounts }).counts : undefined;
      return counts ?? null;
    } catch {
      return null;
    }
  }
}
