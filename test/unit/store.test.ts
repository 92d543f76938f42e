import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/base/db.js';
import { KioskError } from '../../src/contract/errors.js';
import { EventPayload, PassagePayload } from '../../src/contract/mqtt.js';
import { GENESIS_HASH } from '../../src/store/chain.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore, type Store } from '../../src/store/store.js';
import { checkpoint, passage, permitHash, removeTempDirs, tempDbPath } from './store-fixtures.js';

let open: Store[] = [];
function storeAt(path = tempDbPath(), windowMs?: number): Store {
  const s = openStore(path, checkpoint, windowMs ? { windowMs } : {});
  open.push(s);
  return s;
}
afterEach(() => {
  for (const s of open) s.close();
  open = [];
  removeTempDirs();
});

describe('opening and migrations', () => {
  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const s = storeAt();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('applies each migration once; reopening changes nothing and keeps the data', () => {
    const path = tempDbPath();
    const a = storeAt(path);
    a.recordPassage(passage());
    a.close();
    const b = storeAt(path);
    const rows = b.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(b.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
    expect(b.recentPassages(10)).toHaveLength(1);
    expect(b.verifyChain()).toBeNull();
  });

  it('applies a later migration on top without re-running the old ones', () => {
    const path = tempDbPath();
    storeAt(path).close();
    const db = new Database(path);
    const v = migrate(db, [
      ...MIGRATIONS,
      { version: 99, name: 'test', sql: 'CREATE TABLE extra (x INTEGER)' },
    ]);
    expect(v).toBe(99);
    expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({
      n: MIGRATIONS.length + 1,
    });
    db.close();
  });

  it('lists the words of a name index made before the word list, once each', () => {
    const path = tempDbPath();
    const db = new Database(path);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 10),
    );
    db.exec(`INSERT INTO passage_names (rowid, name) VALUES (1, 'Nguyễn Văn An'), (2, 'Trần Thị Hồng'),
      (3, 'Nguyen Thi An')`);
    migrate(db, MIGRATIONS);
    expect(db.prepare('SELECT word FROM passage_name_words ORDER BY word').pluck().all()).toEqual([
      'an',
      'hong',
      'nguyen',
      'thi',
      'tran',
      'van',
    ]);
    db.close();
  });

  it('refuses a database written by a newer version, with both languages', () => {
    const path = tempDbPath();
    const db = openDatabase(path, [...MIGRATIONS, { version: 50, name: 'future', sql: 'SELECT 1' }]);
    db.close();
    try {
      openStore(path, checkpoint);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KioskError);
      expect((err as KioskError).code).toBe('STORE_TOO_NEW');
      expect((err as KioskError).vi).toMatch(/phiên bản/);
    }
  });

  it('reports an unopenable path as a KioskError', () => {
    expect(() => openStore('/nonexistent/dir/kiosk.db', checkpoint)).toThrow(KioskError);
  });
});

