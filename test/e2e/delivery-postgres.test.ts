// Aggregators on several machines, as real processes: two `kiosk command-centre --db postgres://…` on
// one real PostgreSQL share the subscription while `kiosk simulate-fleet` scans at 20 kiosks; one is
// SIGKILLed in the middle of the burst. Every kiosk must end receipted (the fleet exits 0) and the
// survivor's totals must equal what each simulated kiosk counted, nothing lost, nothing twice.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimKioskTotals } from '../../command-centre/server/fleet-kiosk.js';
import type { CheckpointTotalsRow } from '../../command-centre/server/types.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { type PostgresHandle, startPostgres } from '../helpers/postgres.js';
import { BIN, type CommandCentreProcess, startCommandCentreProcess, until } from './delivery-fixture.js';

let broker: MosquittoHandle;
let db: PostgresHandle;
const centres: CommandCentreProcess[] = [];

beforeAll(async () => {
  [broker, db] = await Promise.all([
    startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 1000' }),
    startPostgres(),
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of centres) await c.stop();
  await Promise.all([broker?.stop(), db?.stop()]);
});

/** `kiosk simulate-fleet`: its exit code and the totals it prints, one JSON line per kiosk. */
function simulateFleet(
  args: string[],
): Promise<{ code: number | null; kiosks: SimKioskTotals[]; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'simulate-fleet', '--broker', broker.url, ...args], {
      cwd: tmpdir(),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => {
      const lines = out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, kiosks: lines.filter((l) => 'instance' in l) as unknown as SimKioskTotals[], err });
    });
  });
}

async function stats(cc: CommandCentreProcess): Promise<{ counted: number }> {
  return (await cc.get('/api/stats')) as { counted: number };
}

describe('aggregators on one PostgreSQL, real processes', () => {
  it('one SIGKILLed during a burst: every kiosk receipted, the totals exact', async () => {
    const url = await db.createDatabase('delivery');
    const a = await startCommandCentreProcess({ brokerUrl: broker.url, db: url, clientId: 'cc-pg-a' });
    centres.push(a);
    const b = await startCommandCentreProcess({ brokerUrl: broker.url, db: url, clientId: 'cc-pg-b' });
    centres.push(b);
    const fleet = simulateFleet([
      ...['--count', '10', '--kiosks-per-checkpoint', '2', '--prefix', 'PGK', '--seed', '3'],
      ...['--rate', '10', '--duration', '8', '--window', '2'],
      ...['--receipt-timeout', '3', '--drain-timeout', '150'],
    ]);
    // In the middle of the burst: A has committed some of its share, and more is on its way.
    await until(
      'aggregator A counting',
      async () => ((await stats(a)).counted >= 200 ? true : undefined),
      60_000,
    );
    await a.kill();
    centres.shift();
    const result = await fleet;
    expect(result.code, result.err).toBe(0);
    expect(result.kiosks).toHaveLength(20);
    expect(result.kiosks.every((k) => k.unreceipted === 0)).toBe(true);
    const rows = (await b.totals()) as CheckpointTotalsRow[];
    for (const k of result.kiosks) {
      const got = rows
        .find((r) => r.district === k.district && r.checkpoint === k.checkpoint)
        ?.kiosks.find((r) => r.instance === k.instance);
      expect({ ...got, lane: null }).toEqual({
        kiosk: k.kiosk,
        instance: k.instance,
        lane: null,
        total: k.total,
        summaries: k.summaries,
        events: k.events,
        passages: k.passages,
      });
    }
    expect((await stats(b)).counted).toBeGreaterThan(0);
  }, 300_000);
});
