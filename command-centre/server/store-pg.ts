// The command centre's store on PostgreSQL (`kiosk command-centre --db postgres://…`): aggregators on
// several machines share one database, so a receipt any of them publishes is read from the one truth.
// Batches are committed by store-pg-commit.ts; reads here mirror the SQLite ledger's (ledger-sql.ts).
import type pg from 'pg';
import { KioskError } from '../../src/contract/errors.js';
import { MAX_RECEIPT_RANGES } from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import { receiptOf, type SeqRange } from '../../src/contract/receipts.js';
import { startOfVietnamDay } from '../../src/contract/time.js';
import type { InstanceScope, Receipt } from './ledger.js';
import { PG_MIGRATIONS } from './migrations-pg.js';
import type { OperatorStore } from './operator-store.js';
import { PgOperatorStore } from './operator-store-pg.js';
import { checkout, inTransaction, migratePg, newPool, release } from './pg-pool.js';
import { areasOf, type GuardRow } from './presence.js';
import { COUNTER_COLUMNS, parseStatus } from './rows.js';
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
import type { CommitResult, Delivery, LedgerStore, PublishedRecord, RevocationChange } from './store.js';
import { commitBatch } from './store-pg-commit.js';
import type { AreaView, HourView } from './types.js';

const SUM_COLUMNS = COUNTER_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ');
const HOUR_SUM_COLUMNS = COUNTER_COLUMNS.map((c) => `sum(h.${c}) AS ${c}`).join(', ');
const KIOSK_KEY = 'district = $1 AND checkpoint = $2 AND kiosk = $3';
const INSIDE = "SELECT area, count(*) AS n FROM presence WHERE direction = 'in' GROUP BY area";
type Inside = { area: string; n: number };
/** Planned once on every connection at start, so that none meets the schema cold. */
const WARM_TABLES =
  'kiosks, held, kiosk_hours, events, kiosk_acks, passages, published, rejected, kv, presence, passbacks';

export class PgStore implements LedgerStore {
  readonly kind = 'postgres';

  private operators: OperatorStore | null = null;

  private constructor(readonly pool: pg.Pool) {}

  /** Connects and brings the schema up to date (aggregators starting together take turns). */
  static async open(url: string, opts: { max?: number } = {}): Promise<PgStore> {
    const max = opts.max ?? 4;
    const pool = newPool(url, max);
    try {
      await migratePg(pool, PG_MIGRATIONS);
      const clients = await Promise.all(Array.from({ length: max }, () => checkout(pool)));
      await Promise.all(clients.map((c) => c.query(`SELECT 1 FROM ${WARM_TABLES} WHERE false`)));
      for (const c of clients) release(c);
    } catch (err) {
      await pool.end();
      throw new KioskError(
        'STORE_OPEN_FAILED',
        `Không mở được cơ sở dữ liệu PostgreSQL: ${(err as Error).message}`,
        `Cannot open the PostgreSQL database: ${(err as Error).message}`,
      );
    }
    return new PgStore(pool);
  }

  private tx<T>(work: (c: pg.PoolClient) => Promise<T>, level?: string): Promise<T> {
    return inTransaction(this.pool, work, level);
  }

  private async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async commit(batch: readonly Delivery[], nowMs: number): Promise<CommitResult> {
    const { changed, ...result } = await this.tx((c) => commitBatch(c, batch, nowMs));
    if (changed) await this.bump();
    return result;
  }

  /** After the commit, so that a dashboard seeing the new version reads what changed. */
  private async bump(): Promise<void> {
    await this.pool.query("SELECT nextval('ledger_changes')");
  }

  async receipt(kioskId: number): Promise<{ scope: InstanceScope; receipt: Receipt } | null> {
    const [scope, ranges] = await Promise.all([
      this.scopeOf(kioskId),
      this.rows<{ lo: number; hi: number }>(
        'SELECT lo, hi FROM held WHERE kiosk_id = $1 ORDER BY lo LIMIT $2',
        [kioskId, MAX_RECEIPT_RANGES + 1],
      ),
    ]);
    if (!scope) return null;
    return { scope, receipt: receiptOf(ranges.map((r): SeqRange => [r.lo, r.hi])) };
  }

