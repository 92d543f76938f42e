// One hash chain for passages and audit events: an existing log upgrades in place and still verifies,
// new rows of both kinds link in seq order, and "verify log" names the first broken row (table + id)
// for every kind of tampering; the retention purge erases personal data and the chain still verifies.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_PURGE_DELAY_MS, Retention } from '../../src/audit/retention.js';
import { openDatabase } from '../../src/base/db.js';
import { chainHash, GENESIS_HASH, newSalt, personalHash } from '../../src/store/chain.js';
import { AuditChain, startVerify, verifyLog, verifyLogSync } from '../../src/store/chain-log.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeClock } from '../fixtures/clock.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from './store-fixtures.js';

const T = Date.UTC(2021, 7, 23, 1, 0, 0);
let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  removeTempDirs();
});

function open(path: string): Store {
  const s = openStore(path, checkpoint);
  stores.push(s);
  return s;
}

/** Writes passages exactly as the kiosk did before migration 3 (chain v1, passages only). */
function writeV1Log(path: string, n: number): void {
  const db = openDatabase(
    path,
    MIGRATIONS.filter((m) => m.version === 1),
  );
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const personal = {
      holder_name: `Trần Văn Đức ${id}`,
      id_masked: `********${String(1000 + id)}`,
      vehicle_plate: '29A-123.45',
      raw_preview: null,
    };
    const salt = newSalt();
    const row = {
      id,
      at_ms: T + id * 1000,
      checkpoint_id: 'TX-01',
      area: '01-009',
      lane: '1',
      direction: 'in',
      source: 'serial',
      decision: id % 3 === 0 ? 'DENY' : 'ALLOW',
      reasons: id % 3 === 0 ? '["EXPIRED"]' : '[]',
      permit_hash: 'ab'.repeat(32),
      iss: '01-009',
      cti: `OLD-${id}`,
      purpose: 'work',
      vehicle_type: 'car',
      people: 1,
      let_through: id % 3 === 0 ? 0 : 1,
      personal_hash: personalHash(salt, personal),
    };
    const hash = chainHash(prev, row);
    db.prepare(`INSERT INTO passages (id, at_ms, checkpoint_id, area, lane, direction, source, decision, reasons,
      permit_hash, iss, cti, purpose, vehicle_type, people, let_through, holder_name, id_masked, vehicle_plate,
      raw_preview, personal_salt, personal_hash, purged, prev_hash, hash) VALUES (@id, @at_ms, @checkpoint_id,
      @area, @lane, @direction, @source, @decision, @reasons, @permit_hash, @iss, @cti, @purpose, @vehicle_type,
      @people, @let_through, @holder_name, @id_masked, @vehicle_plate, @raw_preview, @personal_salt,
      @personal_hash, 0, @prev_hash, @hash)`).run({
      ...row,
      ...personal,
      personal_salt: salt,
      prev_hash: prev,
      hash,
    });
    prev = hash;
  }
  db.close();
}

/** An upgraded v1 log with new passages and audit events interleaved after it. */
function mixedLog(): { store: Store; chain: AuditChain; path: string } {
  const path = tempDbPath();
  writeV1Log(path, 4);
  const store = open(path);
  const chain = new AuditChain(store.db);
  chain.append({ atMs: T + 10_000, kind: 'startup' });
  store.recordPassage(passage({ atMs: T + 11_000 }, 'NEW-1')); // passage 5
  chain.append({ atMs: T + 12_000, kind: 'login', userName: 'Đại uý Bình', details: { peer: '127.0.0.1' } });
  store.recordPassage(
    passage({ atMs: T + 13_000, decision: 'DENY', reasons: ['REVOKED'], letThrough: false }, 'NEW-2'),
  );
  chain.append({
    atMs: T + 14_000,
    kind: 'override',
    passageId: 6,
    details: { reason: 'Xe cấp cứu chở bệnh nhân' },
  });
  store.recordPassage(passage({ atMs: T + 15_000 }, 'NEW-3')); // passage 7
  return { store, chain, path };
}

