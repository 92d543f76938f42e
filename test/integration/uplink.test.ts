import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EventPayload,
  OfflineStatusPayload,
  StatusPayload,
  SummaryPayload,
} from '../../src/contract/mqtt.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SummaryScheduler } from '../../src/store/summary-scheduler.js';
import { Uplink, type UplinkOptions, type UplinkState } from '../../src/uplink/uplink.js';
import { FakeClock } from '../fixtures/clock.js';
import { freePort, type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import {
  type Subscriber,
  startProxy,
  startV311Gate,
  subscribe,
  type TcpProxy,
  waitFor,
} from './uplink-helpers.js';

const BASE = 'ckpt/v1/01-009/TX-01';
let broker: MosquittoHandle;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  removeTempDirs();
});

function newStore(windowMs = 60_000): Store {
  const s = openStore(tempDbPath(), checkpoint, { windowMs });
  cleanups.push(() => s.close());
  return s;
}

function newUplink(store: Store, over: Partial<UplinkOptions> = {}): Uplink {
  const u = new Uplink({
    urls: [broker.url],
    scope: store.scope,
    clientId: `kiosk-test-${Math.random().toString(36).slice(2)}`,
    outbox: store,
    version: '0.1.0-test',
    startedAtMs: Date.parse('2021-08-23T00:00:00Z'),
    backoffMinMs: 50,
    backoffMaxMs: 300,
    statusMinIntervalMs: 50,
    ...over,
  });
  cleanups.push(() => u.stop());
  return u;
}

async function sub(topic: string, opts = {}): Promise<Subscriber> {
  const s = await subscribe(broker.url, topic, opts);
  cleanups.push(() => s.close());
  return s;
}

async function proxy(): Promise<TcpProxy> {
  const p = await startProxy(broker.port);
  cleanups.push(() => p.close());
  return p;
}

function denials(store: Store, n: number, cti = 'P'): void {
  for (let i = 0; i < n; i++) {
    store.recordPassage(
      passage({ atMs: Date.now(), decision: 'DENY', reasons: ['EXPIRED'], letThrough: false }, `${cti}-${i}`),
    );
  }
}

describe('status: birth, changes, Last Will', () => {
  it('publishes a retained birth status after failing over from a dead broker, then each change', async () => {
    const store = newStore();
    const dead = `mqtt://127.0.0.1:${await freePort()}`;
    const uplink = newUplink(store, { urls: [dead, broker.url] });
    const states: UplinkState[] = [];
    uplink.onChange((s) => states.push(s));
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');
    expect(uplink.state()).toMatchObject({ url: broker.url, protocolVersion: 5 });
    expect(states.some((s) => s.lastError?.startsWith(dead))).toBe(true);

    // A late subscriber gets the retained birth.
    const watcher = await sub(`${BASE}/status`);
    const birth = await waitFor(() => watcher.messages[0], 'retained birth');
    expect(birth.retain).toBe(true);
    expect(StatusPayload.parse(birth.json)).toMatchObject({
      online: true,
      version: '0.1.0-test',
      scanner: 'missing',
    });

    uplink.setStatus({ scanner: 'ok', lastScanAt: '2021-08-23T01:00:00.000Z' });
    const changed = await waitFor(
      () => watcher.messages.find((m) => m.json.scanner === 'ok'),
      'changed status',
    );
    expect(StatusPayload.parse(changed.json).lastScanAt).toBe('2021-08-23T01:00:00.000Z');
    expect(() => uplink.setStatus({ scanner: 'exploded' as never })).toThrowError(
      expect.objectContaining({ code: 'STATUS_INVALID', vi: expect.stringMatching(/không hợp lệ/) }),
    );
  });

  it('lets the broker publish the Last Will when the connection dies, then births again', async () => {
    const store = newStore();
    const p = await proxy();
    const uplink = newUplink(store, { urls: [p.url] });
    const watcher = await sub(`${BASE}/status`);
    uplink.start();
    await waitFor(() => watcher.messages.find((m) => m.json.online === true), 'birth');
    const before = watcher.messages.length;

    p.cutAll();
    const will = await waitFor(
      () => watcher.messages.slice(before).find((m) => m.json.online === false),
      'will',
    );
    expect(OfflineStatusPayload.parse(will.json).at).toMatch(/^\d{4}-/);
    await waitFor(() => watcher.messages.slice(before).find((m) => m.json.online === true), 'rebirth');
  });

  it('says goodbye with a retained offline status on a clean stop', async () => {
    const store = newStore();
    const uplink = newUplink(store);
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');
    await uplink.stop();
    const watcher = await sub(`${BASE}/status`);
    const last = await waitFor(() => watcher.messages[0], 'retained status');
    expect(OfflineStatusPayload.parse(last.json).online).toBe(false);
  });
});

describe('protocol fallback', () => {
  it('falls back to MQTT 3.1.1 when the broker refuses MQTT 5', async () => {
    const gate = await startV311Gate(broker.port);
    cleanups.push(() => gate.close());
    const store = newStore();
    const uplink = newUplink(store, { urls: [gate.url] });
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');
    expect(uplink.state().protocolVersion).toBe(4);
    expect(gate.refused).toBe(1);
    const watcher = await sub(`${BASE}/event`);
    denials(store, 3);
    await waitFor(() => watcher.messages.length >= 3 && store.outboxCount() === 0, 'events over 3.1.1');
  });
});

