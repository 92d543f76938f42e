// The retention purge in slices (src/audit/retention.ts), on a real SQLite log and a clock the test
// moves: each turn of the event loop runs one slice, so scans commit between slices; the progress is in
// the kiosk's status; a run cut short is taken up where it was, not from zero; nothing is erased without
// its audit event; a stop leaves the run for the next start.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type PurgeProgress, Retention } from '../../src/audit/retention.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeClock } from '../fixtures/clock.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint as kioskCheckpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from './store-fixtures.js';

const DAY = 86_400_000;
const OLD = Date.UTC(2021, 7, 1, 1, 0, 0);
const NOW = OLD + 40 * DAY;

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  removeTempDirs();
});

function storeWith(expired: number, path = tempDbPath()): Store {
  const store = openStore(path, checkpoint);
  stores.push(store);
  for (let i = 0; i < expired; i++) store.recordPassage(passage({ atMs: OLD + i * 1000 }, `OLD-${i}`));
  return store;
}

const purgedCount = (store: Store) =>
  (store.db.prepare('SELECT count(*) AS n FROM passages WHERE purged = 1').get() as { n: number }).n;
const events = (store: Store) =>
  (
    store.db
      .prepare(`SELECT kind, details FROM audit_events WHERE kind LIKE 'purge%' ORDER BY seq`)
      .all() as {
      kind: string;
      details: string;
    }[]
  ).map((e) => ({ kind: e.kind, ...JSON.parse(e.details) }));

function retention(
  store: Store,
  clock: FakeClock,
  over: Partial<ConstructorParameters<typeof Retention>[2]> = {},
) {
  const progress: (PurgeProgress | null)[] = [];
  const r = new Retention(store.db, store.chain, {
    days: 30,
    now: clock.now,
    timers: clock,
    sliceRows: 4,
    // Slices by rows only: the test's slices do not depend on the machine's speed.
    sliceMs: Number.POSITIVE_INFINITY,
    sliceCommitMs: Number.POSITIVE_INFINITY,
    onProgress: (p) => progress.push(p),
    ...over,
  });
  return { r, progress };
}

