// The shared history at the command centre on a real PostgreSQL: the same passages, in the same batches
// at the same times, leave PostgreSQL's store with the people inside each area and the late-passback
// alerts that SQLite's ledger has (both equal to a replay of the passages); two aggregators storing
// the two late entries of one permit at the same moment raise its passback once, not never; and a
// database that held passages before presence was kept fills it from them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../command-centre/server/ingest.js';
import { Ledger } from '../../command-centre/server/ledger.js';
import { PG_MIGRATIONS } from '../../command-centre/server/migrations-pg.js';
import { migratePg, newPool } from '../../command-centre/server/pg-pool.js';
import { type Delivery, type LedgerStore, SqliteStore } from '../../command-centre/server/store.js';
import { PgStore } from '../../command-centre/server/store-pg.js';
import type { PassagePayload, StatusPayload } from '../../src/contract/mqtt.js';
import { kioskTopic } from '../../src/contract/mqtt-topics.js';
import { kioskId, passage, type SimId, status } from '../fixtures/cc-messages.js';
import { type PostgresHandle, startPostgres } from '../helpers/postgres.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';

const GREEN = '01-009-00337';
const LOCKED = '01-009-00340';
const T0 = Date.UTC(2026, 11, 5, 1, 0, 0);
const MIN = 60_000;
let db: PostgresHandle;
const open: LedgerStore[] = [];

beforeAll(async () => {
  db = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const s of open) await s.close();
  await db?.stop();
  removeTempDirs();
});

async function pgStore(name: string): Promise<PgStore> {
  const s = await PgStore.open(await db.createDatabase(name));
  open.push(s);
  return s;
}

function sqliteStore(): SqliteStore {
  const s = new SqliteStore(Ledger.open(tempDbPath()));
  open.push(s);
  return s;
}

function delivery(k: SimId, kind: 'status' | 'passage', body: StatusPayload | PassagePayload): Delivery {
  const topic = kioskTopic(k.scope, kind);
  return { ...classify(topic, Buffer.from(JSON.stringify(body))), topic, retained: false };
}

/** A fixed pseudo-random walk: the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
}

interface Lane {
  id: SimId;
  area: string;
  seq: number;
  /** Passages kept while the lane is cut off, sent late in one go. */
  backlog: Delivery[];
  offline: boolean;
}

/** Batches of deliveries, each with the time it is committed at. */
function walk(): { batches: { at: number; items: Delivery[] }[]; passages: PassagePayload[] } {
  const next = random(2026);
  const lanes: Lane[] = [
    ['GZ-A', 'L1', GREEN],
    ['GZ-A', 'L2', GREEN],
    ['GZ-B', 'L1', GREEN],
    ['PT-1', 'L1', LOCKED],
  ].map(([cp, kiosk, area]) => ({
    id: kioskId(kiosk!, cp!),
    area: area!,
    seq: 0,
    backlog: [],
    offline: false,
  }));
  const permits = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
  const batches: { at: number; items: Delivery[] }[] = [];
  const passages: PassagePayload[] = [];
  let now = T0;
  batches.push({
    at: now,
    items: lanes.map((l) =>
      delivery(
        l.id,
        'status',
        status(l.id, now, {
          area: l.area,
          checkpointKind: l.area === GREEN ? 'green-zone' : 'lockdown',
        }),
      ),
    ),
  });
  let live: Delivery[] = [];
  for (let i = 0; i < 800; i++) {
    now += 20_000;
    const lane = lanes[Math.floor(next() * lanes.length)]!;
    // A lane goes offline for a while now and then; what it let through then arrives late.
    if (next() < 0.03) lane.offline = !lane.offline;
    const body: PassagePayload = {
      ...passage(lane.id, ++lane.seq, now, permits[Math.floor(next() * permits.length)]),
      area: lane.area,
      direction: next() < 0.55 ? 'in' : 'out',
      letThrough: next() < 0.9,
    };
    passages.push(body);
    const d = delivery(lane.id, 'passage', body);
    if (lane.offline) lane.backlog.push(d);
    else live.push(d);
    // A guard's override let through again under the same passage id, as a new message.
    if (!body.letThrough && next() < 0.3) {
      const again = { ...body, seq: ++lane.seq, letThrough: true };
      passages.push(again);
      (lane.offline ? lane.backlog : live).push(delivery(lane.id, 'passage', again));
    }
    if (i % 7 === 6) {
      // Some messages twice: counted once.
      batches.push({ at: now, items: [...live, ...live.slice(0, 2)] });
      live = [];
    }
    for (const l of lanes) {
      if (!l.offline && l.backlog.length > 0) {
        batches.push({ at: now + 5 * MIN, items: l.backlog });
        l.backlog = [];
      }
    }
  }
  batches.push({ at: now, items: [...live, ...lanes.flatMap((l) => l.backlog)] });
  return { batches, passages };
}

/** The people inside each area from the passages themselves: the newest let through is `in`. */
function replay(passages: PassagePayload[]): Map<string, number> {
  const newest = new Map<string, PassagePayload>();
  for (const p of passages) {
    if (!p.letThrough) continue;
    const key = `${p.area} ${p.permit}`;
    const had = newest.get(key);
    if (!had || Date.parse(p.at) > Date.parse(had.at)) newest.set(key, p);
  }
  const inside = new Map<string, number>();
  for (const p of newest.values())
    if (p.direction === 'in') inside.set(p.area, (inside.get(p.area) ?? 0) + 1);
  return inside;
}