describe('outbox drain', () => {
  it('delivers summaries at the end of each window', async () => {
    const store = newStore(1000);
    const watcher = await sub(`${BASE}/summary`);
    const uplink = newUplink(store);
    const clock = new FakeClock(Date.parse('2021-09-10T01:00:00.400Z'));
    const sched = new SummaryScheduler(store, { now: clock.now, timers: clock });
    cleanups.push(() => sched.stop());
    uplink.start();
    sched.start();
    store.recordPassage(passage({ atMs: clock.now() }));
    clock.advance(599);
    expect(store.outboxCount()).toBe(0); // the window is still open
    clock.advance(1); // its end
    const msg = await waitFor(() => watcher.messages[0], 'summary');
    const summary = SummaryPayload.parse(msg.json);
    expect(summary.counts.in.allowed).toBe(1);
    expect(summary).toMatchObject({
      id: 'TX-01:2021-09-10T01:00:00.000Z',
      windowStart: '2021-09-10T01:00:00.000Z',
      windowEnd: '2021-09-10T01:00:01.000Z',
    });
    await waitFor(() => store.outboxCount() === 0, 'empty outbox');
  });

  it('keeps rows until their PUBACK arrives, then deletes them', async () => {
    const store = newStore();
    const p = await proxy();
    const watcher = await sub(`${BASE}/event`);
    const uplink = newUplink(store, { urls: [p.url] });
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');

    p.swallowReplies = true;
    denials(store, 5);
    await waitFor(() => watcher.messages.length >= 5, 'events at the subscriber');
    expect(store.outboxCount()).toBe(5); // the broker has them, but we never heard its PUBACKs
    expect(uplink.backlog()).toBe(5);

    p.swallowReplies = false;
    p.cutAll();
    await waitFor(() => store.outboxCount() === 0, 'outbox drained after reconnect');
    await waitFor(() => uplink.backlog() === 0, 'backlog 0');
    const ids = new Set(watcher.messages.map((m) => EventPayload.parse(m.json).id));
    expect(ids.size).toBe(5);
    expect(watcher.messages.length).toBeGreaterThanOrEqual(10); // resent: duplicates, not loss
  });

  it("respects the broker's Receive Maximum and still drains everything in order", async () => {
    const small = await startMosquitto({ extraConfig: 'max_inflight_messages 5' });
    cleanups.push(() => small.stop());
    const store = newStore();
    const watcher = await subscribe(small.url, `${BASE}/event`);
    cleanups.push(() => watcher.close());
    denials(store, 200);
    const expected = store.outboxPeek(0, 1000).map((r) => (JSON.parse(r.payload) as { id: string }).id);
    const uplink = newUplink(store, { urls: [small.url], maxInFlight: 1000 });
    uplink.start();
    await waitFor(() => store.outboxCount() === 0, 'outbox drained');
    await waitFor(() => watcher.messages.length >= 200, 'all events');
    expect(uplink.inFlightWindow()).toBeLessThanOrEqual(5);
    expect(watcher.messages.map((m) => m.json.id)).toEqual(expected);
  });

  it('loses nothing and keeps order across a broker outage and a kiosk restart', async () => {
    const path = tempDbPath();
    let store = openStore(path, checkpoint, { windowMs: 1000 });
    cleanups.push(() => store.close());
    // A persistent subscriber: the broker queues for it while it reconnects after the restart.
    const watcher = await sub(`${BASE}/#`, { protocolVersion: 4, clean: false, clientId: 'cc-test-order' });
    let uplink = newUplink(store, { maxInFlight: 16 });
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');

    await broker.down();
    await waitFor(() => !uplink.state().connected, 'disconnect');
    denials(store, 300, 'A');
    store.closeDueWindows(Date.now() + 2000);
    // The kiosk restarts while the broker is still down.
    await uplink.stop();
    store.close();
    store = openStore(path, checkpoint, { windowMs: 1000 });
    denials(store, 200, 'B');
    store.closeDueWindows(Date.now() + 2000);
    const expected = store.outboxPeek(0, 10_000).map((r) => (JSON.parse(r.payload) as { id: string }).id);
    expect(expected.length).toBeGreaterThan(500);
    uplink = newUplink(store, { maxInFlight: 16 });
    uplink.start();

    await broker.restart();
    await waitFor(() => store.outboxCount() === 0, 'outbox drained', 30_000);
    const wanted = new Set(expected);
    await waitFor(
      () =>
        new Set(watcher.messages.map((m) => m.json.id).filter((id) => wanted.has(id as string))).size ===
        wanted.size,
      'every message at the subscriber',
      30_000,
    );
    const firstSeen: string[] = [];
    const seen = new Set<string>();
    for (const m of watcher.messages) {
      const id = m.json.id as string;
      if (wanted.has(id) && !seen.has(id)) {
        seen.add(id);
        firstSeen.push(id);
      }
    }
    expect(firstSeen).toEqual(expected);
  });
});
