// The command centre's durable state: de-duplicated counts per checkpoint and per hour, online/offline,
// events, acks, published documents. Each message is applied in one transaction that also records its
// id, committed before the broker gets its PUBACK: a crash re-delivers it, and the id turns it away.

import { type Db, openDatabase } from '../../src/base/db.js';
import { areaName } from '../../src/contract/areas.js';
import type { AckPayload, AnyStatusPayload, EventPayload, SummaryPayload } from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import { startOfVietnamDay } from '../../src/contract/time.js';
import { CC_MIGRATIONS } from './migrations.js';
import {
  ackView,
  addTotals,
  alertView,
  COUNTER_COLUMNS,
  type CounterRow,
  counters,
  iso,
  publishedView,
  statusView,
  totalsOf,
} from './rows.js';
import {
  type CheckpointView,
  type DistrictView,
  emptyTotals,
  type HourView,
  type RejectedView,
  type Snapshot,
  type Totals,
} from './types.js';

const HOUR_MS = 3_600_000;
const SUM_COLUMNS = COUNTER_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ');
const ADD_COLUMNS = COUNTER_COLUMNS.map((c) => `${c} = ${c} + @${c}`).join(', ');

export type IngestResult = 'counted' | 'duplicate';

export interface CheckpointTotalsRow {
  district: string;
  checkpoint: string;
  total: Totals;
  summaries: number;
  events: number;
}

export class Ledger {
  private readonly s: ReturnType<typeof prepare>;

  constructor(readonly db: Db) {
    this.s = prepare(db);
  }

