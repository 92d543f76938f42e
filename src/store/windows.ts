// Summary windows in the database (spec/mqtt.md `summary`): every passage, unreadable scan and change
// of decision adds to the open window in the transaction that records it; a window's summary goes to
// the outbox when it ends (aligned to the clock) or early at shift end. A closed window never takes
// anything more: a record joins the first open window after it.
import type { Db } from '../base/db.js';
import type { TopicScope } from '../contract/mqtt-topics.js';
import { emptySummary, type SummaryData, toSummaryPayload, windowStartOf } from '../contract/summary.js';

export class SummaryWindows {
  private readonly s;

  constructor(
    db: Db,
    readonly windowMs: number,
    private readonly scope: TopicScope,
    private readonly toOutbox: (payload: object, nowMs: number) => void,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      closedUntil: p(`SELECT window_start_ms + window_ms AS end FROM summary_windows WHERE closed = 1
        ORDER BY window_start_ms DESC LIMIT 1`),
      get: p('SELECT window_ms AS len, data FROM summary_windows WHERE window_start_ms = ?'),
      upsert: p(`INSERT INTO summary_windows (window_start_ms, window_ms, data, closed) VALUES (?, ?, ?, 0)
        ON CONFLICT (window_start_ms) DO UPDATE SET data = excluded.data`),
      due: p(`SELECT window_start_ms AS start, window_ms AS len, data FROM summary_windows
        WHERE closed = 0 AND window_start_ms + window_ms <= ? ORDER BY window_start_ms`),
      open: p(`SELECT window_start_ms AS start, window_ms AS len, data FROM summary_windows
        WHERE closed = 0 AND window_start_ms < ? ORDER BY window_start_ms`),
      close: p('UPDATE summary_windows SET closed = 1, window_ms = ? WHERE window_start_ms = ?'),
    };
  }

  /** Changes the window of atMs. Call inside the transaction that records what it counts. */
  update(atMs: number, change: (d: SummaryData) => void): void {
    const closedUntil = (this.s.closedUntil.get() as { end: number } | undefined)?.end ?? 0;
    const aligned = windowStartOf(atMs, this.windowMs);
    const start = Math.max(aligned, closedUntil);
    const stored = this.s.get.get(start) as { len: number; data: string } | undefined;
    // A window opened after an early close (shift end) still ends at the clock's boundary.
    const end = aligned + this.windowMs;
    const len = stored?.len ?? (end > start ? end - start : this.windowMs);
    const data = readData(stored?.data);
    change(data);
    this.s.upsert.run(start, len, JSON.stringify(data));
  }

  /** Sends every window that ended at or before nowMs. Call inside a transaction. Returns how many. */
  closeDue(nowMs: number): number {
    const due = this.s.due.all(nowMs) as { start: number; len: number; data: string }[];
    for (const w of due) this.send(w.start, w.len, w.data, nowMs);
    return due.length;
  }

  /** Sends the open window now, ending it early (shift end). Call inside a transaction. */
  closeOpen(nowMs: number): number {
    const open = this.s.open.all(nowMs) as { start: number; len: number; data: string }[];
    for (const w of open) this.send(w.start, Math.min(w.len, nowMs - w.start), w.data, nowMs);
    return open.length;
  }

  private send(start: number, len: number, data: string, nowMs: number): void {
    this.toOutbox(toSummaryPayload(this.scope, start, len, readData(data)), nowMs);
    this.s.close.run(len, start);
  }
}

/** Windows written before a field existed read as zero for it. */
function readData(raw: string | undefined): SummaryData {
  return raw ? { ...emptySummary(), ...(JSON.parse(raw) as Partial<SummaryData>) } : emptySummary();
}