/** Every late-passback alert stored, in a fixed order, without what differs by nature (ids, seq). */
async function latePassbacks(store: LedgerStore) {
  const sql = `SELECT permit, at_ms, checkpoint, kiosk, lane, detail FROM events
    WHERE kind = 'late-passback' ORDER BY permit, at_ms, detail`;
  return store instanceof PgStore
    ? (await store.pool.query(sql)).rows
    : (store as SqliteStore).ledger.db.prepare(sql).all();
}

describe('the shared history on PostgreSQL', () => {
  it('equals SQLite’s after the same batches: people inside each area and late passbacks', async () => {
    const { batches, passages } = walk();
    const pg = await pgStore('presence');
    const lite = sqliteStore();
    for (const b of batches) {
      const [x, y] = await Promise.all([pg.commit(b.items, b.at), lite.commit(b.items, b.at)]);
      expect({ counted: x.counted, duplicates: x.duplicates }).toEqual({
        counted: y.counted,
        duplicates: y.duplicates,
      });
    }
    const end = batches.at(-1)!.at;
    const areas = await pg.areas();
    expect(areas).toEqual(await lite.areas());
    expect((await pg.snapshot(end)).areas).toEqual(areas);
    const expected = replay(passages);
    expect(areas.map((a) => [a.area, a.inside])).toEqual([
      [GREEN, expected.get(GREEN) ?? 0],
      [LOCKED, expected.get(LOCKED) ?? 0],
    ]);
    expect(expected.get(GREEN)).toBeGreaterThan(0);
    const late = await latePassbacks(pg);
    expect(late).toEqual(await latePassbacks(lite));
    expect(late.length).toBeGreaterThan(2);
    // The dashboard shows them as SQLite's does.
    const shown = async (s: LedgerStore) =>
      (await s.snapshot(end)).alerts.filter((a) => a.kind === 'late-passback').map((a) => a.passback);
    expect(await shown(pg)).toEqual(await shown(lite));
  }, 120_000);

  it('raises the passback of two late entries stored by two aggregators at the same moment, once', async () => {
    const name = `race_${randomUUID().slice(0, 8)}`;
    const first = await pgStore(name);
    const url = `postgres://kiosk@127.0.0.1:${db.port}/${name}`;
    const second = await PgStore.open(url);
    open.push(second);
    const a = kioskId('L1', 'LP-1');
    const b = kioskId('L1', 'LP-2');
    const now = T0 + 60 * MIN;
    for (const [store, k] of [
      [first, a],
      [second, b],
    ] as const) {
      await store.commit(
        [delivery(k, 'status', status(k, now, { area: GREEN, checkpointKind: 'green-zone' }))],
        now,
      );
    }
    // Twenty permits, each let in at both checkpoints ten minutes ago, one entry through each aggregator.
    const permits = Array.from({ length: 20 }, (_, i) => (i + 100).toString(16).padStart(4, '0').repeat(16));
    const entries = (k: SimId, offsetMs: number) =>
      permits.map((permit, i) =>
        delivery(k, 'passage', { ...passage(k, i + 1, now - 10 * MIN + offsetMs, permit), area: GREEN }),
      );
    await Promise.all([first.commit(entries(a, 0), now), second.commit(entries(b, 1000), now)]);
    const late = (await latePassbacks(first)) as { permit: string }[];
    expect(late.map((x) => x.permit)).toEqual([...permits].sort());
    expect((await second.areas()).find((x) => x.area === GREEN)?.inside).toBe(20);
  }, 60_000);

  it('fills who is inside from the passages a database held before it kept presence', async () => {
    const url = await db.createDatabase('backfill');
    const pool = newPool(url, 1);
    try {
      await migratePg(
        pool,
        PG_MIGRATIONS.filter((m) => m.version < 3),
      );
      const [{ id }] = (
        await pool.query(`INSERT INTO kiosks (district, checkpoint, kiosk, instance, first_seen_ms, last_seen_ms)
          VALUES ('01-009', 'GZ-A', 'L1', 'i-1', 0, 0) RETURNING id`)
      ).rows;
      const rows: [number, string, string, number, number][] = [
        [1, 'x'.repeat(64), 'in', 1, T0],
        [2, 'x'.repeat(64), 'out', 1, T0 + MIN],
        [3, 'y'.repeat(64), 'in', 1, T0],
        [4, 'z'.repeat(64), 'in', 0, T0],
      ];
      for (const [seq, permit, direction, let_, at] of rows) {
        await pool.query(
          `INSERT INTO passages (kiosk_id, seq, id, area, permit, direction, let_through, at_ms, received_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [id, seq, `p-${seq}`, GREEN, permit, direction, let_, at],
        );
      }
    } finally {
      await pool.end();
    }
    const store = await PgStore.open(url);
    open.push(store);
    const presence = await store.pool.query(
      'SELECT permit, direction, passage FROM presence ORDER BY permit',
    );
    expect(presence.rows).toEqual([
      { permit: 'x'.repeat(64), direction: 'out', passage: 'p-2' },
      { permit: 'y'.repeat(64), direction: 'in', passage: 'p-3' },
    ]);
  });
});
