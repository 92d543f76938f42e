// The kiosk's uplink on real Mosquitto (spec/mqtt.md v2): status with its Will, the outbox drained in
// order, rows kept until a receipt covers them, republishing on timeout, on the command centre's return
// and on a resend command, and receipts that must not delete anything.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/base/log.js';
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
  type Receipter,
  releaseReceipts,
  type Subscriber,
  startProxy,
  startReceipter,
  startV311Gate,
  subscribe,
  type TcpProxy,
  waitFor,
} from './uplink-helpers.js';

const BASE = 'ckpt/v2/01-009/TX-01/L1';
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
    lane: () => '1',
    direction: () => 'in',
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

async function receipter(url = broker.url, opts = {}): Promise<Receipter> {
  const r = await startReceipter(url, opts);
  cleanups.push(() => r.close());
  return r;
}

async function proxy(): Promise<TcpProxy> {
  const p = await startProxy(broker.port);
  cleanups.push(() => p.close());
  return p;
}

// Manual entries: a passage with a permit also writes its `passage` message, and these tests count
// the outbox's rows one message per denial.
function denials(store: Store, n: number, cti = 'P'): void {
  for (let i = 0; i < n; i++) {
    store.recordPassage(
      passage(
        {
          permit: null,
          source: 'manual',
          person: { holderName: 'Nguyễn Văn An', purpose: 'work' },
          atMs: Date.now(),
          decision: 'DENY',
          reasons: ['EXPIRED'],
          letThrough: false,
        },
        `${cti}-${i}`,
      ),
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
      kiosk: 'L1',
      instance: store.outboxStats().instance,
      version: '0.1.0-test',
      lane: '1',
      direction: 'in',
      scanner: 'missing',
      lastSeq: 0,
      outbox: { unreceipted: 0, oldestAt: null },
      commandCentre: 'unknown',
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
    expect(OfflineStatusPayload.parse(will.json)).toMatchObject({
      kiosk: 'L1',
      instance: store.outboxStats().instance,
      since: expect.stringMatching(/^\d{4}-/),
    });
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

  it('a stop whose goodbye gets no answer ends anyway, on a test clock that never moves', async () => {
    const p = await proxy();
    const store = newStore();
    const start = Date.parse('2021-08-23T00:00:00Z');
    const clock = new FakeClock(start);
    const uplink = newUplink(store, { urls: [p.url], timers: clock, now: clock.now });
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');
    // The broker still looks connected, but nothing it says gets through: no PUBACK for the goodbye.
    p.swallowReplies = true;
    await uplink.stop();
    expect(uplink.state().connected).toBe(false);
    expect(clock.now()).toBe(start);
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
    await receipter();
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
    await receipter();
    uplink.start();
    sched.start();
    store.recordPassage(
      passage({
        permit: null,
        source: 'manual',
        person: { holderName: 'Nguyễn Văn An', purpose: 'work' },
        atMs: clock.now(),
      }),
    );
    clock.advance(599);
    expect(store.outboxCount()).toBe(0); // the window is still open
    clock.advance(1); // its end
    const msg = await waitFor(() => watcher.messages[0], 'summary');
    const summary = SummaryPayload.parse(msg.json);
    expect(summary.counts.in.allowed).toBe(1);
    expect(summary).toMatchObject({
      id: 'TX-01:L1:2021-09-10T01:00:00.000Z',
      seq: 1,
      kiosk: 'L1',
      instance: store.outboxStats().instance,
      windowStart: '2021-09-10T01:00:00.000Z',
      windowEnd: '2021-09-10T01:00:01.000Z',
    });
    await waitFor(() => store.outboxCount() === 0, 'empty outbox');
  });

  it('keeps rows the broker acknowledged until a receipt covers them', async () => {
    const store = newStore();
    const cc = await receipter();
    cc.hold = true;
    const uplink = newUplink(store);
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');
    denials(store, 5);
    await waitFor(() => cc.messages.length >= 5, 'events at the command centre');
    // Every PUBACK has come (the broker has them all), and still nothing is deleted.
    await waitFor(() => uplink.inFlightWindow() > 0 && store.outboxCount() === 5, 'rows kept');
    expect(uplink.backlog()).toBe(5);
    expect(cc.messages.map((m) => m.json.seq)).toEqual([1, 2, 3, 4, 5]);

    await releaseReceipts(broker.url, cc);
    await waitFor(() => store.outboxCount() === 0, 'receipted rows deleted');
    await waitFor(() => uplink.backlog() === 0, 'backlog 0');
  });

  it('publishes everything unreceipted again after a reconnection, same id and seq', async () => {
    const store = newStore();
    const p = await proxy();
    const cc = await receipter();
    const uplink = newUplink(store, { urls: [p.url] });
    uplink.start();
    await waitFor(() => uplink.state().connected, 'connection');

    cc.drop = 5; // the broker lost them (a restart without persistence, a full queue)
    denials(store, 5);
    await waitFor(() => cc.messages.length >= 5, 'five published');
    expect(store.outboxCount()).toBe(5);
    p.cutAll();
    await waitFor(() => store.outboxCount() === 0, 'outbox drained after reconnect');
    const ids = new Set(cc.messages.map((m) => EventPayload.parse(m.json).id));
    expect(ids.size).toBe(5);
    expect(cc.messages.length).toBe(10);
    expect(cc.messages.slice(5).map((m) => m.json.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("respects the broker's Receive Maximum and still drains everything in order", async () => {
    const small = await startMosquitto({ extraConfig: 'max_inflight_messages 5' });
    cleanups.push(() => small.stop());
    const store = newStore();
    const watcher = await subscribe(small.url, `${BASE}/event`);
    cleanups.push(() => watcher.close());
    await receipter(small.url);
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
    await receipter(broker.url, { clean: false, clientId: 'cc-test-receipts' });
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

describe('receipts', () => {
  async function publish(topic: string, json: unknown, retain = false): Promise<void> {
    const s = await sub('ckpt/v2/none');
    await s.client.publishAsync(topic, JSON.stringify(json), { qos: 1, retain });
  }

  it('a receipt for another instance, or beyond what was ever sent, deletes nothing and is logged', async () => {
    const warnings: string[] = [];
    const previous = setLogSink((level, line) => {
      if (level === 'warn') warnings.push(line);
    });
    cleanups.push(() => void setLogSink(previous));
    const store = newStore();
    const uplink = newUplink(store);
    uplink.start();
    await waitFor(() => uplink.state().subscribed, 'subscriptions');
    denials(store, 3);
    const instance = store.outboxStats().instance;
    const at = new Date().toISOString();
    await publish(
      `${BASE}/receipt`,
      { schema: 'ckpt.receipt/1', instance: '4b0a1f6e-3c1d-4e5f-9a8b-7c6d5e4f3a2b', upTo: 3, also: [], at },
      true,
    );
    await waitFor(() => warnings.some((w) => w.includes('not this kiosk')), 'the foreign receipt logged');
    await publish(
      `${BASE}/receipt`,
      { schema: 'ckpt.receipt/1', instance, upTo: 2, also: [[4, 9]], at },
      true,
    );
    await waitFor(() => warnings.some((w) => w.includes('beyond the 3')), 'the receipt beyond logged');
    await publish(`${BASE}/receipt`, { schema: 'ckpt.receipt/1', instance, upTo: 'all' }, true);
    await waitFor(() => warnings.some((w) => w.includes('not one')), 'the malformed receipt logged');
    expect(store.outboxCount()).toBe(3);
    // A true receipt for 1–2 deletes those two only.
    await publish(`${BASE}/receipt`, { schema: 'ckpt.receipt/1', instance, upTo: 2, also: [], at }, true);
    await waitFor(() => store.outboxCount() === 1, 'rows 1 and 2 deleted');
    expect(store.outboxPeek(0, 10).map((r) => r.seq)).toEqual([3]);
  });

  it('publishes again what is not receipted within the timeout while the command centre is online', async () => {
    const clock = new FakeClock(Date.now());
    const store = newStore();
    const cc = await receipter();
    await cc.presence(true);
    const uplink = newUplink(store, { now: clock.now, timers: clock, receiptTimeoutMs: 60_000 });
    uplink.start();
    await waitFor(() => uplink.state().commandCentre === 'online', 'the command centre online');
    cc.drop = 2;
    denials(store, 4);
    await waitFor(() => cc.messages.length >= 4 && store.outboxCount() === 2, 'two receipted, two lost');
    clock.advance(59_000);
    expect(cc.messages).toHaveLength(4); // not yet: within the timeout
    clock.advance(1_000); // 60 s: the timeout
    await waitFor(() => store.outboxCount() === 0, 'the lost two published again and receipted');
    expect(cc.messages.slice(4).map((m) => m.json.seq)).toEqual([1, 2]);
  });

  it('publishes every unreceipted row again when the command centre comes back, and on a resend command', async () => {
    const store = newStore();
    const cc = await receipter();
    await cc.presence(false);
    const uplink = newUplink(store);
    uplink.start();
    await waitFor(() => uplink.state().commandCentre === 'offline', 'the command centre offline');
    cc.hold = true;
    denials(store, 3);
    await waitFor(() => cc.messages.length >= 3, 'published while it is away');
    expect(store.outboxCount()).toBe(3);
    cc.hold = false;
    await cc.presence(true);
    await waitFor(() => store.outboxCount() === 0, 'published again and receipted');
    expect(cc.messages.slice(3).map((m) => m.json.seq)).toEqual([1, 2, 3]);

    // A resend republishes that range even though it is receipted… but receipted rows are gone, so a
    // resend can only bring back what the kiosk still holds: hold two more and ask for them.
    cc.hold = true;
    denials(store, 2);
    await waitFor(() => cc.messages.length >= 8, 'two more');
    await publish(`${BASE}/command`, { schema: 'ckpt.command/1', id: 'r-1', kind: 'resend', from: 4, to: 5 });
    await waitFor(() => cc.messages.length >= 10, 'resent');
    expect(cc.messages.slice(8).map((m) => m.json.seq)).toEqual([4, 5]);
    const status = await sub(`${BASE}/status`);
    const last = await waitFor(() => status.messages[0], 'status');
    expect(StatusPayload.parse(last.json)).toMatchObject({
      lastSeq: 5,
      outbox: { unreceipted: 2 },
      commandCentre: 'online',
    });
  });
});

describe('refetch', () => {
  it('subscribing anew brings a retained message again (a delta that did not apply asks for the full list)', async () => {
    const store = newStore();
    const topic = `ckpt/v2/all/test-refetch-${Math.random().toString(36).slice(2)}`;
    const s = await sub('ckpt/v2/none');
    await s.client.publishAsync(topic, 'the full list', { qos: 1, retain: true });
    cleanups.push(() => void s.client.publish(topic, '', { qos: 1, retain: true }));
    const got: string[] = [];
    const uplink = newUplink(store, {
      downlink: { topics: [topic], onMessage: (_t, p) => got.push(p.toString()) },
    });
    uplink.start();
    await waitFor(() => got.length === 1, 'the retained message at subscription');
    uplink.refetch(topic);
    await waitFor(() => got.length === 2, 'the retained message again');
    expect(got).toEqual(['the full list', 'the full list']);
  });
});
