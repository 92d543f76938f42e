// The command centre's durable state (spec/mqtt.md v2): per kiosk instance, the seq ranges held, the
// counts, online/offline; events, acks, passages, published documents. Each numbered message is applied
// in one transaction that also adds its (instance, seq) to the ranges held, committed before the broker
// gets its PUBACK and before any receipt covers it: a copy finds its seq held and changes nothing.

import { randomUUID } from 'node:crypto';
import { type Db, openDatabase } from '../../src/base/db.js';
import { KioskError } from '../../src/contract/errors.js';
import type { AnyStatusPayload, NumberedPayload } from '../../src/contract/mqtt.js';
import { MAX_RECEIPT_RANGES } from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import { receiptOf, type SeqRange } from '../../src/contract/receipts.js';
import { startOfVietnamDay } from '../../src/contract/time.js';
import { prepare, type Statements } from './ledger-sql.js';
import { CC_MIGRATIONS } from './migrations.js';
import { Presence } from './presence.js';
import { type CounterRow, counters, parseStatus } from './rows.js';
import {
  firstHourOf,
  type Gap,
  gapOf,
  gapsOf,
  type HeldRow,
  hourViews,
  type KioskRow,
  ledgerSnapshot,
  ledgerTotals,
  type SnapshotRows,
} from './snapshot.js';
import { type AreaView, type CheckpointTotalsRow, type HourView, SILENT_MS, type Snapshot } from './types.js';

const HOUR_MS = 3_600_000;

export type IngestResult = 'counted' | 'duplicate';

/** A kiosk instance: its topic scope and the instance its messages carry. */
export interface InstanceScope extends TopicScope {
  instance: string;
}

export interface Receipt {
  upTo: number;
  also: [number, number][];
}

