// Retention (DESIGN.md "Storage"): personal fields of passages older than the retention period (default
// 30 days) are erased on a schedule, salt included, so the chain still verifies (src/store/chain.ts)
// and the counts stay. A run works in slices: each erases a bounded number of rows for about a
// millisecond in one transaction, then hands the event loop back (through the injected timers) so that
// scans, calls and the Electron shell's pings go on meanwhile. The run's progress is kept in the kv table
// in every slice's transaction, so a run cut short (a crash, a kill, a stop) is taken up where it was at
// the next start, and the status shows it. Audit or nothing: the slice that erases the first rows also
// writes the chained `purge_start` event, the one that erases the last rows the `purge` event. Then, at
// most daily, the name index is tidied a few pages a slice, so the erased names' words leave the file.

import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { AuditChain } from '../store/chain-log.js';
import { RetentionSql, type RunRecord } from './retention-sql.js';

export const DEFAULT_RETENTION_DAYS = 30;
const DAY = 86_400_000;

export interface RetentionOptions {
  days: number;
  now: () => number;
  /** How often the schedule runs; default hourly. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
  /** The schedule's and the slices' timers; tests move a clock (with `now`). */
  timers?: Timers;
  /** Rows erased at most in one slice (one transaction); default 500. */
  sliceRows?: number;
  /** A slice ends once it has worked this long, by `clock` (ms); default 1. */
  sliceMs?: number;
  /** The monotonic clock that times a slice (performance.now). */
  clock?: () => number;
  /**
   * What one erasing slice may cost, commit included, by `clock` (ms); default 8. Its commit flushes
   * every page the slice touched (a row, its indexes, the name index): 2 ms of statements committed in
   * up to 90 ms on a virtual disk, and a scan waits behind it. The rows of a slice follow its cost.
   */
  sliceCommitMs?: number;
  /**
   * The name index is tidied (merged, a whole rewrite) after a run that erased rows, at most this often
   * (default daily): the erased names' words leave the file within that time.
   */
  tidyEveryMs?: number;
  /** The run under way: at its start, at most every `progressEveryMs` of `now`, and at its end (null). */
  onProgress?: (progress: PurgeProgress | null) => void;
  progressEveryMs?: number;
}

/** A run of the purge. */
export interface PurgeProgress {
  /** Personal data recorded before this instant (epoch ms) is being erased. */
  beforeMs: number;
  startedMs: number;
  /** Rows erased by this run so far, before a restart included. */
  done: number;
  /** Rows that were due when the run started; null while they are being counted. */
  total: number | null;
  /** The run was cut short (a crash, a stop) and taken up again. */
  resumed: boolean;
  phase: 'counting' | 'erasing' | 'tidying';
}

export interface PurgeResult {
  purged: number;
  before: string;
  /** The run was stopped before its end (it resumes at the next start). */
  stopped?: true;
}

export type PurgeBy = { userId: number; name: string } | null;

/** The first run comes this long after start, off the start path. */
export const FIRST_PURGE_DELAY_MS = 5_000;

interface Run {
  record: RunRecord;
  /** Passages counted so far and where the count stands, while `record.total` is null. */
  counting: { n: number; at: number; id: number };
  lastReportMs: number;
  waiters: { resolve: (r: PurgeResult) => void; reject: (err: unknown) => void }[];
  onEnd: ((err: unknown) => void) | null;
}

export class Retention {
  private schedule: TimerHandle | null = null;
  private slice: TimerHandle | null = null;
  private run: Run | null = null;
  private stopped = false;
  /** Rows the next erasing slice may take: halved after a slice over its cost, grown after a cheap one. */
  private sliceCap = 32;
  private readonly sql: RetentionSql;

  constructor(
    db: Db,
    private readonly chain: AuditChain,
    private readonly opts: RetentionOptions,
  ) {
    this.sql = new RetentionSql(db);
  }

  /** Personal data recorded before this instant is erased. */
  cutoff(): number {
    return this.opts.now() - this.opts.days * DAY;
  }

  /** The run under way, or null. */
  progress(): PurgeProgress | null {
    return this.run ? view(this.run.record) : null;
  }

  /**
   * Erases what is due, a slice at a time; resolves when the run ends. A run cut short earlier is taken
   * up first. A call while a run is under way joins it. Audited when it erased something, or always
   * when asked by a person (`by`).
   */
  purge(by: PurgeBy = null): Promise<PurgeResult> {
    if (this.stopped) {
      return Promise.resolve({ purged: 0, before: new Date(this.cutoff()).toISOString(), stopped: true });
    }
    return new Promise((resolve, reject) => {
      const run = this.run ?? this.begin(by, null);
      run.waiters.push({ resolve, reject });
    });
  }

  start(): void {
    if (this.schedule || this.stopped) return;
    this.scheduleRun(FIRST_PURGE_DELAY_MS);
  }

  /** Ends the schedule and the run under way, which keeps its progress for the next start. */
  stop(): void {
    this.stopped = true;
    if (this.schedule) this.timers().clearTimeout(this.schedule);
    this.schedule = null;
    if (this.slice) this.timers().clearTimeout(this.slice);
    this.slice = null;
    const run = this.run;
    this.run = null;
    if (run) this.finish(run, null, true);
  }

