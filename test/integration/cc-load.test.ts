// Load: 500 simulated kiosks (`kiosk simulate-fleet`, a real child process) against Mosquitto, each with
// its own connection, birth status and Will; the aggregator's totals equal, exactly, what every kiosk
// says it counted.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { runCliHere } from '../fixtures/cli-here.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

interface KioskLine {
  district: string;
  checkpoint: string;
  scans: number;
  total: { in: Record<string, number>; out: Record<string, number>; people: number };
  summaries: number;
  events: number;
}

let broker: MosquittoHandle;
let centre: RunningCommandCentre;

beforeAll(async () => {
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 1000000' });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: tempDbPath(),
    clientId: `cc-load-${randomUUID()}`,
    http: false,
  });
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected');
});
afterAll(async () => {
  await centre?.stop({ retire: true });
  await broker?.stop();
  removeTempDirs();
});

describe('load', () => {
  it('counts exactly what 500 simulated kiosks counted', async () => {
    const run = await runCli([
      'simulate-fleet',
      '--broker',
      broker.url,
      '--count',
      '500',
      '--rate',
      '2',
      '--duration',
      '5',
      '--window',
      '1',
      '--seed',
      '42',
    ]);
    expect(run.stderr).not.toMatch(/Error|Lỗi/);
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    const kiosks = lines.slice(0, -1) as KioskLine[];
    const fleet = lines.at(-1) as {
      fleet: { scans: number; summaries: number; events: number };
      undelivered: number;
    };
    expect(kiosks).toHaveLength(500);
    expect(fleet.undelivered).toBe(0);
    // How many scans fit in 5 s depends on the machine; that the fleet's total is its kiosks' does not.
    expect(fleet.fleet.scans).toBe(kiosks.reduce((n, k) => n + k.scans, 0));
    expect(fleet.fleet.scans).toBeGreaterThan(0);

    const messages = fleet.fleet.summaries + fleet.fleet.events;
    await waitFor(
      () => centre.aggregator.stats.counted >= messages,
      'every summary and event counted',
      45_000,
    );
    const totals = new Map(centre.ledger.totals().map((t) => [`${t.district}/${t.checkpoint}`, t]));
    expect(totals.size).toBe(500);
    for (const k of kiosks) {
      const got = totals.get(`${k.district}/${k.checkpoint}`);
      expect(got, k.checkpoint).toBeDefined();
      expect({ total: got!.total, summaries: got!.summaries, events: got!.events }).toEqual({
        total: k.total,
        summaries: k.summaries,
        events: k.events,
      });
    }
    expect(centre.aggregator.stats).toMatchObject({ counted: messages, duplicates: 0, rejected: 0 });
    // Every kiosk said goodbye: all offline, each having been seen.
    const views = centre.ledger.snapshot(Date.now()).checkpoints;
    expect(views.filter((c) => c.online)).toHaveLength(0);
    expect(views.every((c) => c.lastSeenAt !== null && c.status.version === 'simulated')).toBe(true);
  }, 90_000);

  it('simulate-fleet in this process: a small fleet delivered whole; bad arguments refused in both languages', async () => {
    const before = centre.aggregator.stats.counted;
    const run = await runCliHere([
      'simulate-fleet',
      '--broker',
      broker.url,
      '--count',
      '3',
      '--rate',
      '4',
      '--duration',
      '1',
      '--window',
      '1',
      '--prefix',
      'HERE',
      '--seed',
      '7',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/simulate-fleet: 3 kiosks connected/);
    const lines = jsonLines(run.stdout);
    const kiosks = lines.slice(0, -1) as KioskLine[];
    const fleet = lines.at(-1) as {
      fleet: { scans: number; summaries: number; events: number };
      undelivered: number;
    };
    expect(kiosks.map((k) => k.checkpoint)).toEqual(['HERE-0001', 'HERE-0002', 'HERE-0003']);
    expect(fleet.undelivered).toBe(0);
    expect(fleet.fleet.scans).toBe(kiosks.reduce((n, k) => n + k.scans, 0));
    const messages = fleet.fleet.summaries + fleet.fleet.events;
    await waitFor(() => centre.aggregator.stats.counted >= before + messages, 'the small fleet counted');

    for (const [args, what] of [
      [['--count', '0'], '--count'],
      [['--rate', 'fast'], '--rate'],
      [['--window', '0'], '--window'],
      [['--end', 'vanish'], '--end'],
      [['--seed', '1.5'], '--seed'],
    ] as const) {
      const r = await runCliHere(['simulate-fleet', '--broker', broker.url, ...args]);
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toContain('[BAD_ARGUMENT]');
      expect(r.stderr, what).toContain(what);
    }
    const noBroker = await runCliHere(['simulate-fleet', '--broker', 'http://example.org']);
    expect(noBroker.stderr).toContain('is not an mqtt://, mqtts://, ws:// or wss:// URL');
    expect((await runCliHere(['simulate-fleet'])).stderr).toContain('At least one --broker is needed');
  }, 60_000);
});