  /** Opens (creating and migrating) the database. Aggregators sharing the file may race to migrate. */
  static open(path: string): Ledger {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        return new Ledger(openDatabase(path, CC_MIGRATIONS));
      } catch (err) {
        lastError = err;
        // Another aggregator migrated at the same moment: opening again finds the schema done.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * (attempt + 1));
      }
    }
    throw lastError;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Changes when any connection (this or another aggregator's) commits: a cheap "anything new?". */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  ingestSummary(scope: TopicScope, p: SummaryPayload, nowMs: number): IngestResult {
    const windowStart = Date.parse(p.windowStart);
    return this.db
      .transaction((): IngestResult => {
        const fresh = this.s.markProcessed.run(
          scope.district,
          scope.checkpoint,
          p.id,
          'summary',
          windowStart,
          nowMs,
        );
        if (fresh.changes === 0) return 'duplicate';
        const c = counters(p);
        this.s.ensureCheckpoint.run(scope.district, scope.checkpoint);
        this.s.addCheckpoint.run({ ...c, district: scope.district, checkpoint: scope.checkpoint });
        const hour = Math.floor(windowStart / HOUR_MS) * HOUR_MS;
        this.s.ensureHour.run(hour, scope.district, scope.checkpoint);
        this.s.addHour.run({ ...c, hour_ms: hour, district: scope.district, checkpoint: scope.checkpoint });
        return 'counted';
      })
      .immediate();
  }

  ingestEvent(scope: TopicScope, p: EventPayload, nowMs: number): IngestResult {
    const at = Date.parse(p.at);
    return this.db
      .transaction((): IngestResult => {
        const fresh = this.s.markProcessed.run(scope.district, scope.checkpoint, p.id, 'event', at, nowMs);
        if (fresh.changes === 0) return 'duplicate';
        this.s.ensureCheckpoint.run(scope.district, scope.checkpoint);
        this.s.countEvent.run(scope.district, scope.checkpoint);
        this.s.insertEvent.run(
          p.id,
          scope.district,
          scope.checkpoint,
          at,
          nowMs,
          p.kind,
          p.decision,
          JSON.stringify(p.reasons),
          p.permit,
          p.direction,
          p.lane,
        );
        return 'counted';
      })
      .immediate();
  }

  ingestAck(scope: TopicScope, p: AckPayload, nowMs: number): void {
    this.s.upsertAck.run(
      scope.district,
      scope.checkpoint,
      p.typ,
      String(p.version),
      p.applied ? 1 : 0,
      p.error ?? null,
      nowMs,
    );
  }

  /**
   * Online/offline follows the latest status received. A live message is dated by our clock (the
   * Will's own `at` is the time the kiosk connected, not when it vanished); a retained one, delivered
   * when we subscribe, by its `at`, since it may be hours old.
   */
  applyStatus(scope: TopicScope, p: AnyStatusPayload, retained: boolean, nowMs: number): void {
    const stamp = retained ? Math.min(nowMs, Date.parse(p.at)) : nowMs;
    this.db
      .transaction(() => {
        this.s.ensureCheckpoint.run(scope.district, scope.checkpoint);
        const prev = this.s.getCheckpoint.get(scope.district, scope.checkpoint) as {
          online: number;
          last_seen_ms: number | null;
          changed_ms: number | null;
        };
        const online = p.online ? 1 : 0;
        const changed = prev.online !== online || prev.changed_ms === null ? stamp : prev.changed_ms;
        const lastSeen = p.online ? Math.max(prev.last_seen_ms ?? 0, stamp) : (prev.last_seen_ms ?? stamp);
        this.s.setStatus.run({
          district: scope.district,
          checkpoint: scope.checkpoint,
          online,
          status: p.online ? JSON.stringify(p) : null,
          last_seen_ms: lastSeen,
          changed_ms: changed,
        });
      })
      .immediate();
  }

  reject(reason: string, topic: string, nowMs: number): void {
    this.s.reject.run(reason, topic, nowMs);
  }

  recordPublished(
    r: { kind: string; typ: string; version: number; topic: string; retained: boolean; sha256: string },
    nowMs: number,
  ): void {
    this.s.insertPublished.run(r.kind, r.typ, r.version, r.topic, r.retained ? 1 : 0, nowMs, r.sha256);
  }

  /** The highest version published on any of these topics, or null. */
  lastPublishedVersion(topics: readonly string[]): number | null {
    let max: number | null = null;
    for (const topic of topics) {
      const v = (this.s.lastPublished.get(topic) as { v: number | null }).v;
      if (v !== null && (max === null || v > max)) max = v;
    }
    return max;
  }

  getKv(key: string): string | null {
    return (this.s.kvGet.get(key) as { value: string } | undefined)?.value ?? null;
  }

  setKv(key: string, value: string): void {
    this.s.kvSet.run(key, value);
  }

  /** All-time counts per checkpoint (what the load test compares with the kiosks' own). */
  totals(): CheckpointTotalsRow[] {
    return (this.s.allCheckpoints.all() as (CounterRow & Record<string, unknown>)[]).map((r) => ({
      district: r.district as string,
      checkpoint: r.checkpoint as string,
      total: totalsOf(r),
      summaries: r.summaries as number,
      events: r.events as number,
    }));
  }

  /** Ids counted for one checkpoint, in order of arrival. */
  arrivals(scope: TopicScope, kind?: 'summary' | 'event'): string[] {
    const rows = this.s.arrivals.all(scope.district, scope.checkpoint) as { id: string; kind: string }[];
    return rows.filter((r) => !kind || r.kind === kind).map((r) => r.id);
  }

  /** Forgets processed ids and events older than the horizon (messages that old are refused). */
  prune(horizonMs: number): { ids: number; events: number } {
    return this.db
      .transaction(() => ({
        ids: this.s.pruneProcessed.run(horizonMs).changes,
        events: this.s.pruneEvents.run(horizonMs).changes,
      }))
      .immediate();
  }

  snapshot(nowMs: number, limits = { alerts: 100, acks: 100 }): Omit<Snapshot, 'broker' | 'keyId'> {
    const dayStart = startOfVietnamDay(nowMs);
    const today = new Map<string, Totals>();
    for (const r of this.s.todayByCheckpoint.all(dayStart) as (CounterRow & Record<string, string>)[]) {
      today.set(`${r.district}/${r.checkpoint}`, totalsOf(r));
    }
    const checkpoints: CheckpointView[] = (this.s.allCheckpoints.all() as Record<string, unknown>[]).map(
      (r) => {
        const district = r.district as string;
        const checkpoint = r.checkpoint as string;
        return {
          district,
          districtName: areaName(district),
          checkpoint,
          online: r.online === 1,
          lastSeenAt: iso(r.last_seen_ms as number | null),
          changedAt: iso(r.changed_ms as number | null),
          status: statusView(r.status as string | null),
          today: today.get(`${district}/${checkpoint}`) ?? emptyTotals(),
          total: totalsOf(r as Partial<CounterRow>),
          summaries: r.summaries as number,
          events: r.events as number,
        };
      },
    );
    const districts = new Map<string, DistrictView>();
    for (const c of checkpoints) {
      let d = districts.get(c.district);
      if (!d) {
        d = { district: c.district, name: c.districtName, checkpoints: 0, online: 0, today: emptyTotals() };
        districts.set(c.district, d);
      }
      d.checkpoints++;
      if (c.online) d.online++;
      addTotals(d.today, c.today);
    }
    const firstHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
    const byHour = new Map<number, HourView>();
    for (let h = 0; h < 24; h++) {
      const start = firstHour + h * HOUR_MS;
      byHour.set(start, { hourStart: iso(start)!, allowed: 0, denied: 0, review: 0, people: 0 });
    }
    for (const r of this.s.hours.all(firstHour) as (CounterRow & { hour_ms: number })[]) {
      const h = byHour.get(r.hour_ms);
      if (!h) continue;
      h.allowed = r.in_allowed + r.out_allowed;
      h.denied = r.in_denied + r.out_denied;
      h.review = r.in_review + r.out_review;
      h.people = r.people;
    }
    return {
      now: iso(nowMs)!,
      checkpoints,
      districts: [...districts.values()].sort((a, b) => a.district.localeCompare(b.district)),
      hourly: [...byHour.values()],
      alerts: (this.s.recentEvents.all(limits.alerts) as Record<string, unknown>[]).map(alertView),
      acks: (this.s.recentAcks.all(limits.acks) as Record<string, unknown>[]).map(ackView),
      published: (this.s.recentPublished.all(20) as Record<string, unknown>[]).map(publishedView),
      rejected: (this.s.rejected.all() as Record<string, unknown>[]).map(
        (r): RejectedView => ({
          reason: r.reason as string,
          count: r.count as number,
          lastTopic: r.last_topic as string | null,
          lastAt: iso(r.last_ms as number | null),
        }),
      ),
    };
  }
}