  async scopeOf(kioskId: number): Promise<InstanceScope | null> {
    const [row] = await this.rows<InstanceScope>(
      'SELECT district, checkpoint, kiosk, instance FROM kiosks WHERE id = $1',
      [kioskId],
    );
    return row ?? null;
  }

  async findKiosk(scope: TopicScope, instance?: string): Promise<number | null> {
    const key = [scope.district, scope.checkpoint, scope.kiosk];
    const [row] =
      instance === undefined
        ? await this.rows<{ id: number }>(
            `SELECT id FROM kiosks WHERE ${KIOSK_KEY} ORDER BY coalesce(last_status_ms, last_seen_ms) DESC LIMIT 1`,
            key,
          )
        : await this.rows<{ id: number }>(`SELECT id FROM kiosks WHERE ${KIOSK_KEY} AND instance = $4`, [
            ...key,
            instance,
          ]);
    return row?.id ?? null;
  }

  async firstGap(kioskId: number): Promise<Omit<Gap, 'kioskId'> | null> {
    const [ranges, status] = await Promise.all([
      this.rows<{ lo: number; hi: number }>(
        'SELECT lo, hi FROM held WHERE kiosk_id = $1 ORDER BY lo LIMIT 2',
        [kioskId],
      ),
      this.rows<{ status: string | null }>('SELECT status FROM kiosks WHERE id = $1', [kioskId]),
    ]);
    const lastSeq = parseStatus(status[0]?.status ?? null)?.lastSeq ?? 0;
    return gapOf(
      ranges.map((r): SeqRange => [r.lo, r.hi]),
      lastSeq,
    );
  }

  async gaps(nowMs: number): Promise<Gap[]> {
    return this.tx(
      async (c) =>
        gapsOf(
          (await c.query('SELECT * FROM kiosks ORDER BY district, checkpoint, kiosk, instance'))
            .rows as KioskRow[],
          (await c.query('SELECT kiosk_id, lo, hi FROM held ORDER BY kiosk_id, lo')).rows as HeldRow[],
          nowMs,
        ),
      'REPEATABLE READ READ ONLY',
    );
  }