  private scheduleRun(ms: number): void {
    const timer = this.timers().setTimeout(() => {
      this.schedule = null;
      const next = () => {
        if (!this.stopped) this.scheduleRun(this.opts.intervalMs ?? 3_600_000);
      };
      if (this.run) {
        // A run asked for by a person is still going: the schedule waits for the next interval.
        next();
        return;
      }
      this.begin(null, (err) => {
        if (err) (this.opts.onError ?? ((e) => log.error('retention: purge failed', e)))(err);
        next();
      });
    }, ms);
    timer.unref?.();
    this.schedule = timer;
  }

  private begin(by: PurgeBy, onEnd: Run['onEnd']): Run {
    const saved = this.sql.savedRun();
    const nowMs = this.opts.now();
    const record: RunRecord = saved
      ? { ...saved, resumed: true }
      : {
          beforeMs: this.cutoff(),
          startedMs: nowMs,
          done: 0,
          total: null,
          by,
          started: false,
          resumed: false,
        };
    const run: Run = {
      record,
      counting: { n: 0, at: Number.MIN_SAFE_INTEGER, id: Number.MIN_SAFE_INTEGER },
      lastReportMs: nowMs,
      waiters: [],
      onEnd,
    };
    this.run = run;
    this.opts.onProgress?.(view(record));
    this.next(run);
    return run;
  }

  /** The next slice, after the event loop has served what waits. */
  private next(run: Run): void {
    const timer = this.timers().setTimeout(() => {
      this.slice = null;
      if (this.run !== run) return;
      try {
        if (this.step(run)) {
          this.run = null;
          this.finish(run, null, false);
          return;
        }
      } catch (err) {
        this.run = null;
        this.finish(run, err, false);
        return;
      }
      this.report(run);
      this.next(run);
    }, 0);
    this.slice = timer;
  }

  /** One slice: counting what is due, erasing, or tidying the name index. True when the run is over. */
  private step(run: Run): boolean {
    const r = run.record;
    if (r.total === null) {
      const c = this.sql.countSlice(r.beforeMs, run.counting);
      run.counting = c.cursor;
      if (!c.finished) return false;
      r.total = c.counted;
      return false;
    }
    const clock = this.opts.clock ?? (() => performance.now());
    const sliceMs = this.opts.sliceMs ?? 1;
    if (r.erased) {
      const t0 = clock();
      return this.sql.tidySlice(() => clock() - t0 >= sliceMs, this.opts.now());
    }
    if (this.erase(run, clock, sliceMs)) {
      r.erased = true;
      return !this.sql.tidyDue(this.opts.now(), this.opts.tidyEveryMs ?? DAY);
    }
    return false;
  }

  /** One slice of erasing; true when everything due is erased (and the run's end audited). */
  private erase(run: Run, clock: () => number, sliceMs: number): boolean {
    const r = run.record;
    const cap = Math.min(this.opts.sliceRows ?? 500, this.sliceCap);
    const began = clock();
    const done = this.sql.transaction(() => {
      const t0 = clock();
      let erased = 0;
      let finished = false;
      while (erased < cap) {
        const want = Math.min(32, cap - erased);
        const n = this.sql.erase(r.beforeMs, want);
        erased += n;
        if (n < want) {
          finished = true;
          break;
        }
        if (clock() - t0 >= sliceMs) break;
      }
      const atMs = this.opts.now();
      if (erased > 0 && !r.started) {
        this.audit('purge_start', atMs, r, { expected: r.total });
        r.started = true;
      }
      r.done += erased;
      if (!finished) {
        this.sql.saveRun(r, atMs);
        return false;
      }
      if (r.done > 0 || r.by)
        this.audit('purge', atMs, r, { rows: r.done, ...(r.resumed ? { resumed: true } : {}) });
      if (r.done > 0) this.sql.markTidy(atMs);
      this.sql.clearRun();
      return true;
    });
    const took = clock() - began;
    const budget = this.opts.sliceCommitMs ?? 8;
    if (took > budget) this.sliceCap = Math.max(1, Math.floor(cap / 2));
    else if (took < budget / 2) this.sliceCap = Math.min(500, cap + Math.max(1, Math.floor(cap / 4)));
    return done;
  }

  private audit(
    kind: 'purge_start' | 'purge',
    atMs: number,
    r: RunRecord,
    extra: Record<string, unknown>,
  ): void {
    this.chain.append({
      atMs,
      kind,
      userId: r.by?.userId ?? null,
      userName: r.by?.name ?? null,
      details: { before: new Date(r.beforeMs).toISOString(), days: this.opts.days, ...extra },
    });
  }

  private report(run: Run): void {
    const nowMs = this.opts.now();
    if (nowMs - run.lastReportMs < (this.opts.progressEveryMs ?? 1000)) return;
    run.lastReportMs = nowMs;
    this.opts.onProgress?.(view(run.record));
  }

  private finish(run: Run, err: unknown, stopped: boolean): void {
    this.opts.onProgress?.(null);
    const result: PurgeResult = {
      purged: run.record.done,
      before: new Date(run.record.beforeMs).toISOString(),
      ...(stopped ? { stopped: true as const } : {}),
    };
    for (const w of run.waiters) {
      if (err) w.reject(err);
      else w.resolve(result);
    }
    run.onEnd?.(err);
  }

  private timers(): Timers {
    return this.opts.timers ?? systemTimers;
  }
}

function view(r: RunRecord): PurgeProgress {
  return {
    beforeMs: r.beforeMs,
    startedMs: r.startedMs,
    done: r.done,
    total: r.total,
    resumed: r.resumed,
    phase: r.total === null ? 'counting' : r.erased ? 'tidying' : 'erasing',
  };
}