describe('migration 3 upgrades an existing log in place', () => {
  it('keeps every old row verifying, numbers them in the chain and indexes them', () => {
    const path = tempDbPath();
    writeV1Log(path, 6);
    const store = open(path);
    expect(verifyLogSync(store.db)).toMatchObject({ ok: true, checked: 6, broken: null });
    const rows = store.db.prepare('SELECT id, seq, chain_v FROM passages ORDER BY id').all();
    expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((id) => ({ id, seq: id, chain_v: 1 })));
    // The old names went into the search index, đ folded to d.
    const hit = store.db
      .prepare(`SELECT rowid FROM passage_names WHERE passage_names MATCH '"duc" "5"'`)
      .all();
    expect(hit).toEqual([{ rowid: 5 }]);
    expect(
      store.db.prepare(`SELECT count(*) AS n FROM passage_reasons WHERE reason = 'EXPIRED'`).get(),
    ).toEqual({ n: 2 });
  });

  it('links new passages and audit events after the old rows, in one seq order', () => {
    const { store } = mixedLog();
    const seqs = store.db
      .prepare(
        `SELECT 'p' AS t, id, seq FROM passages UNION ALL SELECT 'a', id, seq FROM audit_events ORDER BY seq`,
      )
      .all() as { t: string; id: number; seq: number }[];
    expect(seqs.map((r) => `${r.t}${r.id}`)).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
      'a1',
      'p5',
      'a2',
      'p6',
      'a3',
      'p7',
    ]);
    expect(seqs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const r = verifyLogSync(store.db);
    expect(r).toMatchObject({ ok: true, checked: 10, broken: null });
    expect(r.head?.hash).toBe(
      (store.db.prepare('SELECT hash FROM passages WHERE id = 7').get() as { hash: string }).hash,
    );
    expect(store.verifyChain()).toBeNull();
  });
});

describe('verify log names the first broken row', () => {
  it.each([
    ['an old passage edited', "UPDATE passages SET decision = 'ALLOW' WHERE id = 3", 'passages', 3, 'hash'],
    ['an old passage given a guard', 'UPDATE passages SET user_id = 1 WHERE id = 2', 'passages', 2, 'hash'],
    [
      'a new passage moved to another shift',
      'UPDATE passages SET shift_id = 9 WHERE id = 6',
      'passages',
      6,
      'hash',
    ],
    [
      'a new passage renamed',
      "UPDATE passages SET holder_name = 'Ai đó' WHERE id = 5",
      'passages',
      5,
      'personal_data',
    ],
    [
      'an override reason rewritten',
      `UPDATE audit_events SET details = '{"reason":"khác"}' WHERE id = 3`,
      'audit_events',
      3,
      'hash',
    ],
    [
      'a login re-attributed',
      "UPDATE audit_events SET user_name = 'Người khác' WHERE id = 2",
      'audit_events',
      2,
      'hash',
    ],
    ['an audit event deleted', 'DELETE FROM audit_events WHERE id = 2', 'passages', 6, 'sequence'],
    ['a passage deleted', 'DELETE FROM passages WHERE id = 5', 'audit_events', 2, 'sequence'],
    [
      'a purge flag set without erasing',
      'UPDATE passages SET purged = 1 WHERE id = 7',
      'passages',
      7,
      'purge_incomplete',
    ],
  ])('%s', (_what, sql, table, id, problem) => {
    const { store } = mixedLog();
    store.db.exec(sql);
    expect(verifyLogSync(store.db).broken).toMatchObject({ table, id, problem });
  });

  it('finds an edit made behind the kiosk by another program, and verifies in slices', async () => {
    const { store, path } = mixedLog();
    const other = new Database(path);
    other.prepare("UPDATE passages SET cti = 'FORGED' WHERE id = 6").run();
    other.close();
    const r = await verifyLog(store.db, { sliceRows: 2 });
    expect(r).toMatchObject({
      ok: false,
      checked: 7,
      broken: { table: 'passages', id: 6, seq: 8, problem: 'hash' },
    });
  });

  it('reports its progress while a long check runs in slices', async () => {
    const { store } = mixedLog();
    const run = startVerify(store.db, { sliceRows: 3 });
    expect(run.progress()).toMatchObject({ done: false, ok: true, checked: 3 });
    expect(await run.done).toMatchObject({ done: true, ok: true, checked: 10 });
  });

  it('verifies a range (a shift) from the row before it', () => {
    const { store } = mixedLog();
    expect(verifyLogSync(store.db, 5, 8)).toMatchObject({ ok: true, checked: 3, head: { seq: 8 } });
    store.db.exec("UPDATE passages SET lane = '2' WHERE id = 1");
    // An edit outside the range does not break the range…
    expect(verifyLogSync(store.db, 5, 8).ok).toBe(true);
    // …but the whole log does not verify.
    expect(verifyLogSync(store.db).broken).toMatchObject({ table: 'passages', id: 1 });
  });
});

