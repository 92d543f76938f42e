// The command centre's composition root: ledger (SQLite) → aggregator (MQTT) → dashboard host (HTTP).
// Used by `kiosk command-centre` and by tests that need the real thing in-process.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/base/package-root.js';
import { Aggregator, type AggregatorOptions } from './aggregator.js';
import { Ledger } from './ledger.js';
import { CommandCentreServer } from './server.js';

export const CC_WEB_DIR = join(PACKAGE_ROOT, 'dist', 'command-centre-web');

export interface CommandCentreOptions extends Omit<AggregatorOptions, 'ledger'> {
  database: string;
  http: { host: string; port: number } | false;
  staticDir?: string;
  allowedHosts?: string[];
}

export interface RunningCommandCentre {
  ledger: Ledger;
  aggregator: Aggregator;
  server: CommandCentreServer | null;
  url: string | null;
  /** `retire`: this instance will not come back; see Aggregator.stop. */
  stop(opts?: { retire?: boolean }): Promise<void>;
}

export async function startCommandCentre(o: CommandCentreOptions): Promise<RunningCommandCentre> {
  const { database, http, staticDir, allowedHosts, ...aggregatorOptions } = o;
  const ledger = Ledger.open(database);
  const aggregator = new Aggregator({ ...aggregatorOptions, ledger });
  let server: CommandCentreServer | null = null;
  let url: string | null = null;
  try {
    aggregator.start();
    if (http) {
      server = new CommandCentreServer({
        host: http.host,
        port: http.port,
        staticDir: staticDir ?? CC_WEB_DIR,
        ledger,
        aggregator,
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
    server,
    url,
    async stop(opts = {}) {
      await server?.stop();
      await aggregator.stop(opts);
      ledger.close();
    },
  };
}
