// The command centre's composition root: store (SQLite or PostgreSQL) → aggregator (MQTT) → operators →
// dashboard host (HTTP on loopback, HTTPS beyond). Used by `kiosk command-centre` and by tests that
// need the real thing in-process.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/base/package-root.js';
import type { TlsPair } from '../../src/host/tls-files.js';
import { Aggregator, type AggregatorOptions } from './aggregator.js';
import { isPostgresUrl, Ledger } from './ledger.js';
import { Operators, type OperatorsOptions } from './operators.js';
import { CommandCentreServer } from './server.js';
import { type LedgerStore, SqliteStore } from './store.js';

export const CC_WEB_DIR = join(PACKAGE_ROOT, 'dist', 'command-centre-web');

export interface CommandCentreOptions extends Omit<AggregatorOptions, 'ledger'> {
  /** A SQLite file (aggregators on one machine share it), or a `postgres://` URL (on several). */
  database: string;
  http: { host: string; port: number; tls?: TlsPair } | false;
  /** Lockout, session lifetimes, scrypt cost (tests lower it). */
  operators?: Omit<OperatorsOptions, 'now'>;
  staticDir?: string;
  allowedHosts?: string[];
}

/** A command centre on either database. */
export interface RunningCentre {
  store: LedgerStore;
  aggregator: Aggregator;
  operators: Operators;
  server: CommandCentreServer | null;
  url: string | null;
  /** `retire`: this instance will not come back; see Aggregator.stop. */
  stop(opts?: { retire?: boolean }): Promise<void>;
}

/** On SQLite: its ledger is also read synchronously (tests do). */
export interface RunningCommandCentre extends RunningCentre {
  ledger: Ledger;
}

/** Opens (creating and migrating) the store the option names. */
export async function openStore(database: string): Promise<LedgerStore> {
  if (!isPostgresUrl(database)) return new SqliteStore(Ledger.open(database));
  const { PgStore } = await import('./store-pg.js');
  return PgStore.open(database);
}

/** On SQLite, whose ledger tests read synchronously. */
export async function startCommandCentre(o: CommandCentreOptions): Promise<RunningCommandCentre> {
  const ledger = Ledger.open(o.database);
  return { ...(await startOn(new SqliteStore(ledger), o)), ledger };
}

/** On whichever database `o.database` names. */
export async function startCommandCentreOn(o: CommandCentreOptions): Promise<RunningCentre> {
  return startOn(await openStore(o.database), o);
}

async function startOn(store: LedgerStore, o: CommandCentreOptions): Promise<RunningCentre> {
  const {
    database: _database,
    http,
    staticDir,
    allowedHosts,
    operators: operatorOptions,
    ...aggregatorOptions
  } = o;
  const operators = new Operators(store.operatorStore(), {
    ...operatorOptions,
    ...(o.now ? { now: o.now } : {}),
  });
  const aggregator = new Aggregator({ ...aggregatorOptions, ledger: store });
  let server: CommandCentreServer | null = null;
  let url: string | null = null;
  try {
    await operators.purgeExpired();
    aggregator.start();
    if (http) {
      server = new CommandCentreServer({
        host: http.host,
        port: http.port,
        staticDir: staticDir ?? CC_WEB_DIR,
        store,
        aggregator,
        operators,
        ...(http.tls ? { tls: http.tls } : {}),
        ...(allowedHosts ? { allowedHosts } : {}),
        ...(o.now ? { now: o.now } : {}),
      });
      url = (await server.start()).url;
    }
  } catch (err) {
    await aggregator.stop();
    await store.close();
    throw err;
  }
  return {
    store,
    aggregator,
    operators,
    server,
    url,
    async stop(opts = {}) {
      await server?.stop();
      await aggregator.stop(opts);
      await store.close();
    },
  };
}
