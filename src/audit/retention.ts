// Retention (DESIGN.md "Storage"): personal fields of passages older than the retention period (default
// 30 days) are erased on a schedule, salt included, so the chain still verifies (src/store/chain.ts)
// and the counts stay; the purge itself is a chained audit event. Small batches, each its own
// transaction, so a scan is never kept waiting long behind a purge.

import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { AuditChain } from '../store/chain-log.js';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY = 86_400_000;
const BATCH = 2000;

export interface RetentionOptions {
  days: number;
  now: () => number;
  /** How often the schedule runs; default hourly. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
  /** The schedule's timer; tests move a clock (with `now`). */
  timers?: Timers;
}

/** The first run comes this long after start, off the start path. */
export const FIRST_PURGE_DELAY_MS = 5_000;

export class Retention {
  private timer: TimerHandle | null = null;
  private readonly batch;

  constructor(
    private readonly db: Db,
    private readonly chain: AuditChain,
    private readonly opts: RetentionOptions,
  ) {
    this.batch = db.prepare(`UPDATE passages SET holder_name = NULL, id_masked = NULL, vehicle_plate = NULL,
      raw_preview = NULL, idn_hmac = NULL, note = NULL, personal_salt = NULL, idn_full = NULL, idn_tail = NULL,
      idn_mac = NULL, purged = 1
      WHERE id IN (SELECT id FROM passages WHERE purged = 0 AND at_ms < ? LIMIT ${BATCH})`);
  }

  /** Personal data recorded before this instant is erased. */
  cutoff(): number {
    return this.opts.now() - this.opts.days * DAY;
  }

  /**
   * Erases what is due. Audited when it erased something, or always when asked by a person (`by`).
   */
  purge(by: { userId: number; name: string } | null = null): { purged: number; before: string } {
    const before = this.cutoff();
    let purged = 0;
    for (;;) {
      const n = this.db.transaction(() => this.batch.run(before).changes).immediate();
      purged += n;
      if (n < BATCH) break;
    }
    if (purged > 0 || by) {
      this.chain.append({
        atMs: this.opts.now(),
        kind: 'purge',
        userId: by?.userId ?? null,
        userName: by?.name ?? null,
        details: { before: new Date(before).toISOString(), rows: purged, days: this.opts.days },
      });
    }
    return { purged, before: new Date(before).toISOString() };
  }

  start(): void {
    if (this.timer) return;
    this.schedule(FIRST_PURGE_DELAY_MS);
  }

  private schedule(ms: number): void {
    this.timer = this.timers().setTimeout(() => {
      try {
        this.purge();
      } catch (err) {
        (this.opts.onError ?? ((e) => log.error('retention: purge failed', e)))(err);
      }
      if (this.timer) this.schedule(this.opts.intervalMs ?? 3_600_000);
    }, ms);
    this.timer.unref?.();
  }

  private timers(): Timers {
    return this.opts.timers ?? systemTimers;
  }

  stop(): void {
    if (this.timer) this.timers().clearTimeout(this.timer);
    this.timer = null;
  }
}
