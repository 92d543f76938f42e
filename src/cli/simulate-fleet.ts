// `kiosk simulate-fleet`: hundreds of simulated kiosks (contract v2, several per checkpoint) against a
// broker, for load tests and demos. stdout: one JSON line per kiosk with what it counted, then one line
// with the fleet's total; progress goes to stderr. Exit 1 when some message was never covered by the
// command centre's receipt (the totals were not all delivered).
import type { Command } from 'commander';
import { KioskError } from '../contract/errors.js';
import { readTextFile, reportCliError } from './common.js';

interface FleetCliOptions {
  broker: string[];
  count: string;
  kiosksPerCheckpoint: string;
  rate: string;
  duration: string;
  window: string;
  prefix: string;
  seed?: string;
  end: string;
  receiptTimeout: string;
  drainTimeout: string;
  passages: boolean;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  clientKey?: string;
}

export function positiveNumber(value: string, flag: string, opts: { integer?: boolean; min?: number } = {}) {
  const n = Number(value);
  const min = opts.min ?? 0;
  if (!Number.isFinite(n) || n < min || (opts.integer && !Number.isInteger(n))) {
    const what = opts.integer ? 'số nguyên' : 'số';
    const whatEn = opts.integer ? 'an integer' : 'a number';
    throw new KioskError(
      'BAD_ARGUMENT',
      `${flag} phải là ${what} ≥ ${min} (nhận "${value}")`,
      `${flag} must be ${whatEn} ≥ ${min} (got "${value}")`,
    );
  }
  return n;
}

export function brokerUrls(values: string[]): string[] {
  const urls = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const u of urls) {
    if (!/^(mqtts?|wss?|tcp|tls):\/\/\S+$/.test(u)) {
      throw new KioskError(
        'BAD_ARGUMENT',
        `--broker "${u}" không phải địa chỉ mqtt://, mqtts://, ws:// hay wss://`,
        `--broker "${u}" is not an mqtt://, mqtts://, ws:// or wss:// URL`,
      );
    }
  }
  if (urls.length === 0) {
    throw new KioskError('BAD_ARGUMENT', 'Cần ít nhất một --broker', 'At least one --broker is needed');
  }
  return urls;
}

