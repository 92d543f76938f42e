// Load: simulated kiosks (`kiosk simulate-fleet`, a real child process), two per checkpoint, against a
// Mosquitto that keeps nothing (persistence false) and queues little; each kiosk with its own connection,
// instance, seq, birth status and Will, keeping every message until a receipt covers it. The
// aggregator's totals equal, exactly, what every kiosk says it counted, checkpoint by checkpoint and
// kiosk by kiosk.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimKioskTotals } from '../../command-centre/server/fleet.js';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { kioskLiveness } from '../../command-centre/server/types.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { runCliHere } from '../fixtures/cli-here.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

interface FleetLine {
  fleet: { checkpoints: number; kiosks: number; scans: number; messages: number; republished: number };
  undelivered: number;
}

let broker: MosquittoHandle;
let centre: RunningCommandCentre;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 1000' });
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

/** The aggregator's totals beside each simulated kiosk's. */
function expectExact(kiosks: SimKioskTotals[]): void {
  const rows = new Map(centre.ledger.totals().map((t) => [`${t.district}/${t.checkpoint}`, t]));
  const byCheckpoint = new Map<string, SimKioskTotals[]>();
  for (const k of kiosks) {
    const key = `${k.district}/${k.checkpoint}`;
    byCheckpoint.set(key, [...(byCheckpoint.get(key) ?? []), k]);
  }
  for (const [key, sims] of byCheckpoint) {
    const row = rows.get(key);
    expect(row, key).toBeDefined();
    for (const sim of sims) {
      const got = row!.kiosks.find((r) => r.kiosk === sim.kiosk && r.instance === sim.instance);
      expect(got, `${key}/${sim.kiosk}`).toBeDefined();
      expect({
        total: got!.total,
        summaries: got!.summaries,
        events: got!.events,
        passages: got!.passages,
      }).toEqual({
        total: sim.total,
        summaries: sim.summaries,
        events: sim.events,
        passages: sim.passages,
      });
    }
    expect(row!.summaries).toBe(sims.reduce((n, s) => n + s.summaries, 0));
    expect(row!.total.people).toBe(sims.reduce((n, s) => n + s.total.people, 0));
  }
}

describe('load', () => {
  it('counts exactly what 400 simulated kiosks at 200 checkpoints counted', async () => {
    const run = await runCli([
      'simulate-fleet',
      '--broker',
      broker.url,
      '--count',
      '200',
      '--kiosks-per-checkpoint',
      '2',
      '--rate',
      '1',
      '--duration',
      '4',
      '--window',
      '1',
      '--seed',
      '42',
      '--receipt-timeout',
      '15',
      '--drain-timeout',
      '90',
    ]);
    expect(run.stderr).not.toMatch(/Error|Lỗi/);
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    const kiosks = lines.slice(0, -1) as SimKioskTotals[];
    const fleet = lines.at(-1) as FleetLine;
    expect(kiosks).toHaveLength(400);
    expect(fleet.fleet).toMatchObject({ checkpoints: 200, kiosks: 400 });
    // The fleet waited for receipts covering everything: the database holds every message.
    expect(fleet.undelivered).toBe(0);
    expect(kiosks.every((k) => k.unreceipted === 0)).toBe(true);
    // How many scans fit in 4 s depends on the machine; that the fleet's total is its kiosks' does not.
    expect(fleet.fleet.scans).toBe(kiosks.reduce((n, k) => n + k.scans, 0));
    expect(fleet.fleet.scans).toBeGreaterThan(0);

    expectExact(kiosks);
    expect(centre.aggregator.stats.counted).toBe(fleet.fleet.messages);
    expect(centre.aggregator.stats.rejected).toBe(0);
    // Every kiosk said goodbye: all offline, each having been seen, each receipted up to its lastSeq.
    await waitFor(
      () => centre.ledger.snapshot(Date.now()).checkpoints.every((c) => c.kiosks.every((k) => !k.online)),
      'every goodbye',
    );
    const views = centre.ledger.snapshot(Date.now()).checkpoints.flatMap((c) => c.kiosks);
    expect(views).toHaveLength(400);
    for (const v of views) {
      expect(kioskLiveness(v, Date.now())).toBe('offline');
      expect(v.status.version).toBe('simulated');
      expect(v.upTo).toBe(kiosks.find((k) => k.instance === v.instance)!.lastSeq);
    }
  }, 150_000);

  it('simulate-fleet in this process: a small fleet delivered whole; bad arguments refused in both languages', async () => {
    const before = centre.aggregator.stats.counted;
    const run = await runCliHere([
      'simulate-fleet',
      '--broker',
      broker.url,
      '--count',
      '2',
      '--kiosks-per-checkpoint',
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
      '--no-passages',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/simulate-fleet: 6 kiosks connected/);
    const lines = jsonLines(run.stdout);
    const kiosks = lines.slice(0, -1) as SimKioskTotals[];
    const fleet = lines.at(-1) as FleetLine;
    expect(kiosks.map((k) => `${k.checkpoint}/${k.kiosk}/${k.lane}`)).toEqual([
      'HERE-0001/L1/1',
      'HERE-0001/L2/2',
      'HERE-0001/L3/3',
      'HERE-0002/L1/1',
      'HERE-0002/L2/2',
      'HERE-0002/L3/3',
    ]);
    expect(fleet.undelivered).toBe(0);
    expect(kiosks.every((k) => k.passages === 0)).toBe(true);
    expect(fleet.fleet.scans).toBe(kiosks.reduce((n, k) => n + k.scans, 0));
    expect(centre.aggregator.stats.counted).toBe(before + fleet.fleet.messages);
    expectExact(kiosks);

    for (const [args, what] of [
      [['--count', '0'], '--count'],
      [['--kiosks-per-checkpoint', '0'], '--kiosks-per-checkpoint'],
      [['--kiosks-per-checkpoint', '65'], '--kiosks-per-checkpoint'],
      [['--rate', 'fast'], '--rate'],
      [['--window', '0'], '--window'],
      [['--receipt-timeout', '0'], '--receipt-timeout'],
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