describe('retention', () => {
  it('erases personal data older than the period, keeps counts, audits the purge, still verifies', async () => {
    const { store, chain } = mixedLog();
    const now = { t: T + 30 * 86_400_000 + 12_000 };
    const r = new Retention(store.db, chain, { days: 30, now: () => now.t });
    const res = await r.purge();
    // Old rows 1..4 and passage 5 (at T+11 s) are older than 30 days before now; 6 and 7 are not.
    expect(res.purged).toBe(5);
    const purged = store.db
      .prepare(
        'SELECT id, holder_name, id_masked, vehicle_plate, personal_salt, purged, decision FROM passages ORDER BY id',
      )
      .all() as Record<string, unknown>[];
    for (const p of purged.slice(0, 5)) {
      expect(p).toMatchObject({
        holder_name: null,
        id_masked: null,
        vehicle_plate: null,
        personal_salt: null,
        purged: 1,
      });
    }
    expect(purged[5]).toMatchObject({ purged: 0 });
    expect(purged.map((p) => p.decision)).toHaveLength(7);
    // The names left the search index with the rows.
    const names = store.db.prepare(`SELECT rowid FROM passage_names WHERE passage_names MATCH '"duc"'`).all();
    expect(names).toEqual([]);
    const ev = store.db.prepare(`SELECT kind, details FROM audit_events ORDER BY id DESC LIMIT 2`).all() as {
      kind: string;
      details: string;
    }[];
    expect(ev.map((e) => e.kind)).toEqual(['purge', 'purge_start']);
    expect(JSON.parse(ev[0]!.details)).toMatchObject({ rows: 5, days: 30 });
    expect(JSON.parse(ev[1]!.details)).toMatchObject({ expected: 5, days: 30 });
    expect(verifyLogSync(store.db).ok).toBe(true);
    // Nothing more is due: a scheduled run records nothing.
    expect((await r.purge()).purged).toBe(0);
    expect(store.db.prepare(`SELECT count(*) AS n FROM audit_events WHERE kind = 'purge'`).get()).toEqual({
      n: 1,
    });
  });

  it('runs 5 s after start, then every interval, until stopped; a failing run is reported, not fatal', () => {
    const { store, chain } = mixedLog();
    // The first run comes at T + 30 days + 12 s: passage 5 (T + 11 s) and older are due then.
    const clock = new FakeClock(T + 30 * 86_400_000 + 7_000);
    const errors: unknown[] = [];
    const r = new Retention(store.db, chain, {
      days: 30,
      now: clock.now,
      timers: clock,
      intervalMs: 3_600_000,
      onError: (e) => errors.push(e),
    });
    const purged = () =>
      (store.db.prepare('SELECT count(*) AS n FROM passages WHERE purged = 1').get() as { n: number }).n;
    r.start();
    r.start(); // once
    expect(clock.pending).toBe(1);
    clock.advance(FIRST_PURGE_DELAY_MS - 1);
    expect(purged()).toBe(0);
    clock.advance(1);
    expect(purged()).toBe(5);
    clock.advance(3_600_000); // the hourly run: passages 6 and 7 are due by then
    expect(purged()).toBe(7);
    store.db.exec(
      'CREATE TRIGGER no_purge BEFORE UPDATE ON passages BEGIN SELECT RAISE(ABORT, "read-only"); END',
    );
    store.recordPassage(passage({ atMs: T + 16_000 }, 'NEW-4'));
    clock.advance(3_600_000);
    expect(errors).toHaveLength(1);
    expect(clock.pending).toBe(1); // and the next run is still set
    r.stop();
    expect(clock.pending).toBe(0);
    expect(verifyLogSync(store.db).ok).toBe(true);
  });
});