/** TLS and credential flags shared with `kiosk command-centre`. */
export function tlsOptions(o: {
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  clientKey?: string;
}) {
  return {
    ...(o.username !== undefined && { username: o.username }),
    ...(o.password !== undefined && { password: o.password }),
    ...(o.ca !== undefined && { ca: readTextFile(o.ca, 'chứng chỉ CA', 'CA certificate') }),
    ...(o.cert !== undefined && { cert: readTextFile(o.cert, 'chứng chỉ máy khách', 'client certificate') }),
    ...(o.clientKey !== undefined && {
      key: readTextFile(o.clientKey, 'khoá máy khách', 'client key'),
    }),
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

async function simulate(o: FleetCliOptions): Promise<void> {
  const urls = brokerUrls(o.broker);
  const count = positiveNumber(o.count, '--count', { integer: true, min: 1 });
  const kiosksPerCheckpoint = positiveNumber(o.kiosksPerCheckpoint, '--kiosks-per-checkpoint', {
    integer: true,
    min: 1,
  });
  if (kiosksPerCheckpoint > 64) {
    throw new KioskError(
      'BAD_ARGUMENT',
      '--kiosks-per-checkpoint tối đa 64',
      '--kiosks-per-checkpoint is at most 64',
    );
  }
  const receiptTimeoutS = positiveNumber(o.receiptTimeout, '--receipt-timeout', { min: 1 });
  const drainTimeoutS = positiveNumber(o.drainTimeout, '--drain-timeout');
  const rate = positiveNumber(o.rate, '--rate');
  const durationS = positiveNumber(o.duration, '--duration');
  const windowS = positiveNumber(o.window, '--window', { min: 1 });
  if (o.end !== 'goodbye' && o.end !== 'will') {
    throw new KioskError('BAD_ARGUMENT', '--end phải là goodbye hoặc will', '--end must be goodbye or will');
  }
  const seed = o.seed === undefined ? undefined : positiveNumber(o.seed, '--seed', { integer: true });
  const abort = new AbortController();
  const stopOn = () => abort.abort();
  process.once('SIGINT', stopOn);
  process.once('SIGTERM', stopOn);
  const { runFleet } = await import('../../command-centre/server/fleet.js');
  let result: Awaited<ReturnType<typeof runFleet>>;
  try {
    result = await runFleet({
      urls,
      count,
      kiosksPerCheckpoint,
      receiptTimeoutMs: receiptTimeoutS * 1000,
      drainTimeoutMs: drainTimeoutS * 1000,
      passages: o.passages,
      rate,
      durationS,
      windowS,
      prefix: o.prefix,
      end: o.end,
      signal: abort.signal,
      onProgress: (line) => process.stderr.write(`simulate-fleet: ${line}\n`),
      ...(seed !== undefined && { seed }),
      ...tlsOptions(o),
    });
  } catch (err) {
    if (err instanceof KioskError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new KioskError(
      'BROKER_UNREACHABLE',
      `Không kết nối được máy chủ MQTT: ${why}`,
      `Cannot connect to the MQTT broker: ${why}`,
    );
  } finally {
    process.off('SIGINT', stopOn);
    process.off('SIGTERM', stopOn);
  }
  const lines = result.kiosks.map((k) => JSON.stringify(k));
  lines.push(JSON.stringify({ fleet: result.total, undelivered: result.undelivered }));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (result.undelivered > 0) {
    process.stderr.write(
      `simulate-fleet: ${result.undelivered} tin chưa được trung tâm xác nhận đã lưu / messages never receipted by the command centre\n`,
    );
    process.exitCode = 1;
  }
}

export function register(program: Command): void {
  program
    .command('simulate-fleet')
    .description('Giả lập nhiều máy kiểm soát / simulate a fleet of kiosks against an MQTT broker')
    .option('--broker <url>', 'broker URL (repeat, or comma-separate, for failover)', collect, [])
    .option('--count <n>', 'number of checkpoints', '100')
    .option('--kiosks-per-checkpoint <n>', 'kiosks (lanes) at each checkpoint: L1, L2…', '1')
    .option('--rate <r>', 'scans per second per kiosk', '0.5')
    .option('--duration <s>', 'seconds to run (0: until Ctrl-C)', '60')
    .option('--window <s>', 'summary window in seconds', '60')
    .option('--prefix <id>', 'checkpoint ids are <prefix>-0001…', 'SIM')
    .option('--receipt-timeout <s>', 'publish again what is not receipted after this long', '60')
    .option('--drain-timeout <s>', 'at the end, wait this long for receipts to cover everything', '60')
    .option('--no-passages', 'do not publish a ckpt.passage/1 per scan')
    .option('--seed <n>', 'random seed (same seed, same traffic pattern)')
    .option('--end <how>', 'goodbye (retained offline status) | will (drop sockets: Last Will)', 'goodbye')
    .option('--username <u>', 'MQTT username')
    .option('--password <p>', 'MQTT password')
    .option('--ca <pem>', 'pinned CA for mqtts://')
    .option('--cert <pem>', 'client certificate')
    .option('--client-key <pem>', 'client certificate key')
    .addHelpText(
      'after',
      '\nstdout: one JSON line per kiosk {district, checkpoint, kiosk, instance, lane, scans, total, summaries,\nevents, passages, lastSeq, unreceipted, republished}, then {"fleet": {...}, "undelivered": n}.\nExit 1 when a message was never covered by a receipt of the command centre.',
    )
    .action(async (opts: FleetCliOptions) => {
      try {
        await simulate(opts);
      } catch (err) {
        reportCliError('simulate-fleet', err);
      }
    });
}