describe('recordPassage and the hash chain', () => {
  it('chains rows from the genesis hash and verifies', () => {
    const s = storeAt();
    const first = s.recordPassage(passage());
    const second = s.recordPassage(passage({ decision: 'DENY', reasons: ['EXPIRED'], letThrough: false }));
    expect(first.id).toBe(1);
    expect(second.id).toBe(2);
    expect(s.getPassage(1)!.prevHash).toBe(GENESIS_HASH);
    expect(s.getPassage(2)!.prevHash).toBe(first.hash);
    expect(s.verifyChain()).toBeNull();
  });

  it.each([
    ['a chained field', "UPDATE passages SET decision = 'ALLOW' WHERE id = 3"],
    ['a personal field', "UPDATE passages SET holder_name = 'Trần Thị B' WHERE id = 3"],
    ['the stored hash', "UPDATE passages SET hash = '00' || substr(hash, 3) WHERE id = 3"],
    ['a purge flag set without erasing', 'UPDATE passages SET purged = 1 WHERE id = 3'],
  ])('names the first broken row when %s is edited', (_, sql) => {
    const s = storeAt();
    for (let i = 0; i < 5; i++)
      s.recordPassage(passage({ decision: 'DENY', reasons: ['REVOKED'] }, `P-${i}`));
    expect(s.verifyChain()).toBeNull();
    s.db.exec(sql);
    expect(s.verifyChain()).toBe(3);
  });

  it('detects a deleted row at the row after it', () => {
    const s = storeAt();
    for (let i = 0; i < 4; i++) s.recordPassage(passage({}, `P-${i}`));
    s.db.exec('DELETE FROM passages WHERE id = 2');
    expect(s.verifyChain()).toBe(3);
  });

  it('still verifies after a proper retention purge of personal data', () => {
    const s = storeAt();
    for (let i = 0; i < 3; i++) s.recordPassage(passage({}, `P-${i}`));
    s.db.exec(`UPDATE passages SET holder_name = NULL, id_masked = NULL, vehicle_plate = NULL, raw_preview = NULL,
      personal_salt = NULL, purged = 1 WHERE id <= 2`);
    expect(s.verifyChain()).toBeNull();
  });

  it('rejects invalid input with a bilingual error and writes nothing', () => {
    const s = storeAt();
    const bad = [
      { ...passage(), direction: 'sideways' },
      { ...passage(), reasons: ['NOT_A_REASON'] },
      { ...passage(), lane: '' },
      { ...passage(), extra: 1 },
      null,
    ];
    for (const input of bad) {
      try {
        s.recordPassage(input as never);
        expect.unreachable();
      } catch (err) {
        expect((err as KioskError).code).toBe('PASSAGE_INVALID');
        expect((err as KioskError).vi).toMatch(/không hợp lệ/);
      }
    }
    expect(s.recentPassages(10)).toHaveLength(0);
  });

  it('writes the passage, its window and its denial event in one transaction', () => {
    const s = storeAt();
    s.recordPassage(passage({ decision: 'DENY', reasons: ['EXPIRED', 'REVOKED'], letThrough: false }));
    expect(s.outboxCount()).toBe(2);
    const [row, shared] = s.outboxPeek(0, 10);
    expect(row!.topic).toBe('ckpt/v2/01-009/TX-01/L1/event');
    expect(shared!.topic).toBe('ckpt/v2/01-009/TX-01/L1/passage');
    expect(PassagePayload.parse(JSON.parse(shared!.payload))).toMatchObject({
      area: '01-009',
      permit: permitHash('P-1'),
      letThrough: false,
    });
    const event = EventPayload.parse(JSON.parse(row!.payload));
    expect(event).toMatchObject({ kind: 'denial', decision: 'DENY', reasons: ['EXPIRED', 'REVOKED'] });
    expect(event.permit).toBe(permitHash('P-1'));
    expect(row!.payload).not.toMatch(/Nguyễn|0010|29A/);
    expect(s.db.prepare('SELECT count(*) AS n FROM summary_windows').get()).toEqual({ n: 1 });

    // Make the summary write fail: the passage and the event must roll back with it.
    s.db.exec(`CREATE TRIGGER boom BEFORE UPDATE ON summary_windows BEGIN SELECT RAISE(ABORT, 'disk'); END`);
    expect(() => s.recordPassage(passage({ decision: 'DENY', reasons: ['EXPIRED'] }))).toThrow(/disk/);
    expect(s.recentPassages(10)).toHaveLength(1);
    expect(s.outboxCount()).toBe(2);
    expect(s.verifyChain()).toBeNull();
  });

  it('does not queue events for ALLOW or REVIEW, only their passage messages', () => {
    const s = storeAt();
    s.recordPassage(passage());
    s.recordPassage(passage({ decision: 'REVIEW', reasons: ['VEHICLE_MISMATCH'], letThrough: false }));
    const rows = s.outboxPeek(0, 10);
    expect(rows.map((r) => r.topic.split('/').at(-1))).toEqual(['passage', 'passage']);
    const [a, b] = rows.map((r) => PassagePayload.parse(JSON.parse(r.payload)));
    expect([a!.letThrough, b!.letThrough]).toEqual([true, false]);
    expect(a!.id).not.toBe(b!.id);
  });

  it('a passage without a permit (a manual entry) is not shared', () => {
    const s = storeAt();
    s.recordPassage(
      passage({ permit: null, source: 'manual', person: { holderName: 'Nguyễn Văn A', purpose: 'work' } }),
    );
    expect(s.outboxCount()).toBe(0);
  });

  it('never gives a seq twice, even after receipts emptied the outbox and the store reopened', () => {
    const t0 = Date.UTC(2021, 7, 23, 1, 0, 0);
    const path = tempDbPath();
    const s = storeAt(path);
    const seqs = () => s.outboxPeek(0, 100).map((r) => r.seq);
    for (let i = 0; i < 3; i++) s.recordPassage(passage({ atMs: t0 + i }));
    expect(seqs()).toEqual([1, 2, 3]);
    const { instance } = s.outboxStats();
    const receipt = (upTo: number, also: [number, number][] = []) =>
      s.applyReceipt({ schema: 'ckpt.receipt/1', instance, upTo, also, at: '2021-08-23T01:00:00.000Z' });
    expect(receipt(3)).toEqual({ kind: 'applied', deleted: 3 });
    expect(s.outboxStats()).toMatchObject({ lastSeq: 3, unreceipted: 0 });
    s.recordPassage(passage({ atMs: t0 + 10 }));
    expect(seqs()).toEqual([4]);
    // The newest row receipted out of order (`also`), the older one still held.
    s.recordPassage(passage({ atMs: t0 + 11 }));
    expect(receipt(3, [[5, 5]])).toEqual({ kind: 'applied', deleted: 1 });
    expect(seqs()).toEqual([4]);
    s.close();
    const again = storeAt(path);
    again.recordPassage(passage({ atMs: t0 + 12 }));
    expect(again.outboxPeek(0, 100).map((r) => r.seq)).toEqual([4, 6]);
    expect(again.outboxStats().lastSeq).toBe(6);
  });

  it('tells outbox listeners after the commit', () => {
    const s = storeAt();
    const seen: number[] = [];
    s.onOutbox(() => seen.push(s.outboxCount()));
    s.recordPassage(passage());
    s.recordPassage(passage({ decision: 'DENY', reasons: ['EXPIRED'] }));
    expect(seen).toEqual([1, 3]);
  });

  it('a row queued in another part’s transaction is told after its commit, and never after a rollback', async () => {
    const path = tempDbPath();
    const s = storeAt(path);
    const reader = new Database(path, { readonly: true });
    const ack = {
      schema: 'ckpt.ack/2',
      id: '00000000-0000-4000-8000-000000000001',
      at: '2021-08-23T00:00:00.000Z',
      typ: 'vnp-zones+jws',
      version: 1,
      applied: true,
    };
    // What the listener sees: whether a transaction is open, and whether another connection sees the row.
    const seen: { inTx: boolean; committed: number }[] = [];
    s.onOutbox(() =>
      seen.push({
        inTx: s.db.inTransaction,
        committed: (reader.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n,
      }),
    );
    // A document's transaction that queues its ack, then fails on its last write: rolled back.
    expect(() =>
      s.db.transaction(() => {
        s.enqueue('ack', ack, 1);
        throw new Error('the audit record could not be written');
      })(),
    ).toThrow(/audit record/);
    await Promise.resolve();
    expect(seen).toEqual([]);
    expect(s.outboxCount()).toBe(0);
    // The same, committed: told once, after the commit.
    s.db.transaction(() => {
      s.enqueue('ack', ack, 2);
      expect(seen).toEqual([]);
    })();
    await Promise.resolve();
    expect(seen).toEqual([{ inTx: false, committed: 1 }]);
    // Two transactions in one task, the second rolled back: the first is still told.
    s.db.transaction(() => s.enqueue('ack', ack, 3))();
    expect(() =>
      s.db.transaction(() => {
        s.enqueue('ack', ack, 4);
        throw new Error('rolled back');
      })(),
    ).toThrow();
    await Promise.resolve();
    expect(seen).toEqual([
      { inTx: false, committed: 1 },
      { inTx: false, committed: 2 },
    ]);
    reader.close();
  });
});

describe('scan history', () => {
  const t0 = Date.UTC(2021, 7, 23, 1, 0, 0);

  it('recentVerdict returns the latest passage of that permit at or after sinceMs', () => {
    const s = storeAt();
    const h = permitHash('P-1');
    s.recordPassage(passage({ atMs: t0 }));
    const b = s.recordPassage(
      passage({ atMs: t0 + 10_000, decision: 'REVIEW', reasons: ['ALREADY_INSIDE'] }),
    );
    s.recordPassage(passage({ atMs: t0 + 20_000 }, 'P-2'));
    expect(s.recentVerdict(h, t0 + 5_000)).toEqual({
      passageId: b.id,
      at: t0 + 10_000,
      decision: 'REVIEW',
      reasons: ['ALREADY_INSIDE'],
    });
    expect(s.recentVerdict(h, t0 + 10_001)).toBeNull();
    expect(s.recentVerdict(permitHash('P-3'), 0)).toBeNull();
  });

  it('lastLetThrough only counts let-through passages in the given area', () => {
    const s = storeAt();
    const h = permitHash('P-1');
    expect(s.lastLetThrough(h, '01-009', 0)).toBeNull();
    s.recordPassage(passage({ atMs: t0, direction: 'in' }));
    s.recordPassage(
      passage({ atMs: t0 + 1, direction: 'out', decision: 'DENY', reasons: ['EXPIRED'], letThrough: false }),
    );
    expect(s.lastLetThrough(h, '01-009', 0)?.direction).toBe('in');
    s.recordPassage(passage({ atMs: t0 + 2, direction: 'out' }));
    expect(s.lastLetThrough(h, '01-009', 0)?.direction).toBe('out');
    expect(s.lastLetThrough(h, '01-010', 0)).toBeNull();
  });

  it('answers both lookups the lane makes from the permit index, not a table scan', () => {
    const s = storeAt();
    const statements = (s as unknown as { s: Record<string, { source: string }> }).s;
    for (const [name, params] of [
      ['recentVerdict', ['x', 0]],
      ['lastLetThrough', ['x', 'y', 0]],
    ] as const) {
      const sql = `EXPLAIN QUERY PLAN ${statements[name]?.source}`;
      const plan = (s.db.prepare(sql).all(...params) as { detail: string }[]).map((r) => r.detail);
      expect(plan[0], name).toMatch(/^SEARCH p USING (COVERING )?INDEX passages_permit_at /);
      expect(plan.join(' | '), name).not.toMatch(/SCAN/);
    }
  });
});

describe('kv', () => {
  it('stores and replaces values across reopen', () => {
    const path = tempDbPath();
    const a = storeAt(path);
    expect(a.getKv('lane')).toBeNull();
    a.setKv('lane', '1');
    a.setKv('lane', '2');
    a.close();
    expect(storeAt(path).getKv('lane')).toBe('2');
  });
});
