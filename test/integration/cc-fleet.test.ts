// The fleet simulator honours receipts, so its totals and the command centre's can be compared after
// anything the broker does: kiosks scanning while no aggregator exists and the broker restarts without
// persistence are counted once an aggregator comes online; messages swallowed by a consumer that never
// commits them are published again when their receipt is late. Its clock is one the test moves.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fleetKiosks, mqttBase } from '../../command-centre/server/fleet.js';
import type { SimKiosk } from '../../command-centre/server/fleet-kiosk.js';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { receiptTopic } from '../../src/contract/mqtt-topics.js';
import { FakeClock } from '../fixtures/clock.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const WINDOW_MS = 60_000;
let broker: MosquittoHandle;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100' });
});
afterAll(async () => {
  await broker.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  removeTempDirs();
});

async function fleet(clock: FakeClock, prefix: string, receiptTimeoutMs = 60_000): Promise<SimKiosk[]> {
  const kiosks = fleetKiosks({
    count: 3,
    kiosksPerCheckpoint: 2,
    prefix,
    seed: 11,
    windowMs: WINDOW_MS,
    receiptTimeoutMs,
    now: clock.now,
  });
  const base = { ...mqttBase({}), reconnectPeriod: 100 };
  await Promise.all(kiosks.map((k) => k.connect(broker.url, base)));
  cleanups.push(() => Promise.all(kiosks.map((k) => k.leave('goodbye').catch(() => {}))).then(() => {}));
  return kiosks;
}

async function cc(database: string, clientId: string): Promise<RunningCommandCentre> {
  const running = await startCommandCentre({
    urls: [broker.url],
    database,
    clientId,
    http: false,
    reconnectMs: 100,
  });
  await waitFor(() => running.aggregator.state().connected, 'aggregator connected');
  return running;
}

/** Whether the aggregator's ledger holds every message the kiosk published at `sinceMs` or later. */
function holdsSent(centre: RunningCommandCentre, k: SimKiosk, sinceMs: number): boolean {
  const sent = k.sentSince(sinceMs);
  if (sent.length === 0) return true;
  const id = centre.ledger.findKiosk(k.scope, k.instance);
  if (id === null) return false;
  const { upTo, also } = centre.ledger.receipt(id);
  return sent.every((seq) => seq <= upTo || also.some(([from, to]) => seq >= from && seq <= to));
}

/**
 * Until every message is receipted, rounds of: the kiosks' clock past the receipt timeout, so that all
 * they hold is due again; then one kiosk at a time publishes its paced batch (fewer than the broker
 * queues for the aggregator, so nothing of it is dropped) and the test waits until the ledger holds it;
 * then until the receipts for it have arrived. What was sent before and lost (a consumer that swallowed
 * it) is due again the next round. Each wait is for a condition the step must bring about.
 */
async function drain(clock: FakeClock, kiosks: SimKiosk[], centre: RunningCommandCentre, timeoutMs: number) {
  for (let round = 0; kiosks.some((k) => k.unreceipted > 0); round++) {
    if (round === 50) throw new Error('not every message receipted after 50 rounds');
    clock.advance(timeoutMs);
    const at = clock.now();
    for (const k of kiosks) {
      k.tick(at, 0);
      await waitFor(() => holdsSent(centre, k, at), `${k.scope.checkpoint}/${k.scope.kiosk} held`);
    }
    await waitFor(() => kiosks.every((k) => k.sentSince(at).length === 0), 'the receipts for what is held');
  }
}

/** Scans in three windows, each kiosk its own amount, then closes the last window. */
function traffic(clock: FakeClock, kiosks: SimKiosk[]): void {
  for (let w = 0; w < 3; w++) {
    for (const [i, k] of kiosks.entries()) k.tick(clock.now(), 3 + i + w);
    clock.advance(WINDOW_MS);
  }
  for (const k of kiosks) k.flushWindow();
}

function expectExact(centre: RunningCommandCentre, kiosks: SimKiosk[]): void {
  const rows = centre.ledger.totals();
  for (const k of kiosks) {
    const row = rows.find((r) => r.checkpoint === k.scope.checkpoint)!;
    const got = row.kiosks.find((r) => r.instance === k.instance)!;
    expect({
      total: got.total,
      summaries: got.summaries,
      events: got.events,
      passages: got.passages,
    }).toEqual({
      total: k.totals.total,
      summaries: k.totals.summaries,
      events: k.totals.events,
      passages: k.totals.passages,
    });
    expect(centre.ledger.receipt(centre.ledger.findKiosk(k.scope, k.instance)!)).toEqual({
      upTo: k.totals.lastSeq,
      also: [],
    });
  }
}

