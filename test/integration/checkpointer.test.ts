// WAL checkpoints off the scan thread: the follower's batch is copied into the database file by the
// checkpointer's worker, on its own connection, while the kiosk's connection goes on committing.
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, WAL_AUTOCHECKPOINT_WITH_WORKER } from '../../src/store/checkpointer.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../../src/store/search-index.js';
import { openKioskDatabase, openStore, type Store } from '../../src/store/store.js';
import { FakeClock } from '../fixtures/clock.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  removeTempDirs();
});

describe('the checkpointer', () => {
  it('copies the WAL into the database file in its worker after the follower’s batch', async () => {
    const path = tempDbPath();
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 1, 0, 0));
    const store = openStore(path, checkpoint, { timers: clock });
    open.push(store);
    const pageSize = store.db.pragma('page_size', { simple: true }) as number;
    const before = statSync(path).size;
    for (let i = 0; i < 300; i++) store.recordPassage(passage({ atMs: clock.now() + i }, `CK-${i}`));
    // The commits are in the WAL; the database file has not grown yet.
    expect(statSync(path).size).toBe(before);
    clock.advance(1000);
    expect(store.searchIndex.behind()).toBe(0);
    await waitFor(() => (store.checkpointer?.done ?? 0) >= 1, 'a checkpoint in the worker');
    expect(store.checkpointer?.onKioskThread).toBe(false);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    expect(statSync(path).size).toBe(pages * pageSize);
    expect(statSync(path).size).toBeGreaterThan(before);
    // Its connection leaves checkpoints to the worker: its own threshold is only a safety net now.
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_WITH_WORKER);
    // Unasked, the worker copies what is written next (a purge or peers' passages write without the
    // follower) while the kiosk's connection commits as before.
    const copied = statSync(path).size;
    for (let i = 0; i < 300; i++) store.recordPassage(passage({ atMs: clock.now() + i }, `CK2-${i}`));
    await waitFor(() => statSync(path).size > copied, 'the worker checkpointing by itself');
    expect(store.verifyChain()).toBeNull();
  });

  it('without a worker, checkpoints on the kiosk’s connection instead of failing', async () => {
    const db = openKioskDatabase(tempDbPath());
    const c = new Checkpointer(db, '/nonexistent/kiosk.db');
    c.request();
    await waitFor(() => c.onKioskThread, 'the worker given up');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
    expect(() => c.request()).not.toThrow();
    expect(c.done).toBe(0);
    c.close();
    db.close();
  });
});
