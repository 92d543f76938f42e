// What the command centre sends back, on a real Mosquitto (persistence false, a small queue), its
// clock one the test moves: receipts published after the commit, computed from the database (another
// aggregator's commits included), coalesced to one a second per kiosk instance; resend commands for a
// gap that lasts; its presence, retained, with a Last Will; kiosks online, silent and offline; two live
// instances under one kiosk id raised as an alert and both counted.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../command-centre/server/ledger.js';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { kioskLiveness } from '../../command-centre/server/types.js';
import { CC_STATE_FILTER } from '../../src/contract/mqtt-topics.js';
import {
  event,
  kioskConnection,
  kioskId,
  MINUTE,
  type SimId,
  send,
  status,
  summary,
} from '../fixtures/cc-messages.js';
import { FakeClock } from '../fixtures/clock.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { type Subscriber, startProxy, subscribe, waitFor } from './uplink-helpers.js';

const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);
let broker: MosquittoHandle;
let publisher: mqtt.MqttClient;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100' });
  publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
});
afterAll(async () => {
  await publisher.endAsync();
  await broker.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  removeTempDirs();
});

async function cc(
  clock: FakeClock,
  o: { database?: string; url?: string; gapCheckMs?: number; gapAfterMs?: number } = {},
): Promise<RunningCommandCentre> {
  const running = await startCommandCentre({
    urls: [o.url ?? broker.url],
    database: o.database ?? tempDbPath(),
    clientId: `cc-${randomUUID()}`,
    ccId: 'cc-test',
    http: false,
    reconnectMs: 100,
    now: clock.now,
    timers: clock,
    ...(o.gapCheckMs !== undefined && { gapCheckMs: o.gapCheckMs }),
    ...(o.gapAfterMs !== undefined && { gapAfterMs: o.gapAfterMs }),
  });
  let stopped = false;
  const stop = running.stop.bind(running);
  running.stop = async (opts) => {
    if (stopped) return;
    stopped = true;
    await stop(opts);
  };
  cleanups.push(() => running.stop({ retire: true }));
  await waitFor(() => running.aggregator.state().connected, 'aggregator connected');
  return running;
}

async function watch(topic: string): Promise<Subscriber> {
  const s = await subscribe(broker.url, topic, { protocolVersion: 5 });
  cleanups.push(() => s.close());
  return s;
}

const receiptsOf = (s: Subscriber, k: SimId) =>
  s.messages.filter((m) => m.topic.endsWith(`/${k.scope.kiosk}/receipt`) && m.json.instance === k.instance);