describe('fleet simulator and receipts', () => {
  it('counts what was scanned while no aggregator existed and the broker restarted, once one comes online', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 1, 0, 0));
    const kiosks = await fleet(clock, 'DARK');
    traffic(clock, kiosks);
    const written = kiosks.reduce((n, k) => n + k.totals.lastSeq, 0);
    expect(written).toBeGreaterThan(100); // more than the broker would queue, had anyone subscribed
    expect(kiosks.every((k) => k.unreceipted === k.totals.lastSeq)).toBe(true);

    // A receipt for another instance, or claiming more than the kiosk sent, deletes nothing.
    const k = kiosks[0]!;
    const forger = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const at = new Date(clock.now()).toISOString();
    for (const r of [
      { schema: 'ckpt.receipt/1', instance: randomUUID(), upTo: k.totals.lastSeq, also: [], at },
      { schema: 'ckpt.receipt/1', instance: k.instance, upTo: k.totals.lastSeq + 1, also: [], at },
      { schema: 'ckpt.receipt/1', instance: k.instance, upTo: 0, also: [[1, k.totals.lastSeq + 5]], at },
    ]) {
      await forger.publishAsync(receiptTopic(k.scope), JSON.stringify(r), { qos: 1 });
    }
    await forger.endAsync();
    await waitFor(() => k.receipts.refused === 3, 'the forged receipts read');
    expect(k.unreceipted).toBe(k.totals.lastSeq);

    await broker.restart(); // persistence false: nothing survives it
    await waitFor(() => kiosks.every((k) => k.client?.connected), 'kiosks back');
    traffic(clock, kiosks);

    const centre = await cc(tempDbPath(), `cc-${randomUUID()}`);
    cleanups.push(() => centre.stop({ retire: true }));
    // Its presence comes online: every kiosk publishes everything not yet receipted, paced; what the
    // broker's small queue drops goes again when its receipt is late.
    await waitFor(() => kiosks.every((k) => k.ccOnline), 'the aggregator seen online');
    await drain(clock, kiosks, centre, 60_000);
    expect(centre.aggregator.stats.counted).toBe(kiosks.reduce((n, k) => n + k.totals.lastSeq, 0));
    expectExact(centre, kiosks);
    expect(kiosks.every((k) => k.totals.republished > 0)).toBe(true);
  });

  it('publishes again what a consumer swallowed, once its receipt is late', async () => {
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 2, 0, 0));
    const centre = await cc(tempDbPath(), `cc-${randomUUID()}`);
    cleanups.push(() => centre.stop({ retire: true }));
    // A member of the shared group that takes its share and never commits it (an aggregator dying
    // after the broker handed it messages).
    const hole = await mqtt.connectAsync(broker.url, {
      protocolVersion: 5,
      clientId: `hole-${randomUUID()}`,
    });
    const share = ['$share/cc/ckpt/v2/+/+/+/summary', '$share/cc/ckpt/v2/+/+/+/passage'];
    let swallowed = 0;
    hole.on('message', () => swallowed++);
    await hole.subscribeAsync(share, { qos: 1 });
    const kiosks = await fleet(clock, 'HOLE', 30_000);
    await waitFor(() => kiosks.every((k) => k.ccOnline), 'kiosks see the aggregator');
    traffic(clock, kiosks);
    await waitFor(() => centre.aggregator.stats.received > 0 && swallowed > 0, 'some held, some swallowed');
    // Out of the group once the broker acknowledges it (a DISCONNECT alone may be read after a kiosk's
    // next PUBLISH, which the broker would still hand to the hole).
    await hole.unsubscribeAsync(share);
    await hole.endAsync();
    // Nothing is lost for good: late receipts make the kiosks send again until all is held.
    await drain(clock, kiosks, centre, 30_000);
    expectExact(centre, kiosks);
    expect(kiosks.some((k) => k.totals.republished > 0)).toBe(true);
  });
});
