// The command centre's aggregator on a real Mosquitto: validation, durable de-duplication across a
// restart and a database failure, two aggregators on one shared subscription, and online/offline from
// the birth status and the Last Will.

import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { setLogSink } from '../../src/base/log.js';
import type { EventPayload, SummaryPayload } from '../../src/contract/mqtt.js';
import { addPassage, emptySummary, toSummaryPayload } from '../../src/contract/summary.js';
import { openStore } from '../../src/store/store.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { checkpoint, removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { startProxy, waitFor } from './uplink-helpers.js';

let broker: MosquittoHandle;
let publisher: mqtt.MqttClient;
let cleanups: (() => Promise<void> | void)[] = [];
const MINUTE = 60_000;

beforeAll(async () => {
  // Deep queues: with the default (1000) the broker would drop an aggregator's backlog.
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 1000000' });
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

async function cc(database: string, clientId = `cc-${randomUUID()}`): Promise<RunningCommandCentre> {
  const running = await startCommandCentre({
    urls: [broker.url],
    database,
    clientId,
    http: false,
    reconnectMs: 100,
  });
  let stopped = false;
  const stop = running.stop.bind(running);
  running.stop = async (opts) => {
    if (stopped) return;
    stopped = true;
    await stop(opts);
  };
  // Retired at the end of each test: a stopped member of the shared group would keep its share.
  cleanups.push(() => running.stop({ retire: true }));
  await waitFor(() => running.aggregator.state().connected, 'aggregator connected');
  return running;
}

function summary(
  c: string,
  windowStartMs: number,
  allowedIn: number,
  deniedIn = 0,
  d = '01-009',
): SummaryPayload {
  const data = emptySummary();
  const base = {
    direction: 'in' as const,
    reasons: [],
    purpose: 'work',
    vehicleType: 'motorbike' as const,
    people: 1,
  };
  for (let i = 0; i < allowedIn; i++) addPassage(data, { ...base, decision: 'ALLOW', letThrough: true });
  for (let i = 0; i < deniedIn; i++) {
    addPassage(data, { ...base, decision: 'DENY', reasons: ['EXPIRED'], letThrough: false });
  }
  return toSummaryPayload({ district: d, checkpoint: c }, windowStartMs, MINUTE, data);
}

function event(atMs = Date.now()): EventPayload {
  return {
    schema: 'ckpt.event/1',
    id: randomUUID(),
    at: new Date(atMs).toISOString(),
    kind: 'denial',
    decision: 'DENY',
    reasons: ['EXPIRED'],
    permit: null,
    direction: 'in',
    lane: '1',
  };
}

async function send(c: string, kind: string, payload: unknown, d = '01-009'): Promise<void> {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  await publisher.publishAsync(`ckpt/v1/${d}/${c}/${kind}`, body, { qos: 1 });
}

const windowAt = (i: number) => Math.floor(Date.now() / MINUTE) * MINUTE - i * MINUTE;

describe('aggregator', () => {
  it('counts valid messages once and drops invalid ones with a reason, without stopping', async () => {
    const centre = await cc(tempDbPath());
    const s1 = summary('TX-01', windowAt(2), 3, 1);
    const e1 = event();
    await send('TX-01', 'summary', s1);
    await send('TX-01', 'summary', s1);
    await send('TX-01', 'event', e1);
    await send('TX-01', 'event', e1);
    await send('TX-01', 'summary', Buffer.from([0xff, 0xfe, 0x00]));
    await send('TX-01', 'event', 'not json');
    await send('TX-01', 'summary', { schema: 'ckpt.summary/1' });
    await send('TX-01', 'summary', summary('TX-02', windowAt(2), 1)); // body names another checkpoint
    await send('TX-01', 'summary', { ...summary('TX-01', windowAt(3), 1), id: 'TX-01:forged' });
    await send('TX-01', 'event', JSON.stringify({ ...event(), pad: 'x'.repeat(70_000) }));
    await publisher.publishAsync('ckpt/v1/xx/TX-01/summary', JSON.stringify(s1), { qos: 1 });
    await send('TX-01', 'event', event(Date.now() - 100 * 86_400_000));
    await waitFor(() => centre.aggregator.stats.received >= 12, 'all 12 messages');

    const [row] = centre.ledger.totals();
    expect(row).toMatchObject({ district: '01-009', checkpoint: 'TX-01', summaries: 1, events: 1 });
    expect(row!.total.in).toEqual({ allowed: 3, denied: 1, review: 0, overridden: 0 });
    expect(centre.aggregator.stats).toMatchObject({ counted: 2, duplicates: 2, rejected: 8 });
    const rejected = Object.fromEntries(
      centre.ledger.snapshot(Date.now()).rejected.map((r) => [r.reason, r.count]),
    );
    expect(rejected).toEqual({ json: 2, schema: 2, scope: 1, 'too-large': 1, topic: 1, 'too-old': 1 });
    expect(centre.aggregator.state().connected).toBe(true);
    const alerts = centre.ledger.snapshot(Date.now()).alerts;
    expect(alerts.map((a) => a.id)).toEqual([e1.id]);
    expect(alerts[0]).toMatchObject({ districtName: 'Quận Thanh Xuân', reasons: ['EXPIRED'] });
  });

  it('neither loses nor double-counts across a restart, and never acks what it could not record', async () => {
    const db = tempDbPath();
    const id = `cc-restart-${randomUUID()}`;
    let centre = await cc(db, id);
    const s1 = summary('TX-01', windowAt(5), 2);
    const e1 = event();
    await send('TX-01', 'summary', s1);
    await send('TX-01', 'event', e1);
    await waitFor(() => centre.aggregator.stats.counted === 2, 'first two counted');
    await centre.stop();

    // While it is away the broker keeps its share (persistent session), duplicates included.
    const s2 = summary('TX-01', windowAt(4), 5);
    const e2 = event();
    for (const [kind, p] of [
      ['summary', s2],
      ['event', e2],
      ['summary', s1],
      ['event', e1],
    ] as const) {
      await send('TX-01', kind, p);
    }
    centre = await cc(db, id);
    await waitFor(() => centre.aggregator.stats.received >= 4, 'the queued four');
    expect(centre.aggregator.stats).toMatchObject({ counted: 2, duplicates: 2 });
    expect(centre.ledger.totals()[0]).toMatchObject({ summaries: 2, events: 2 });
    expect(centre.ledger.totals()[0]!.total.in.allowed).toBe(7);

    // The database fails under the aggregator: the message is not acknowledged, so the broker keeps it
    // and hands it to the next run.
    const errors: string[] = [];
    const previous = setLogSink((level, line) => {
      if (level === 'error') errors.push(line);
    });
    try {
      centre.ledger.db.close();
      const s3 = summary('TX-01', windowAt(3), 11);
      await send('TX-01', 'summary', s3);
      await waitFor(() => errors.length > 0, 'the failure to be reported');
    } finally {
      setLogSink(previous);
    }
    expect(errors[0]).toMatch(/could not record a message/);
    await centre.stop();
    centre = await cc(db, id);
    await waitFor(() => centre.aggregator.stats.counted >= 1, 'the unacknowledged summary');
    expect(centre.ledger.totals()[0]!.total.in.allowed).toBe(18);
    expect(centre.ledger.totals()[0]!.summaries).toBe(3);
  });

  it('splits the load between two aggregators sharing one database, counting each id once', async () => {
    const db = tempDbPath();
    const a = await cc(db);
    const b = await cc(db);
    const events = Array.from({ length: 120 }, () => event());
    const summaries = ['TX-01', 'TX-02', 'TX-03'].flatMap((c) =>
      [1, 2, 3, 4, 5].map((i) => ({ c, s: summary(c, windowAt(10 + i), i, 1) })),
    );
    for (const e of events) await send('TX-01', 'event', e);
    for (const { c, s } of summaries) await send(c, 'summary', s);
    // A kiosk that never heard its PUBACKs sends everything again; the copies land on either consumer.
    for (const e of events.slice(0, 40)) await send('TX-01', 'event', e);
    for (const { c, s } of summaries) await send(c, 'summary', s);
    const total = events.length + 40 + summaries.length * 2;
    const received = () => a.aggregator.stats.received + b.aggregator.stats.received;
    await waitFor(() => received() >= total, 'every delivery');

    expect(a.aggregator.stats.received).toBeGreaterThan(0);
    expect(b.aggregator.stats.received).toBeGreaterThan(0);
    expect(a.aggregator.stats.counted + b.aggregator.stats.counted).toBe(events.length + summaries.length);
    const byCheckpoint = Object.fromEntries(b.ledger.totals().map((r) => [r.checkpoint, r]));
    expect(byCheckpoint['TX-01']).toMatchObject({ events: 120, summaries: 5 });
    for (const c of ['TX-01', 'TX-02', 'TX-03']) {
      expect(byCheckpoint[c]!.total.in).toEqual({ allowed: 15, denied: 5, review: 0, overridden: 0 });
    }
    // Each dashboard reads the shared database: both show the same totals.
    expect(a.ledger.totals()).toEqual(b.ledger.totals());
  });

  it('shows a kiosk online from its birth and offline from its Last Will, keeping when it was last seen', async () => {
    const centre = await cc(tempDbPath());
    const store = openStore(tempDbPath(), checkpoint);
    cleanups.push(() => store.close());
    const proxy = await startProxy(broker.port);
    cleanups.push(() => proxy.close());
    const uplink = new Uplink({
      urls: [proxy.url],
      scope: store.scope,
      clientId: `kiosk-will-${randomUUID()}`,
      outbox: store,
      version: '0.1.0-test',
      startedAtMs: Date.now(),
      backoffMinMs: 60_000,
    });
    cleanups.push(() => uplink.stop());
    uplink.start();
    const view = () => centre.ledger.snapshot(Date.now()).checkpoints.find((c) => c.checkpoint === 'TX-01');
    const online = await waitFor(() => view()?.online && view(), 'online');
    expect(online.status).toMatchObject({ version: '0.1.0-test', scanner: 'missing' });
    const seen = Date.parse(online.lastSeenAt!);

    const cut = Date.now();
    proxy.cutAll();
    const offline = await waitFor(() => view()?.online === false && view(), 'offline by Last Will');
    expect(Date.parse(offline.lastSeenAt!)).toBe(seen);
    expect(Date.parse(offline.changedAt!)).toBeGreaterThanOrEqual(cut - 5);
    expect(offline.status.version).toBe('0.1.0-test'); // the last known status is kept for display
  });
});