describe('retention purge in slices', () => {
  it('erases a bounded slice per turn of the event loop, so a passage commits between slices', async () => {
    const store = storeWith(10);
    const clock = new FakeClock(NOW);
    const { r, progress } = retention(store, clock);
    const done = r.purge();
    expect(progress).toEqual([
      { beforeMs: NOW - 30 * DAY, startedMs: NOW, done: 0, total: null, resumed: false, phase: 'counting' },
    ]);
    expect(clock.turn()).toBe(1); // counting
    expect(r.progress()).toMatchObject({ total: 10, done: 0 });
    const seen = new Database(store.db.name, { readonly: true });
    const committed = () => (seen.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
    const erased: number[] = [];
    for (let turn = 0; turn < 3; turn++) {
      expect(clock.turn()).toBe(1);
      erased.push(purgedCount(store));
      // A scan's passage between two slices: committed at once (another connection sees it).
      store.recordPassage(passage({ atMs: NOW }, `NEW-${turn}`));
      expect(committed()).toBe(11 + turn);
    }
    seen.close();
    expect(erased).toEqual([4, 8, 10]);
    // Then the name index is tidied, a few pages a turn.
    expect(r.progress()).toMatchObject({ phase: 'tidying', done: 10 });
    while (clock.turn() > 0);
    expect(await done).toEqual({ purged: 10, before: new Date(NOW - 30 * DAY).toISOString() });
    expect(progress.at(-1)).toBeNull();
    expect(events(store)).toEqual([
      expect.objectContaining({ kind: 'purge_start', expected: 10, days: 30 }),
      expect.objectContaining({ kind: 'purge', rows: 10, days: 30 }),
    ]);
    expect(verifyLogSync(store.db).ok).toBe(true);
  });

  it('a run cut short (the process killed) is taken up where it was at the next start, not from zero', async () => {
    const path = tempDbPath();
    const first = storeWith(10, path);
    const clock = new FakeClock(NOW);
    const { r } = retention(first, clock);
    void r.purge();
    clock.turn(); // counted: 10
    clock.turn(); // 4 erased
    clock.turn(); // 8 erased
    expect(purgedCount(first)).toBe(8);
    first.close(); // killed: no stop, the slice timer never fires

    const store = storeWith(0, path);
    const later = new FakeClock(NOW + 3_600_000);
    const { r: again, progress } = retention(store, later, { sliceRows: 100 });
    const erasing: number[] = [];
    const done = again.purge();
    // Taken up with the count and the rows erased before the kill; no new count.
    expect(progress[0]).toEqual({
      beforeMs: NOW - 30 * DAY,
      startedMs: NOW,
      done: 8,
      total: 10,
      resumed: true,
      phase: 'erasing',
    });
    expect(later.turn()).toBe(1);
    erasing.push(purgedCount(store));
    while (later.turn() > 0);
    expect(await done).toMatchObject({ purged: 10 });
    expect(erasing).toEqual([10]);
    expect(events(store).map((e) => [e.kind, e.rows ?? e.expected, e.resumed ?? false])).toEqual([
      ['purge_start', 10, false],
      ['purge', 10, true],
    ]);
    expect(store.getKv('retention.run')).toBeNull();
  });

  it('sizes its slices by what they cost, commit included: halved when over, grown back when cheap', async () => {
    const store = storeWith(120);
    const clock = new FakeClock(NOW);
    // The slices' own clock: every reading 5 ms later while `slow`, so a slice costs ≥ 10 ms.
    let t = 0;
    let slow = true;
    const { r } = retention(store, clock, {
      sliceRows: 500,
      sliceMs: 1,
      sliceCommitMs: 8,
      clock: () => (t += slow ? 5 : 0),
    });
    const done = r.purge();
    clock.turn(); // counting
    const sizes: number[] = [];
    let before = 0;
    for (let i = 0; i < 8; i++) {
      clock.turn();
      sizes.push(purgedCount(store) - before);
      before = purgedCount(store);
    }
    // Each slice costs over 8 ms (its statements stop after one: 1 ms is gone), so the next takes half.
    expect(sizes).toEqual([32, 16, 8, 4, 2, 1, 1, 1]);
    slow = false;
    while (clock.turn() > 0) {
      sizes.push(purgedCount(store) - before);
      before = purgedCount(store);
    }
    expect(await done).toMatchObject({ purged: 120 });
    // Cheap again: each slice takes a quarter more than the last.
    expect(sizes.slice(8, 13)).toEqual([1, 2, 3, 4, 5]);
  });

  it('the erased names’ words leave the name index too, not only the rows', async () => {
    const store = storeWith(0);
    const named = (name: string, atMs: number, cti: string) => {
      const p = passage({ atMs }, cti);
      store.recordPassage({ ...p, permit: { ...p.permit!, holderName: name } });
      // The name index is the search index follower's: brought up to date now, not a moment later.
      store.searchIndex.catchUp();
    };
    // Words with distinct first letters: the index stores each whole (no prefix shared with the last).
    const gone = ['Zulu', 'Yankee', 'Xray', 'Whiskey', 'Quebec'];
    for (const [i, w] of gone.entries()) named(`Trần ${w}`, OLD + i * 1000, `GONE-${i}`);
    for (let i = 0; i < 200; i++) named('Nguyễn Văn An', NOW - DAY, `KEPT-${i}`);
    named('Lê Kilo', NOW - DAY, 'KILO');
    const words = () => {
      const blocks = store.db.prepare('SELECT block FROM passage_names_data').all() as {
        block: Buffer | null;
      }[];
      const all = Buffer.concat(blocks.map((b) => Buffer.from(b.block ?? [])));
      // The word list that stands for typed prefixes keeps a word only while a passage has it.
      const listed = new Set(
        (store.db.prepare('SELECT word FROM passage_name_words').all() as { word: string }[]).map(
          (r) => r.word,
        ),
      );
      return [...gone, 'Kilo'].filter((w) => all.includes(w.toLowerCase()) || listed.has(w.toLowerCase()));
    };
    expect(words()).toEqual([...gone, 'Kilo']);
    expect(store.db.prepare('SELECT count(*) AS n FROM passage_name_words').get()).toEqual({ n: 11 });
    const clock = new FakeClock(NOW);
    const { r } = retention(store, clock);
    const done = r.purge();
    while (clock.turn() > 0);
    expect(await done).toMatchObject({ purged: 5 });
    expect(words()).toEqual(['Kilo']);
    expect(store.getKv('retention.tidy')).toBeNull();
    // "tran" goes with its five passages; the kept names' words stay, and a prefix still finds them.
    expect(store.db.prepare('SELECT word FROM passage_name_words ORDER BY word').pluck().all()).toEqual([
      'an',
      'kilo',
      'le',
      'nguyen',
      'van',
    ]);

    // The index is rewritten whole at most daily: a run later the same day leaves the words for then.
    named('Trần Juliet', OLD + 10_000, 'GONE-J');
    const phases = new Set<string>();
    const { r: hourly } = retention(store, clock, { onProgress: (p) => p && phases.add(p.phase) });
    let again = hourly.purge();
    while (clock.turn() > 0) phases.add(hourly.progress()?.phase ?? '-');
    expect(await again).toMatchObject({ purged: 1 });
    expect(phases.has('tidying')).toBe(false);
    const juliet = () =>
      Buffer.concat(
        (store.db.prepare('SELECT block FROM passage_names_data').all() as { block: Buffer | null }[]).map(
          (b) => Buffer.from(b.block ?? []),
        ),
      ).includes('juliet') ||
      store.db.prepare(`SELECT 1 FROM passage_name_words WHERE word = 'juliet'`).get() !== undefined;
    expect(juliet()).toBe(true);
    clock.advance(DAY);
    again = hourly.purge();
    while (clock.turn() > 0);
    expect(await again).toMatchObject({ purged: 0 });
    expect(juliet()).toBe(false);
  });

  it('nothing is erased without its audit event: a failing audit stops the run and erases nothing', async () => {
    const store = storeWith(6);
    const clock = new FakeClock(NOW);
    const { r } = retention(store, clock);
    store.db.exec(`CREATE TRIGGER no_audit BEFORE INSERT ON audit_events WHEN NEW.kind LIKE 'purge%'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    const done = r.purge();
    clock.turn();
    clock.turn();
    await expect(done).rejects.toThrow(/injected/);
    expect(purgedCount(store)).toBe(0);
    expect(r.progress()).toBeNull();
    // The last slice's audit failing leaves its rows, and the run, for the next one.
    store.db.exec(`DROP TRIGGER no_audit; CREATE TRIGGER no_audit BEFORE INSERT ON audit_events
      WHEN NEW.kind = 'purge' BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    const second = r.purge();
    while (clock.turn() > 0);
    await expect(second).rejects.toThrow(/injected/);
    expect(purgedCount(store)).toBe(4);
    store.db.exec('DROP TRIGGER no_audit');
    const third = r.purge();
    while (clock.turn() > 0);
    expect(await third).toMatchObject({ purged: 6 });
    expect(events(store).map((e) => e.kind)).toEqual(['purge_start', 'purge']);
  });

  it('stop ends the run between slices and keeps it for the next start; a person joins the run under way', async () => {
    const store = storeWith(10);
    const clock = new FakeClock(NOW);
    const { r, progress } = retention(store, clock);
    const scheduled = r.purge();
    const asked = r.purge({ userId: 7, name: 'Kỹ thuật viên Hoà' });
    clock.turn();
    clock.turn();
    r.stop();
    expect(clock.pending).toBe(0);
    expect(await scheduled).toMatchObject({ purged: 4, stopped: true });
    expect(await asked).toMatchObject({ purged: 4, stopped: true });
    expect(progress.at(-1)).toBeNull();
    expect(JSON.parse(store.getKv('retention.run') ?? 'null')).toMatchObject({ done: 4, total: 10 });
    expect(await r.purge()).toMatchObject({ purged: 0, stopped: true });
  });
});

describe('retention purge on a kiosk', () => {
  it('scans are judged and committed between slices; the status shows the progress; the admin’s call answers while it runs', async () => {
    const clock = new FakeClock(T0);
    const issuer = makeIssuer();
    const root = generateKeyPair();
    const kiosk = new Kiosk({
      checkpoint: kioskCheckpoint({}, { duplicateWindowSeconds: 0, antiPassback: 'off' }),
      root: loadPublicKey(root.publicPem),
      trust: makeTrust([{ issuer }]),
      database: tempDbPath(),
      serial: null,
      mqtt: null,
      http: false,
      now: clock.now,
      timers: clock,
      pinCost: 2 ** 10,
    });
    await kiosk.start();
    try {
      await onDuty(kiosk);
      const store = kiosk.currentStore()!;
      for (let i = 0; i < 1200; i++)
        store.recordPassage(passage({ atMs: T0 - 40 * DAY + i * 1000 }, `OLD-${i}`));
      const statuses: ReturnType<Kiosk['status']>[] = [];
      kiosk.bus.on('status.changed', () => statuses.push(kiosk.status()));
      const audit = kiosk.supervision.audit;
      const answer = audit.purgeNow({ userId: 1, name: 'Kỹ thuật viên Hoà' }, 0);
      expect(kiosk.status().purge).toMatchObject({ done: 0, total: null, resumed: false });
      // The first turn counts; then the wait of the call (0 ms here) is over: it answers with the run going on.
      clock.turn();
      expect(await answer).toMatchObject({ purged: 0, running: true });
      let slices = 0;
      while (kiosk.status().purge) {
        expect(clock.turn()).toBe(1);
        slices++;
        const v = kiosk.scan(makePermit(issuer, { cti: `SCAN-${slices}` }), 'serial');
        expect(v).toMatchObject({ kind: 'passage', decision: 'ALLOW' });
        expect(store.getPassage(v.passageId!)?.holderName).not.toBeNull();
        const p = kiosk.status().purge;
        if (p) expect(p).toMatchObject({ total: 1200, done: purgedCount(store) });
      }
      // At most 500 rows a slice: at least three slices, each followed by a committed scan.
      expect(slices).toBeGreaterThanOrEqual(3);
      expect(purgedCount(store)).toBe(1200);
      expect(statuses.at(0)?.purge).toMatchObject({ done: 0 });
      expect(statuses.at(-1)?.purge).toBeNull();
    } finally {
      await kiosk.stop();
    }
  });
});
