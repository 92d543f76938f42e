// The command centre's composition root: ledger (SQLite) → aggregator (MQTT) → operators → dashboard
// host (HTTP on loopback, HTTPS beyond).
// Used by `kiosk command-centre` and by tests that need the real thing in-process.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/base/package-root.js';
import type { TlsPair } from '../../src/host/tls-files.js';
import { Aggregator, type AggregatorOptions } from './aggregator.js';
import { Ledger } from './ledger.js';
import { SqliteOperatorStore } from './operator-store-sqlite.js';
import { Operators, type OperatorsOptions } from './operators.js';
import { CommandCentreServer } from './server.js';

export const CC_WEB_DIR = join(PACKAGE_ROOT, 'dist', 'command-centre-web');

export interface CommandCentreOptions extends Omit<AggregatorOptions, 'ledger'> {
  database: string;
  http: { host: string; port: number; tls?: TlsPair } | false;
  /** Lockout, session lifetimes, scrypt cost (tests lower it). */
  operators?: Omit<OperatorsOptions, 'now'>;
  staticDir?: string;
  allowedHosts?: string[];
}

export interface RunningCommandCentre {
  ledger: Ledger;
  aggregator: Aggregator;
  operators: Operators;
  server: CommandCentreServer | null;
  url: string | null;
  /** `retire`: this instance will not come back; see Aggregator.stop. */
  stop(opts?: { retire?: boolean }): Promise<void>;
}

export async function startCommandCentre(o: CommandCentreOptions): Promise<RunningCommandCentre> {
  const { database, http, staticDir, allowedHosts, operators: operatorOptions, ...aggregatorOptions } = o;
  const ledger = Ledger.open(database);
  const operators = new Operators(new SqliteOperatorStore(ledger.db), {
    ...operatorOptions,
    ...(o.now ? { now: o.now } : {}),
  });
  const aggregator = new Aggregator({ ...aggregatorOptions, ledger });
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
        ledger,
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
    ledger.close();
    throw err;
  }
  return {
    ledger,
    aggregator,
    operators,
    server,
    url,
    async stop(opts = {}) {
      await server?.stop();
      await aggregator.stop(opts);
      ledger.close();
    },
  };
}
