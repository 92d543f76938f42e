// The operators' SQLite store: an account change and its audit entry commit together, and an edited
// audit entry is found by the chain (named by id), as the kiosk's "verify log" finds one.
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../command-centre/server/ledger.js';
import { SqliteOperatorStore } from '../../command-centre/server/operator-store-sqlite.js';
import { Operators } from '../../command-centre/server/operators.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

let ledger: Ledger | null = null;
afterEach(() => {
  ledger?.close();
  ledger = null;
  removeTempDirs();
});

let clock = 1_800_000_000_000;

function open() {
  ledger = Ledger.open(tempDbPath());
  const store = new SqliteOperatorStore(ledger.db);
  return { store, ops: new Operators(store, { pinCost: 2 ** 10, now: () => clock }) };
}

describe('command-centre operator store', () => {
  it('finds an edited audit entry by its id', async () => {
    const { store, ops } = open();
    await ops.createAccount(null, {
      name: 'chihuy',
      role: 'admin',
      scope: 'city',
      password: 'secret-pass-1',
    });
    await ops.login('chihuy', 'secret-pass-1', null);
    await ops.login('chihuy', 'wrong-password', null).catch(() => {});
    expect(await store.verifyAudit()).toEqual({ entries: 3, firstBad: null });
    ledger!.db.prepare(`UPDATE cc_audit SET details = '{"peer":"10.0.0.9"}' WHERE id = 2`).run();
    expect(await store.verifyAudit()).toEqual({ entries: 2, firstBad: 2 });
  });

  it('creates no account when its audit entry cannot be written', async () => {
    const { store, ops } = open();
    ledger!.db.exec(
      `CREATE TRIGGER no_audit BEFORE INSERT ON cc_audit BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    await expect(
      ops.createAccount(null, { name: 'chihuy', role: 'admin', scope: 'city', password: 'secret-pass-1' }),
    ).rejects.toThrow(/disk full/);
    expect(await store.listAccounts()).toEqual([]);
  });

  it("ends a publisher's idle session after 30 minutes and a wall screen's after 12 hours", async () => {
    const { ops } = open();
    await ops.createAccount(null, {
      name: 'pub',
      role: 'publisher',
      scope: 'city',
      password: 'secret-pass-1',
    });
    await ops.createAccount(null, { name: 'wall', role: 'viewer', scope: 'city', password: 'secret-pass-1' });
    const pub = await ops.login('pub', 'secret-pass-1', null);
    const wall = await ops.login('wall', 'secret-pass-1', null);
    expect(pub.operator.maxEndMs - clock).toBe(8 * 3_600_000);
    clock += 29 * 60_000;
    expect(await ops.resolve(pub.token)).not.toBeNull();
    clock += 29 * 60_000;
    // Touched 29 minutes ago: still alive; then 31 minutes without a call ends it.
    expect(await ops.resolve(pub.token)).not.toBeNull();
    clock += 31 * 60_000;
    expect(await ops.resolve(pub.token)).toBeNull();
    expect(await ops.resolve(wall.token)).not.toBeNull();
    clock += 12 * 3_600_000;
    expect(await ops.resolve(wall.token)).toBeNull();
  });

  it('keeps one city admin able to log in', async () => {
    const { store, ops } = open();
    const a = await ops.createAccount(null, {
      name: 'chihuy',
      role: 'admin',
      scope: 'city',
      password: 'secret-pass-1',
    });
    await expect(ops.updateAccount(null, a.id, { disabled: true })).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
    await expect(ops.updateAccount(null, a.id, { scope: ['01-001'] })).rejects.toMatchObject({
      code: 'LAST_ADMIN',
    });
    expect((await store.accountById(a.id))?.disabled).toBe(false);
  });
});