function prepare(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  return {
    markProcessed: p(`INSERT OR IGNORE INTO processed (district, checkpoint, id, kind, at_ms, received_ms)
      VALUES (?, ?, ?, ?, ?, ?)`),
    ensureCheckpoint: p('INSERT OR IGNORE INTO checkpoints (district, checkpoint) VALUES (?, ?)'),
    addCheckpoint: p(`UPDATE checkpoints SET ${ADD_COLUMNS}, summaries = summaries + 1
      WHERE district = @district AND checkpoint = @checkpoint`),
    countEvent: p('UPDATE checkpoints SET events = events + 1 WHERE district = ? AND checkpoint = ?'),
    ensureHour: p('INSERT OR IGNORE INTO hourly (hour_ms, district, checkpoint) VALUES (?, ?, ?)'),
    addHour: p(`UPDATE hourly SET ${ADD_COLUMNS}
      WHERE hour_ms = @hour_ms AND district = @district AND checkpoint = @checkpoint`),
    insertEvent: p(`INSERT INTO events (id, district, checkpoint, at_ms, received_ms, kind, decision, reasons,
      permit, direction, lane) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertAck: p(`INSERT INTO acks (district, checkpoint, typ, version, applied, error, received_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (district, checkpoint, typ, version) DO UPDATE SET
      applied = excluded.applied, error = excluded.error, received_ms = excluded.received_ms`),
    getCheckpoint: p(
      'SELECT online, last_seen_ms, changed_ms FROM checkpoints WHERE district = ? AND checkpoint = ?',
    ),
    setStatus: p(`UPDATE checkpoints SET online = @online, status = COALESCE(@status, status),
      last_seen_ms = @last_seen_ms, changed_ms = @changed_ms
      WHERE district = @district AND checkpoint = @checkpoint`),
    reject: p(`INSERT INTO rejected (reason, count, last_topic, last_ms) VALUES (?, 1, ?, ?)
      ON CONFLICT (reason) DO UPDATE SET count = count + 1, last_topic = excluded.last_topic,
      last_ms = excluded.last_ms`),
    insertPublished: p(`INSERT INTO published (kind, typ, version, topic, retained, at_ms, sha256)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    lastPublished: p('SELECT max(version) AS v FROM published WHERE topic = ?'),
    kvGet: p('SELECT value FROM kv WHERE key = ?'),
    kvSet: p(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    allCheckpoints: p('SELECT * FROM checkpoints ORDER BY district, checkpoint'),
    arrivals: p('SELECT id, kind FROM processed WHERE district = ? AND checkpoint = ? ORDER BY seq'),
    todayByCheckpoint: p(
      `SELECT district, checkpoint, ${SUM_COLUMNS} FROM hourly WHERE hour_ms >= ? GROUP BY district, checkpoint`,
    ),
    hours: p(`SELECT hour_ms, ${SUM_COLUMNS} FROM hourly WHERE hour_ms >= ? GROUP BY hour_ms`),
    recentEvents: p('SELECT * FROM events ORDER BY seq DESC LIMIT ?'),
    recentAcks: p('SELECT * FROM acks ORDER BY received_ms DESC LIMIT ?'),
    recentPublished: p('SELECT * FROM published ORDER BY seq DESC LIMIT ?'),
    rejected: p('SELECT * FROM rejected ORDER BY reason'),
    pruneProcessed: p('DELETE FROM processed WHERE at_ms < ?'),
    pruneEvents: p('DELETE FROM events WHERE at_ms < ?'),
  };
}