describe('receipts', () => {
  it('are published after the commit, from the database, at most one a second per kiosk instance', async () => {
    const clock = new FakeClock(T0);
    const database = tempDbPath();
    const centre = await cc(clock, { database });
    const receipts = await watch('ckpt/v2/+/+/+/receipt');
    const k = kioskId('L1');

    await send(publisher, k, 'summary', summary(k, 1, T0, { allowedIn: 2 }));
    await waitFor(() => receiptsOf(receipts, k).length === 1, 'the first receipt, at once');
    expect(receiptsOf(receipts, k)[0]!.json).toEqual({
      schema: 'ckpt.receipt/1',
      instance: k.instance,
      upTo: 1,
      also: [],
      at: new Date(T0).toISOString(),
    });

    // Within the same second: committed, but the receipt waits for the clock.
    for (const seq of [2, 3, 5]) await send(publisher, k, 'event', event(k, seq, T0));
    await waitFor(() => centre.aggregator.stats.counted === 4, 'three more committed');
    expect(centre.aggregator.stats.receipts).toBe(1);
    clock.advance(1000);
    await waitFor(() => receiptsOf(receipts, k).length === 2, 'the coalesced receipt');
    expect(receiptsOf(receipts, k)[1]!.json).toMatchObject({ upTo: 3, also: [[5, 5]] });

    // Another aggregator sharing the database commits seq 4; this one's next receipt includes it.
    const other = Ledger.open(database);
    cleanups.push(() => other.close());
    expect(other.ingest(k.scope, event(k, 4, T0), T0).result).toBe('counted');
    clock.advance(1000);
    await send(publisher, k, 'event', event(k, 6, T0));
    await waitFor(() => receiptsOf(receipts, k).length === 3, 'a receipt covering both');
    expect(receiptsOf(receipts, k)[2]!.json).toMatchObject({ upTo: 6, also: [] });

    // A copy of something held means the kiosk missed its receipt: it gets one again, still coalesced.
    await send(publisher, k, 'summary', summary(k, 1, T0, { allowedIn: 2 }));
    await waitFor(() => centre.aggregator.stats.duplicates === 1, 'the copy');
    expect(centre.aggregator.stats.receipts).toBe(3);
    clock.advance(1000);
    await waitFor(() => receiptsOf(receipts, k).length === 4, 'the receipt again');
    expect(receiptsOf(receipts, k)[3]!.json).toMatchObject({ upTo: 6, also: [] });
    expect(centre.ledger.totals()[0]!.total.in.allowed).toBe(2);

    // Another instance under the same kiosk id gets its own, on the same topic, at once.
    const k2 = { ...k, instance: randomUUID() };
    await send(publisher, k2, 'event', event(k2, 1, T0));
    await waitFor(() => receiptsOf(receipts, k2).length === 1, "the second instance's receipt");
    expect(receiptsOf(receipts, k2)[0]!.json).toMatchObject({ upTo: 1, also: [] });

    // Retained: a kiosk connecting later finds the last one on its topic.
    const later = await watch('ckpt/v2/01-009/TX-01/L1/receipt');
    await waitFor(() => later.messages.length === 1, 'the retained receipt');
    expect(later.messages[0]).toMatchObject({ retain: true, json: { instance: k2.instance, upTo: 1 } });
  });

  it('asks a live kiosk to resend a gap that lasts, first the hole, then the tail', async () => {
    const clock = new FakeClock(T0);
    const centre = await cc(clock, { gapCheckMs: 10_000, gapAfterMs: 20_000 });
    const commands = await watch('ckpt/v2/+/+/+/command');
    const k = kioskId('L2');
    // A heartbeat, applied before the clock moves on: silence is measured from when it was received.
    const beat = async (lastSeq: number) => {
      const at = new Date(clock.now()).toISOString();
      await send(publisher, k, 'status', status(k, clock.now(), { lastSeq }), true);
      await waitFor(
        () =>
          centre.ledger
            .snapshot(clock.now())
            .checkpoints.some((c) =>
              c.kiosks.some((v) => v.instance === k.instance && v.lastStatusAt === at),
            ),
        'the heartbeat applied',
      );
    };
    await beat(6);
    for (const seq of [1, 2, 4]) await send(publisher, k, 'event', event(k, seq, T0));
    await waitFor(() => centre.aggregator.stats.counted === 3, 'three held');
    clock.advance(10_000);
    expect(centre.aggregator.stats.commands).toBe(0); // seen, not yet lasting
    clock.advance(20_000);
    await waitFor(() => commands.messages.length === 1, 'a resend command');
    expect(commands.messages[0]).toMatchObject({
      topic: 'ckpt/v2/01-009/TX-01/L2/command',
      json: { schema: 'ckpt.command/1', kind: 'resend', from: 3, to: 3, id: expect.any(String) },
    });
    await send(publisher, k, 'event', event(k, 3, T0));
    await waitFor(() => centre.aggregator.stats.counted === 4, 'the hole filled');
    await beat(6);
    clock.advance(40_000);
    await waitFor(() => commands.messages.length === 2, 'the tail');
    expect(commands.messages[1]!.json).toMatchObject({ from: 5, to: 6 });
    // Asked again while the gap lasts and the kiosk is live; not once it is out of contact (a command
    // is not retained: nobody would hear it).
    // The checks read the database asynchronously: a turn of the event loop lets them finish.
    clock.advance(60_000);
    await new Promise((r) => setImmediate(r));
    const asked = centre.aggregator.stats.commands;
    expect(asked).toBeGreaterThan(2);
    clock.advance(120_000);
    await new Promise((r) => setImmediate(r));
    expect(centre.aggregator.stats.commands).toBe(asked);
  });
});

