// The search index follower (src/store/search-index.ts): the scan's commit leaves the search indexes
// alone; the follower fills them within a second, on the clock; a search right after a commit already
// sees the passage.
import { afterEach, describe, expect, it } from 'vitest';
import { PassageSearch } from '../../src/audit/search.js';
import { idnKeyLocation, openIdnKey } from '../../src/store/idn-key-file.js';
import { FOLLOW_BATCH, FOLLOW_DELAY_MS } from '../../src/store/search-index.js';
import { openStore, type Store } from '../../src/store/store.js';
import { FakeClock } from '../fixtures/clock.js';
import { burstIdn, burstName, burstPassage, burstPlate } from '../fixtures/search-burst.js';
import { checkpoint, removeTempDirs, tempDbPath } from './store-fixtures.js';

const NOW = Date.UTC(2026, 11, 5, 3, 0, 0);
const stores: Store[] = [];

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  removeTempDirs();
});

function open(clock: FakeClock, database = tempDbPath()) {
  const store = openStore(database, checkpoint, { timers: clock });
  stores.push(store);
  const idn = openIdnKey(store.db, idnKeyLocation({ database })).key;
  store.attachIdn(idn);
  return { store, idn, database };
}

const names = (store: Store) =>
  (store.db.prepare('SELECT count(*) AS n FROM passage_names').get() as { n: number }).n;

describe('search index follower', () => {
  it('indexes after the commit, within a second on the clock, not in it', () => {
    const clock = new FakeClock(NOW);
    const { store } = open(clock);
    store.recordPassage(burstPassage(1, NOW));
    store.recordPassage({
      ...burstPassage(2, NOW),
      decision: 'DENY',
      reasons: ['EXPIRED'],
      letThrough: false,
    });
    expect(names(store)).toBe(0);
    expect(store.searchIndex.behind()).toBe(2);
    clock.advance(FOLLOW_DELAY_MS - 1);
    expect(names(store)).toBe(0);
    clock.advance(1);
    expect(FOLLOW_DELAY_MS).toBeLessThanOrEqual(1000);
    expect(names(store)).toBe(2);
    expect(store.searchIndex.behind()).toBe(0);
    const reasons = store.db.prepare('SELECT reason, passage_id AS id FROM passage_reasons').all();
    expect(reasons).toEqual([{ reason: 'EXPIRED', id: 2 }]);
    expect(store.verifyChain()).toBeNull();
  });

  it('a backlog larger than a batch: one batch per transaction, the next at once, all within the delay', () => {
    const clock = new FakeClock(NOW);
    const { store } = open(clock);
    const n = FOLLOW_BATCH * 2 + 7;
    for (let i = 1; i <= n; i++) store.recordPassage(burstPassage(i, NOW));
    expect(store.searchIndex.step()).toBe(FOLLOW_BATCH);
    expect(store.searchIndex.cursor()).toBe(FOLLOW_BATCH);
    clock.advance(FOLLOW_DELAY_MS);
    expect(store.searchIndex.cursor()).toBe(n);
    expect(names(store)).toBe(n);
    expect(clock.pending).toBe(0);
  });

  it('a search right after a commit sees the passage, by name, plate, ID number and its last 4 digits', () => {
    const clock = new FakeClock(NOW);
    const { store, idn } = open(clock);
    const search = new PassageSearch(store.db, idn);
    for (let i = 1; i <= 3; i++) {
      const { id } = store.recordPassage(burstPassage(i, NOW + i));
      // The clock has not moved: the follower has not run.
      expect(store.searchIndex.behind()).toBeGreaterThan(0);
      for (const f of [
        { name: burstName(i) },
        { plate: burstPlate(i) },
        { idn: burstIdn(i) },
        { idn: burstIdn(i).slice(-4) },
        { decision: 'ALLOW' as const },
      ]) {
        expect(search.search(f, 10).rows.map((r) => r.id)).toContain(id);
      }
    }
  });

  it('a reopened kiosk indexes what it committed before it stopped, on its own', () => {
    const clock = new FakeClock(NOW);
    const { store, database } = open(clock);
    store.recordPassage(burstPassage(1, NOW));
    store.close();
    const clock2 = new FakeClock(NOW);
    const again = open(clock2, database);
    expect(again.store.searchIndex.behind()).toBe(1);
    clock2.advance(FOLLOW_DELAY_MS);
    expect(names(again.store)).toBe(1);
    expect(again.store.searchIndex.behind()).toBe(0);
  });
});
