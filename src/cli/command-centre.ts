// `kiosk command-centre`: the aggregator (MQTT shared subscriptions → SQLite or PostgreSQL, receipts back
// to each kiosk) and the dashboard (HTTP on 127.0.0.1, HTTPS with --tls-cert/--tls-key beyond it), behind
// operator logins. The signing key is read here and never leaves this process.
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { KioskError } from '../contract/errors.js';
import { loadPrivateKey } from '../contract/keys.js';
import { loadTlsPair } from '../host/tls-files.js';
import { registerAccounts } from './command-centre-accounts.js';
import { readTextFile, reportCliError } from './common.js';
import { brokerUrls, positiveNumber, tlsOptions } from './simulate-fleet.js';

interface CommandCentreCliOptions {
  broker: string[];
  key?: string;
  port: string;
  host: string;
  db: string;
  clientId?: string;
  group: string;
  retainDays: string;
  ccId?: string;
  staticDir?: string;
  retire?: boolean;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  clientKey?: string;
  tlsCert?: string;
  tlsKey?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function run(o: CommandCentreCliOptions): Promise<void> {
  const urls = brokerUrls(o.broker);
  const port = positiveNumber(o.port, '--port', { integer: true });
  if (port > 65535) throw new KioskError('BAD_ARGUMENT', '--port tối đa 65535', '--port is at most 65535');
  const retainDays = positiveNumber(o.retainDays, '--retain-days', { integer: true, min: 1 });
  let signingKeyPem: string | null = null;
  if (o.key) {
    signingKeyPem = readTextFile(o.key, 'khoá ký của trung tâm', 'command centre signing key');
    try {
      loadPrivateKey(signingKeyPem);
    } catch {
      throw new KioskError(
        'KEY_INVALID',
        `${o.key} không phải khoá bí mật P-256 (PKCS#8 PEM)`,
        `${o.key} is not a P-256 private key (PKCS#8 PEM)`,
      );
    }
  }
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new KioskError(
      'BAD_ARGUMENT',
      '--tls-cert và --tls-key phải đi cùng nhau',
      '--tls-cert and --tls-key go together',
    );
  }
  const tls = o.tlsCert && o.tlsKey ? loadTlsPair(o.tlsCert, o.tlsKey) : undefined;
  const { startCommandCentreOn: startCommandCentre } = await import('../../command-centre/server/run.js');
  if (o.retire) {
    await retire(o, urls, startCommandCentre);
    return;
  }
  const cc = await startCommandCentre({
    urls,
    database: o.db,
    // Stable across restarts, so the broker hands this instance the session (and messages) it kept.
    clientId: o.clientId ?? `cc-${hostname()}-${port}`,
    group: o.group,
    retainDays,
    ...(o.ccId !== undefined && { ccId: o.ccId }),
    signingKeyPem,
    http: { host: o.host, port, ...(tls && { tls }) },
    ...(o.staticDir ? { staticDir: o.staticDir } : {}),
    ...tlsOptions(o),
  });
  console.log(`Trung tâm chỉ huy sẵn sàng / command centre ready: ${cc.url}`);
  if (!signingKeyPem) {
    console.log('Không có --key: chỉ xem, không phát tài liệu / no --key: read-only, publishing disabled');
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await cc.stop();
}

/** Runs once more with this instance's id to take in its queued share, then ends its broker session. */
async function retire(
  o: CommandCentreCliOptions,
  urls: string[],
  start: typeof import('../../command-centre/server/run.js').startCommandCentreOn,
): Promise<void> {
  const port = Number(o.port);
  const cc = await start({
    urls,
    database: o.db,
    clientId: o.clientId ?? `cc-${hostname()}-${port}`,
    group: o.group,
    http: false,
    ...tlsOptions(o),
  });
  const deadline = Date.now() + 30_000;
  while (!cc.aggregator.state().connected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!cc.aggregator.state().connected) {
    await cc.stop();
    throw new KioskError(
      'BROKER_UNREACHABLE',
      'Không kết nối được máy chủ MQTT: phiên chưa được giải phóng',
      'Cannot reach the MQTT broker: the session was not released',
    );
  }
  await cc.stop({ retire: true });
  const s = cc.aggregator.stats;
  console.log(
    `Đã giải phóng phiên / session released: ${s.received} messages taken in (${s.counted} counted, ${s.duplicates} duplicates)`,
  );
}

export function register(program: Command): void {
  const command = program
    .command('command-centre')
    .description(
      'Trung tâm chỉ huy: tổng hợp MQTT và bảng điều khiển / command centre: aggregator and dashboard',
    )
    .option('--broker <url>', 'broker URL (repeat, or comma-separate, for failover)', collect, [])
    .option('--key <pem>', "the command centre's private signing key (PKCS#8 PEM); without it, read-only")
    .option('--port <port>', 'dashboard port on --host (0: any free port)', '8090')
    .option('--host <host>', 'dashboard address', '127.0.0.1')
    .option(
      '--db <file|url>',
      'SQLite file (aggregators on one machine share it) or postgres:// URL (aggregators on several)',
      'command-centre.db',
    )
    .option('--client-id <id>', 'MQTT client id, stable per instance (default cc-<hostname>-<port>)')
    .option('--group <name>', 'shared-subscription group', 'cc')
    .option('--retain-days <n>', 'keep events and passages this long (counts and receipts stay)', '90')
    .option('--cc-id <id>', 'this aggregator in ckpt/v2/cc/state/<id> (default: the client id)')
    .option('--static-dir <dir>', 'the built dashboard (default dist/command-centre-web)')
    .option(
      '--retire',
      "take in this instance's queued share, release its broker session and exit (an instance that will not return)",
    )
    .option('--username <u>', 'MQTT username')
    .option('--password <p>', 'MQTT password')
    .option('--ca <pem>', 'pinned CA for mqtts://')
    .option('--cert <pem>', 'client certificate')
    .option('--client-key <pem>', 'client certificate key')
    .option('--tls-cert <pem>', 'dashboard HTTPS certificate (needed to bind beyond loopback)')
    .option('--tls-key <pem>', 'dashboard HTTPS private key')
    .action(async (opts: CommandCentreCliOptions) => {
      try {
        await run(opts);
      } catch (err) {
        reportCliError('command-centre', err);
      }
    });
  registerAccounts(command);
}
