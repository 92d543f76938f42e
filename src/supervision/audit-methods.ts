// The supervisor's side of the kiosk API: search, the event log, "verify log", hourly flow,
// CSV and PDF exports and the retention purge. A part: the constructor stores, start()/stop() schedule.

import { randomUUID } from 'node:crypto';
import type { Caller, CallerSession, Implementation } from '../api/dispatch.js';
import { hourlyFlow, listEvents } from '../audit/queries.js';
import { type PurgeBy, type PurgeProgress, Retention } from '../audit/retention.js';
import { PassageSearch } from '../audit/search.js';
import type { AuthService } from '../auth/service.js';
import { parseTime } from '../auth/service.js';
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { MethodName, PurgeStatus } from '../contract/api.js';
import type { FileResult, SearchFilters, VerifyResult } from '../contract/api-audit.js';
import { KioskError } from '../contract/errors.js';
import { formatVnTime, vietnamIsoDate } from '../contract/time.js';
import { passagesCsvFromNewest } from '../reports/csv.js';
import { renderShiftReportInWorker } from '../reports/pdf-in-worker.js';
import { gatherShiftReport, type ShiftReportData } from '../reports/shift-report.js';
import { type AuditChain, startVerify, type VerifyRun } from '../store/chain-log.js';
import { type IdnKey, idnTokenCheck } from '../store/idn.js';
import type { Store } from '../store/store.js';

/** An export holds at most this many rows: a month of a busy lane. Narrow the filters for more. */
export const MAX_EXPORT_ROWS = 100_000;

export interface AuditServiceOptions {
  checkpoint: ShiftReportData['checkpoint'];
  retentionDays: number;
  now: () => number;
  /** The retention purge's schedule and slices; tests move a clock. */
  timers?: Timers;
  /** The retention purge under way (its start, about every second, its end: null). */
  onPurgeProgress?: (progress: PurgeStatus | null) => void;
}

type AuditMethods = Pick<
  Implementation,
  Extract<MethodName, `audit.${string}` | `export.${string}` | 'retention.purge'>
>;

export class AuditService {
  readonly search: PassageSearch;
  readonly retention: Retention;

  constructor(
    private readonly db: Db,
    private readonly store: Store,
    private readonly chain: AuditChain,
    private readonly auth: AuthService,
    private readonly idn: IdnKey,
    private readonly opts: AuditServiceOptions,
  ) {
    this.search = new PassageSearch(db, idn);
    this.retention = new Retention(db, chain, {
      days: opts.retentionDays,
      now: opts.now,
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(opts.onPurgeProgress
        ? { onProgress: (p: PurgeProgress | null) => opts.onPurgeProgress?.(p && purgeStatus(p)) }
        : {}),
    });
  }

  start(): void {
    this.retention.start();
  }

  stop(): void {
    this.retention.stop();
  }

  private now(): number {
    return this.opts.now();
  }

  private need(c: Caller): CallerSession {
    if (!c.session) throw new KioskError('UNAUTHENTICATED', 'Cần đăng nhập', 'Login required');
    return c.session;
  }

  private audit(kind: string, s: CallerSession | null, details: Record<string, unknown>, shiftId?: number) {
    return this.chain.append({
      atMs: this.now(),
      kind,
      userId: s?.userId ?? null,
      userName: s?.displayName ?? null,
      shiftId: shiftId ?? null,
      details,
    });
  }