  async snapshot(nowMs: number) {
    const rows = await this.tx(async (c): Promise<SnapshotRows & { inside: Inside[] }> => {
      const q = async <T>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];
      // One after another on one connection, all read in one snapshot of the database.
      const kiosks = await q<KioskRow>('SELECT * FROM kiosks ORDER BY district, checkpoint, kiosk, instance');
      const held = await q<HeldRow>('SELECT kiosk_id, lo, hi FROM held ORDER BY kiosk_id, lo');
      const today = await q<SnapshotRows['today'][number]>(
        `SELECT kiosk_id, ${SUM_COLUMNS} FROM kiosk_hours WHERE hour_ms >= $1 GROUP BY kiosk_id`,
        [startOfVietnamDay(nowMs)],
      );
      const hours = await q<SnapshotRows['hours'][number]>(
        `SELECT hour_ms, ${SUM_COLUMNS} FROM kiosk_hours WHERE hour_ms >= $1 GROUP BY hour_ms`,
        [firstHourOf(nowMs)],
      );
      const events = await q<Record<string, unknown>>('SELECT * FROM events ORDER BY seq DESC LIMIT 100');
      const acks = await q<
        Record<string, unknown>
      >(`SELECT a.*, k.district, k.checkpoint, k.kiosk FROM kiosk_acks a
          JOIN kiosks k ON k.id = a.kiosk_id ORDER BY a.received_ms DESC LIMIT 100`);
      const published = await q<Record<string, unknown>>(
        'SELECT * FROM published ORDER BY seq DESC LIMIT 20',
      );
      const rejected = await q<Record<string, unknown>>('SELECT * FROM rejected ORDER BY reason');
      const inside = await q<Inside>(INSIDE);
      return { kiosks, held, today, hours, events, acks, published, rejected, inside };
    }, 'REPEATABLE READ READ ONLY');
    return { ...ledgerSnapshot(rows, nowMs), areas: areasOf(rows.kiosks, rows.inside) };
  }

  async areas(): Promise<AreaView[]> {
    return this.tx(
      async (c) =>
        areasOf(
          (await c.query('SELECT district, checkpoint, status FROM kiosks')).rows as GuardRow[],
          (await c.query(INSIDE)).rows as Inside[],
        ),
      'REPEATABLE READ READ ONLY',
    );
  }

  async hourlyOf(districts: readonly string[], nowMs: number): Promise<HourView[]> {
    const firstHour = firstHourOf(nowMs);
    const rows = await this.rows<SnapshotRows['hours'][number]>(
      `SELECT h.hour_ms, ${HOUR_SUM_COLUMNS} FROM kiosk_hours h JOIN kiosks k ON k.id = h.kiosk_id
       WHERE h.hour_ms >= $1 AND k.district = ANY($2::text[]) GROUP BY h.hour_ms`,
      [firstHour, [...districts]],
    );
    return hourViews(firstHour, rows);
  }

  /** Accounts, sessions, approvals and the audit chain, in this database: every aggregator shares them. */
  operatorStore(): OperatorStore {
    this.operators ??= new PgOperatorStore(this.pool);
    return this.operators;
  }

  async totals() {
    return ledgerTotals(
      await this.rows<KioskRow>('SELECT * FROM kiosks ORDER BY district, checkpoint, kiosk, instance'),
    );
  }

  async dataVersion(): Promise<number> {
    const [row] = await this.rows<{ v: number }>('SELECT last_value AS v FROM ledger_changes');
    return row!.v;
  }

  async prune(horizonMs: number) {
    const r = await this.tx(async (c) => ({
      events: (await c.query('DELETE FROM events WHERE at_ms < $1', [horizonMs])).rowCount ?? 0,
      passages: (await c.query('DELETE FROM passages WHERE at_ms < $1', [horizonMs])).rowCount ?? 0,
    }));
    if (r.events + r.passages > 0) await this.bump();
    return r;
  }

  async recordPublished(r: PublishedRecord, nowMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO published (kind, typ, version, topic, retained, at_ms, sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.kind, r.typ, r.version, r.topic, r.retained ? 1 : 0, nowMs, r.sha256],
    );
    await this.bump();
  }

  async lastPublishedVersion(topics: readonly string[]): Promise<number | null> {
    const [row] = await this.rows<{ v: number | null }>(
      'SELECT max(version) AS v FROM published WHERE topic = ANY($1::text[])',
      [[...topics]],
    );
    return row?.v ?? null;
  }

  revocations = async (): Promise<{ version: number; hashes: string[] } | null> => {
    return this.tx(async (c) => {
      const v = (await c.query("SELECT value FROM kv WHERE key = 'revocations.version'")).rows[0] as
        | { value: string }
        | undefined;
      if (!v) return null;
      const hashes = (await c.query('SELECT hash FROM revoked ORDER BY hash')).rows.map(
        (r) => r.hash as string,
      );
      return { version: Number(v.value), hashes };
    }, 'REPEATABLE READ READ ONLY');
  };

  async setRevocations(version: number, change: RevocationChange): Promise<void> {
    await this.tx(async (c) => {
      if (change.full) await c.query('DELETE FROM revoked');
      if (change.remove.length > 0) {
        await c.query('DELETE FROM revoked WHERE hash = ANY($1::text[])', [change.remove]);
      }
      if (change.add.length > 0) {
        await c.query('INSERT INTO revoked (hash) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [
          change.add,
        ]);
      }
      await c.query(
        `INSERT INTO kv (key, value) VALUES ('revocations.version', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(version)],
      );
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