describe('presence and kiosk state', () => {
  it("keeps the aggregator's presence retained, with a Last Will when its connection dies", async () => {
    const clock = new FakeClock(T0);
    const proxy = await startProxy(broker.port);
    cleanups.push(() => proxy.close());
    const centre = await cc(clock, { url: proxy.url });
    const states = await watch(CC_STATE_FILTER);
    await waitFor(() => states.messages.length === 1, 'the retained presence');
    expect(states.messages[0]).toEqual({
      topic: 'ckpt/v2/cc/state/cc-test',
      retain: true,
      json: { schema: 'ckpt.cc-state/1', online: true, at: new Date(T0).toISOString() },
    });
    proxy.cutAll(); // the aggregator's network dies: no goodbye
    await waitFor(() => states.messages.length >= 2, 'the Last Will');
    expect(states.messages[1]!.json).toMatchObject({ online: false });
    await waitFor(() => states.messages.some((m, i) => i >= 2 && m.json.online === true), 'online again');
    // Retired: a stopped member of the shared group would keep its share of later tests' messages.
    await centre.stop({ retire: true });
    await waitFor(() => states.messages.at(-1)?.json.online === false, 'a clean goodbye');
    const later = await watch(CC_STATE_FILTER);
    await waitFor(() => later.messages.length === 1, 'the retained goodbye');
    expect(later.messages[0]).toMatchObject({ retain: true, json: { online: false } });
  });

  it('shows a kiosk online from its birth, silent without heartbeats, offline from its Will at receive time', async () => {
    const clock = new FakeClock(T0);
    const centre = await cc(clock);
    const proxy = await startProxy(broker.port);
    cleanups.push(() => proxy.close());
    const k = kioskId('L3');
    const conn = await kioskConnection(
      proxy.url,
      k,
      status(k, T0, {
        lastSeq: 4,
        outbox: { unreceipted: 2, oldestAt: new Date(T0 - MINUTE).toISOString() },
      }),
    );
    cleanups.push(() => conn.endAsync(true));
    const view = () =>
      centre.ledger.snapshot(clock.now()).checkpoints[0]?.kiosks.find((v) => v.kiosk === 'L3');
    const online = await waitFor(() => view()?.online && view(), 'online');
    expect(online).toMatchObject({ lane: '3', lastSeq: 4, upTo: 0, receiptLag: 4, unreceipted: 2 });
    expect(online.status).toMatchObject({ version: '0.1.0-test', scanner: 'ok', commandCentre: 'online' });
    expect(kioskLiveness(online, clock.now())).toBe('online');
    clock.advance(91_000);
    expect(kioskLiveness(view()!, clock.now())).toBe('silent');

    proxy.cutAll();
    const offline = await waitFor(() => view()?.online === false && view(), 'offline by Last Will');
    expect(offline.changedAt).toBe(new Date(T0 + 91_000).toISOString()); // when it was received
    expect(offline.lastStatusAt).toBe(new Date(T0).toISOString());
    expect(offline.status.version).toBe('0.1.0-test'); // the last known status is kept for display
    expect(kioskLiveness(offline, clock.now())).toBe('offline');
  });

  it('raises two live instances claiming one kiosk id as an alert, once, and counts both', async () => {
    const clock = new FakeClock(T0);
    const centre = await cc(clock);
    const a = kioskId('L1', 'TX-09');
    const b = { ...a, instance: randomUUID() };
    const ca = await kioskConnection(broker.url, a, status(a, T0));
    cleanups.push(() => ca.endAsync(true));
    await waitFor(
      () => centre.ledger.snapshot(clock.now()).checkpoints.some((c) => c.checkpoint === 'TX-09'),
      'the first',
    );
    expect(centre.aggregator.stats.conflicts).toBe(0);
    clock.advance(5000);
    const cb = await kioskConnection(broker.url, b, status(b, clock.now()));
    cleanups.push(() => cb.endAsync(true));
    await waitFor(() => centre.aggregator.stats.conflicts === 1, 'the conflict');
    const alert = centre.ledger.snapshot(clock.now()).alerts[0]!;
    expect(alert).toMatchObject({
      kind: 'kiosk-id-conflict',
      alert: 'kiosk-id-conflict',
      checkpoint: 'TX-09',
      kiosk: 'L1',
      instances: [a.instance, b.instance].sort(),
    });
    // Heartbeats of either do not raise it again.
    clock.advance(20_000);
    await send(publisher, a, 'status', status(a, clock.now()), true);
    await send(publisher, b, 'status', status(b, clock.now()), true);
    for (const k of [a, b]) await send(publisher, k, 'summary', summary(k, 1, T0, { allowedIn: 3 }));
    await waitFor(() => centre.aggregator.stats.counted === 2, 'both counted');
    expect(centre.aggregator.stats.conflicts).toBe(1);
    const cp = centre.ledger.snapshot(clock.now()).checkpoints.find((c) => c.checkpoint === 'TX-09');
    expect(cp!.kiosks.map((k) => [k.instance, k.conflict, k.total.in.allowed])).toEqual(
      [a, b].map((k) => [k.instance, true, 3]).sort(),
    );
    expect(cp!.total.in.allowed).toBe(6);
  });
});
