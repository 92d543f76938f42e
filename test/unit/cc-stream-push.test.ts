// The dashboard's stream while the database is unreachable: a push fails at every tick, and the log
// says so once per cause (and once when pushes work again), not twice a second for the whole outage.
import { afterEach, describe, expect, it } from 'vitest';
import { CommandCentreServer } from '../../command-centre/server/server.js';
import type { LedgerStore } from '../../command-centre/server/store.js';
import { setLogSink } from '../../src/base/log.js';

afterEach(() => setLogSink(null));

describe('command centre stream pushes', () => {
  it('logs a failing push once per cause, and the recovery once', async () => {
    const lines: string[] = [];
    setLogSink((level, message) => lines.push(`${level}: ${message}`));
    let failure: string | null = 'connect ECONNREFUSED 127.0.0.1:5432';
    const store = {
      dataVersion: async () => {
        if (failure) throw new Error(failure);
        return 1;
      },
    } as unknown as LedgerStore;
    const server = new CommandCentreServer({ staticDir: '.', store } as never);
    const internals = server as unknown as {
      streams: Map<unknown, unknown>;
      tick(): Promise<void>;
      push(): Promise<void>;
    };
    internals.streams.set({}, {});
    // What a push does once the database answers is not this test's matter.
    const push = internals.push.bind(server);
    internals.push = async () => {
      await push().catch((err: Error) => {
        if (failure) throw err;
      });
    };
    for (let i = 0; i < 20; i++) await internals.tick();
    failure = 'Connection terminated unexpectedly';
    for (let i = 0; i < 20; i++) await internals.tick();
    failure = null;
    for (let i = 0; i < 5; i++) await internals.tick();
    expect(lines).toEqual([
      'warn: command centre: stream push failed: connect ECONNREFUSED 127.0.0.1:5432',
      'warn: command centre: stream push failed: Connection terminated unexpectedly',
      'info: command centre: stream pushes work again',
    ]);
  });
});