/** A `postgres://` or `postgresql://` URL names a PostgreSQL database; anything else is a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

/** The URL without its password, for a message. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

export class Ledger {
  private readonly s: Statements;
  private readonly presence: Presence;

  constructor(readonly db: Db) {
    this.s = prepare(db);
    this.presence = new Presence(db);
  }

  /** Opens (creating and migrating) the database. Aggregators sharing the file may race to migrate. */
  static open(path: string): Ledger {
    if (isPostgresUrl(path)) {
      // Never a SQLite file named after a server: the ledger would silently live on this machine.
      throw new KioskError(
        'STORE_OPEN_FAILED',
        `${redactUrl(path)} là một cơ sở dữ liệu PostgreSQL, không phải tệp SQLite`,
        `${redactUrl(path)} is a PostgreSQL database, not a SQLite file`,
      );
    }
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

  /** The row of a kiosk instance, created on first sight. Inside a transaction. */
  private kioskId(scope: TopicScope, instance: string, nowMs: number): number {
    return (this.s.upsertKiosk.get({ ...scope, instance, now: nowMs }) as { id: number }).id;
  }

  /** Stores one numbered message, unless its (instance, seq) is already held. */
  ingest(scope: TopicScope, p: NumberedPayload, nowMs: number): { result: IngestResult; kioskId: number } {
    return this.db
      .transaction(() => {
        const id = this.kioskId(scope, p.instance, nowMs);
        if (!this.hold(id, p.seq)) {
          this.s.countDuplicate.run(id);
          return { result: 'duplicate' as const, kioskId: id };
        }
        switch (p.schema) {
          case 'ckpt.summary/2': {
            const c = counters(p);
            this.s.addKiosk.run({ ...c, id });
            const hour = Math.floor(Date.parse(p.windowStart) / HOUR_MS) * HOUR_MS;
            this.s.ensureHour.run(hour, id);
            this.s.addHour.run({ ...c, hour_ms: hour, id });
            break;
          }
          case 'ckpt.event/2':
            this.s.countEvent.run(p.lane, id);
            this.s.insertEvent.run({
              id: p.id,
              ...scope,
              instance: p.instance,
              seq: p.seq,
              at_ms: Date.parse(p.at),
              received_ms: nowMs,
              kind: p.kind,
              decision: p.decision,
              reasons: JSON.stringify(p.reasons),
              permit: p.permit,
              direction: p.direction,
              lane: p.lane,
              detail: null,
            });
            break;
          case 'ckpt.ack/2':
            this.s.countAck.run(id);
            this.s.upsertAck.run(
              id,
              p.typ,
              String(p.version),
              p.applied ? 1 : 0,
              p.error ?? null,
              Date.parse(p.at),
              nowMs,
            );
            break;
          case 'ckpt.passage/1': {
            const again = this.presence.seen(p.id);
            this.s.countPassage.run(id);
            this.s.insertPassage.run(
              id,
              p.seq,
              p.id,
              p.area,
              p.permit,
              p.direction,
              p.letThrough ? 1 : 0,
              Date.parse(p.at),
              nowMs,
            );
            this.presence.apply(id, p, again, nowMs);
            break;
          }
        }
        return { result: 'counted' as const, kioskId: id };
      })
      .immediate();
  }

  /** Adds seq to the instance's ranges, merging neighbours; false when it was already held. */
  private hold(id: number, seq: number): boolean {
    const below = this.s.heldBelow.get(id, seq) as { lo: number; hi: number } | undefined;
    if (below && below.hi >= seq) return false;
    const above = this.s.heldAbove.get(id, seq) as { lo: number; hi: number } | undefined;
    const joinsBelow = below !== undefined && below.hi === seq - 1;
    const joinsAbove = above !== undefined && above.lo === seq + 1;
    if (joinsBelow && joinsAbove) {
      this.s.heldDelete.run(id, above.lo);
      this.s.heldSetHi.run(above.hi, id, below.lo);
    } else if (joinsBelow) this.s.heldSetHi.run(seq, id, below.lo);
    else if (joinsAbove) this.s.heldSetLo.run(seq, id, above.lo);
    else this.s.heldInsert.run(id, seq, seq);
    return true;
  }

  /**
   * Online/offline of one instance from its status. A live message is dated by our clock (the Will has
   * no time of its own: it is stamped when we receive it); a retained one, delivered when we subscribe,
   * by its `at` (it may be hours old), or for a retained Will by when we last heard the kiosk. An
   * instance coming alive while another live instance claims the same kiosk id raises an alert, once.
   */
  applyStatus(
    scope: TopicScope,
    p: AnyStatusPayload,
    retained: boolean,
    nowMs: number,
  ): { kioskId: number; conflict: string[] | null } {
    return this.db
      .transaction(() => {
        const id = this.kioskId(scope, p.instance, nowMs);
        const prev = this.s.kioskState.get(id) as {
          online: number;
          last_status_ms: number | null;
          changed_ms: number | null;
        };
        if (!p.online) {
          const stamp = retained ? (prev.last_status_ms ?? nowMs) : nowMs;
          this.s.setOffline.run({
            id,
            changed: prev.online || prev.changed_ms === null ? stamp : prev.changed_ms,
          });
          return { kioskId: id, conflict: null };
        }
        const stamp = retained ? Math.min(nowMs, Date.parse(p.at)) : nowMs;
        // Old news: a retained status older than one already applied (by us or another aggregator).
        if (retained && prev.last_status_ms !== null && stamp <= prev.last_status_ms) {
          return { kioskId: id, conflict: null };
        }
        const wasLive =
          prev.online === 1 && prev.last_status_ms !== null && stamp - prev.last_status_ms <= SILENT_MS;
        this.s.setOnline.run({
          id,
          status: JSON.stringify(p),
          lane: p.lane,
          stamp,
          changed: prev.online && prev.changed_ms !== null ? prev.changed_ms : stamp,
        });
        if (wasLive) return { kioskId: id, conflict: null };
        const others = (
          this.s.liveOthers.all(scope.district, scope.checkpoint, scope.kiosk, id, stamp - SILENT_MS) as {
            instance: string;
          }[]
        ).map((r) => r.instance);
        if (others.length === 0) return { kioskId: id, conflict: null };
        const instances = [...others, p.instance].sort();
        this.s.insertEvent.run({
          id: randomUUID(),
          ...scope,
          instance: p.instance,
          seq: null,
          at_ms: stamp,
          received_ms: nowMs,
          kind: 'kiosk-id-conflict',
          decision: null,
          reasons: '[]',
          permit: null,
          direction: null,
          lane: p.lane,
          detail: JSON.stringify({ instances }),
        });
        return { kioskId: id, conflict: instances };
      })
      .immediate();
  }

  /** The instance's ranges held, as a receipt (spec/mqtt.md "Receipts"). */
  receipt(kioskId: number): Receipt {
    const rows = this.s.heldRanges.all(kioskId, MAX_RECEIPT_RANGES + 1) as { lo: number; hi: number }[];
    return receiptOf(rows.map((r): SeqRange => [r.lo, r.hi]));
  }

  scopeOf(kioskId: number): InstanceScope | null {
    return (this.s.kioskScope.get(kioskId) as InstanceScope | undefined) ?? null;
  }

  /** A kiosk instance's row id: that instance, or the one last heard under the kiosk id. */
  findKiosk(scope: TopicScope, instance?: string): number | null {
    const row = (
      instance === undefined
        ? this.s.latestInstance.get(scope.district, scope.checkpoint, scope.kiosk)
        : this.s.kioskIdOf.get(scope.district, scope.checkpoint, scope.kiosk, instance)
    ) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /**
   * The first missing range of seq (before, between or after what is held) of every instance that is
   * live now: a command to a kiosk that is not listening is lost (commands are not retained).
   */
  gaps(nowMs: number): Gap[] {
    return gapsOf(this.s.allKiosks.all() as KioskRow[], this.s.heldAll.all() as HeldRow[], nowMs);
  }

  /** One instance's first missing range of seq, or null when it holds all its status says it sent. */
  firstGap(kioskId: number): Omit<Gap, 'kioskId'> | null {
    const ranges = this.s.heldRanges.all(kioskId, 2) as { lo: number; hi: number }[];
    const status = this.s.kioskStatus.get(kioskId) as { status: string | null } | undefined;
    const lastSeq = parseStatus(status?.status ?? null)?.lastSeq ?? 0;
    return gapOf(
      ranges.map((r): SeqRange => [r.lo, r.hi]),
      lastSeq,
    );
  }

  /** The passages one instance sent, in seq order (the shared history reads them by area). */
  passages(kioskId: number): Record<string, unknown>[] {
    return this.s.passagesOf.all(kioskId) as Record<string, unknown>[];
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

  /** The full revocation list last published, and its version; null when none was published here. */
  revocations(): { version: number; hashes: string[] } | null {
    const v = this.getKv('revocations.version');
    if (v === null) return null;
    return { version: Number(v), hashes: (this.s.revokedAll.all() as { hash: string }[]).map((r) => r.hash) };
  }

  /** Records the full list now current (after publishing it), replacing the one held. */
  setRevocations(version: number, change: { full: boolean; add: string[]; remove: string[] }): void {
    this.db
      .transaction(() => {
        if (change.full) this.s.revokedClear.run();
        for (const h of change.remove) this.s.revokedRemove.run(h);
        for (const h of change.add) this.s.revokedAdd.run(h);
        this.setKv('revocations.version', String(version));
      })
      .immediate();
  }

  /** All-time counts per checkpoint, the sum of its kiosks', and each kiosk's. */
  totals(): CheckpointTotalsRow[] {
    return ledgerTotals(this.s.allKiosks.all() as KioskRow[]);
  }

  /** Forgets events and passages older than the horizon (the counts and ranges stay). */
  prune(horizonMs: number): { events: number; passages: number } {
    return this.db
      .transaction(() => ({
        events: this.s.pruneEvents.run(horizonMs).changes,
        passages: this.s.prunePassages.run(horizonMs).changes,
      }))
      .immediate();
  }

  snapshot(nowMs: number, limits = { alerts: 100, acks: 100 }): Omit<Snapshot, 'broker' | 'keyId'> {
    const s = this.s;
    // One read transaction: every part of the snapshot sees the same commit.
    return this.db.transaction(() => {
      const rows: SnapshotRows = {
        kiosks: s.allKiosks.all() as KioskRow[],
        held: s.heldAll.all() as HeldRow[],
        today: s.todayByKiosk.all(startOfVietnamDay(nowMs)) as SnapshotRows['today'],
        hours: s.hours.all(firstHourOf(nowMs)) as SnapshotRows['hours'],
        events: s.recentEvents.all(limits.alerts) as Record<string, unknown>[],
        acks: s.recentAcks.all(limits.acks) as Record<string, unknown>[],
        published: s.recentPublished.all(20) as Record<string, unknown>[],
        rejected: s.rejected.all() as Record<string, unknown>[],
      };
      return { ...ledgerSnapshot(rows, nowMs), areas: this.presence.areas() };
    })();
  }

  /** The people inside each lockdown and green-zone area now (spec/policy.md "Shared history"). */
  areas(): AreaView[] {
    return this.presence.areas();
  }

  /** The last 24 hours of some districts only, oldest first: a district account's curve. */
  hourlyOf(districts: readonly string[], nowMs: number): HourView[] {
    const firstHour = firstHourOf(nowMs);
    const rows = this.s.hoursOf.all(firstHour, JSON.stringify(districts)) as (CounterRow & {
      hour_ms: number;
    })[];
    return hourViews(firstHour, rows);
  }
}