  /**
   * Runs "verify log" (or joins the run under way) and waits for it up to `waitMs`: millions of rows
   * take longer than a call may, so a caller gets the progress (done: false) and calls again. The
   * finished run is audited; a broken chain is also an alert for the command centre.
   */
  async verify(by: CallerSession | null, waitMs = 10_000): Promise<VerifyResult> {
    if (!this.verifying) {
      const run = startVerify(this.db, { tokens: idnTokenCheck(this.idn) });
      this.verifying = run;
      void run.done
        .then((r) => this.verified(by, r))
        .catch((err) => log.error('audit: verify failed', err))
        .finally(() => {
          if (this.verifying === run) this.verifying = null;
        });
    }
    const run = this.verifying;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      run.done.then((r) => r),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), waitMs);
      }),
    ]);
    clearTimeout(timer);
    return finished ?? run.progress();
  }

  private verifying: VerifyRun | null = null;

  /** The retention purge under way, as the status shows it, or null. */
  purgeStatus(): PurgeStatus | null {
    const p = this.retention.progress();
    return p && purgeStatus(p);
  }

  /**
   * Runs the retention purge now (or joins the run under way) and waits for it up to `waitMs`: a large
   * backlog takes longer than a call may, so the caller then gets what is erased so far with
   * `running: true`, and the status shows the rest.
   */
  async purgeNow(
    by: PurgeBy,
    waitMs = 10_000,
  ): Promise<{ purged: number; before: string; running?: boolean }> {
    const run = this.retention.purge(by);
    run.catch(() => {}); // reported to the caller below when it fails in time, else by the schedule's log
    const timers = this.opts.timers ?? systemTimers;
    let timer: TimerHandle | undefined;
    const ended = await Promise.race([
      run,
      new Promise<null>((resolve) => {
        timer = timers.setTimeout(() => resolve(null), waitMs);
      }),
    ]).finally(() => {
      if (timer) timers.clearTimeout(timer);
    });
    if (ended) return { purged: ended.purged, before: ended.before };
    const p = this.retention.progress();
    return {
      purged: p?.done ?? 0,
      before: new Date(p?.beforeMs ?? this.retention.cutoff()).toISOString(),
      running: p !== null,
    };
  }

  private verified(by: CallerSession | null, result: VerifyResult): void {
    this.audit('verify', by, {
      ok: result.ok,
      checked: result.checked,
      broken: result.broken,
      head: result.head?.hash ?? null,
    });
    if (!result.ok) {
      this.store.enqueue('event', {
        schema: 'ckpt.event/2',
        id: randomUUID(),
        at: new Date(this.now()).toISOString(),
        kind: 'tamper',
        decision: null,
        reasons: [],
        permit: null,
        direction: null,
        lane: null,
      });
    }
  }

  async shiftReport(shiftId: number): Promise<{ data: ShiftReportData; pdf: Buffer }> {
    const shift = this.auth.shifts.view(this.auth.shifts.get(shiftId));
    const data = await gatherShiftReport(this.db, shift, this.opts.checkpoint, this.now());
    return { data, pdf: await renderShiftReportInWorker(data) };
  }

  private stamp(): string {
    // File names in Vietnam time, like everything a person reads.
    const now = this.now();
    return `${vietnamIsoDate(now).replaceAll('-', '')}-${formatVnTime(now).replace(':', '')}`;
  }

  methods(): AuditMethods {
    return {
      'audit.search': async (p) => {
        const { limit, before, ...filters } = p;
        return this.search.search(filters, limit, before);
      },
      'audit.passage': async (p) => this.search.get(p.id),
      'audit.events': async (p) =>
        listEvents(this.db, {
          fromMs: p.from ? parseTime(p.from, 'from') : 0,
          toMs: p.to ? parseTime(p.to, 'to') : Number.MAX_SAFE_INTEGER,
          kinds: p.kinds,
          beforeId: p.before ?? Number.MAX_SAFE_INTEGER,
          limit: p.limit,
        }),
      'audit.verify': async (_p, c) => this.verify(this.need(c)),
      'audit.flow': async (p) => {
        if (p.shiftId !== undefined) {
          const s = this.auth.shifts.get(p.shiftId);
          return hourlyFlow(this.db, s.opened_ms, (s.closed_ms ?? this.now()) + 1, s.id);
        }
        const to = p.to ? parseTime(p.to, 'to') : this.now();
        const from = p.from ? parseTime(p.from, 'from') : to - 24 * 3_600_000;
        if (to <= from) throw new KioskError('BAD_PARAMS', 'Khoảng thời gian rỗng', 'Empty time range');
        return hourlyFlow(this.db, from, to);
      },
      'export.csv': async (p, c) => {
        const { lang, ...filters } = p;
        const csv = passagesCsvFromNewest(this.search.pages(filters as SearchFilters, MAX_EXPORT_ROWS), lang);
        // The audit keeps which filters were used, never their values (names, ID numbers).
        this.audit('export', this.need(c), { format: 'csv', rows: csv.rows, filters: Object.keys(filters) });
        return file(
          `luot-qua_${this.opts.checkpoint.id}_${this.stamp()}.csv`,
          'text/csv; charset=utf-8',
          csv.bytes,
          csv.rows,
        );
      },
      'export.shiftReport': async (p, c) => {
        const { data, pdf } = await this.shiftReport(p.shiftId);
        this.audit('export', this.need(c), { format: 'pdf', shiftId: p.shiftId }, p.shiftId);
        const rows = data.byHour.reduce(
          (n, h) =>
            n + h.in.allowed + h.in.denied + h.in.review + h.out.allowed + h.out.denied + h.out.review,
          0,
        );
        return file(`bao-cao-ca-${p.shiftId}_${this.opts.checkpoint.id}.pdf`, 'application/pdf', pdf, rows);
      },
      'retention.purge': async (_p, c) => {
        const s = this.need(c);
        return this.purgeNow({ userId: s.userId, name: s.displayName });
      },
    };
  }
}

function purgeStatus(p: PurgeProgress): PurgeStatus {
  return {
    before: new Date(p.beforeMs).toISOString(),
    startedAt: new Date(p.startedMs).toISOString(),
    done: p.done,
    total: p.total,
    resumed: p.resumed,
    phase: p.phase,
  };
}

function file(filename: string, mime: string, bytes: Buffer, rows: number): FileResult {
  return { filename, mime, base64: bytes.toString('base64'), rows };
}
