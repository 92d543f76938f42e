// The command centre's aggregator on a real Mosquitto (persistence false, a small queue): validation,
// ingestion keyed by (instance, seq), two kiosks of one checkpoint counted apart and summed, durable
// de-duplication across a restart and a database failure, and two aggregators on one shared subscription.

import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { setLogSink } from '../../src/base/log.js';
import { ack, event, kioskId, MINUTE, passage, send, summary } from '../fixtures/cc-messages.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

let broker: MosquittoHandle;
let publisher: mqtt.MqttClient;
let cleanups: (() => Promise<void> | void)[] = [];
const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);
const windowAt = (i: number) => T0 + i * MINUTE;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 500' });
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

describe('aggregator', () => {
  it('counts each (instance, seq) once and drops invalid messages with a reason, without stopping', async () => {
    const centre = await cc(tempDbPath());
    const k = kioskId('L1');
    const s1 = summary(k, 1, windowAt(2), { allowedIn: 3, deniedIn: 1 });
    const e2 = event(k, 2, T0);
    await send(publisher, k, 'summary', s1);
    await send(publisher, k, 'summary', s1);
    await send(publisher, k, 'event', e2);
    // Another body under a seq already held is a copy too: the kiosk numbers each message once.
    await send(publisher, k, 'event', { ...event(k, 2, T0), id: randomUUID() });
    await send(publisher, k, 'summary', Buffer.from([0xff, 0xfe, 0x00]));
    await send(publisher, k, 'event', 'not json');
    await send(publisher, k, 'summary', { schema: 'ckpt.summary/2' });
    const other = kioskId('L1', 'TX-02');
    await send(publisher, k, 'summary', {
      ...summary(other, 3, windowAt(2), { allowedIn: 1 }),
      instance: k.instance,
    });
    await send(publisher, k, 'event', { ...event(k, 4, T0), kiosk: 'L2' }); // body names another kiosk
    await send(publisher, k, 'summary', {
      ...summary(k, 5, windowAt(3), { allowedIn: 1 }),
      id: 'TX-01:forged',
    });
    await send(publisher, k, 'event', JSON.stringify({ ...event(k, 6, T0), pad: 'x'.repeat(70_000) }));
    await publisher.publishAsync('ckpt/v2/xx/TX-01/L1/summary', JSON.stringify(s1), { qos: 1 });
    await publisher.publishAsync('ckpt/v1/01-009/TX-01/summary', JSON.stringify(s1), { qos: 1 });
    await send(publisher, k, 'ack', ack(k, 7, T0));
    await send(publisher, k, 'passage', passage(k, 8, T0));
    await waitFor(() => centre.aggregator.stats.received >= 14, 'all 14 messages');

    const [row] = centre.ledger.totals();
    expect(row).toMatchObject({
      district: '01-009',
      checkpoint: 'TX-01',
      summaries: 1,
      events: 1,
      passages: 1,
    });
    expect(row!.total.in).toEqual({ allowed: 3, denied: 1, review: 0, overridden: 0 });
    expect(row!.kiosks).toEqual([
      expect.objectContaining({ kiosk: 'L1', instance: k.instance, summaries: 1, events: 1, passages: 1 }),
    ]);
    expect(centre.aggregator.stats).toMatchObject({ counted: 4, duplicates: 2, rejected: 8 });
    const snapshot = centre.ledger.snapshot(T0);
    expect(Object.fromEntries(snapshot.rejected.map((r) => [r.reason, r.count]))).toEqual({
      json: 2,
      schema: 2,
      scope: 2,
      'too-large': 1,
      topic: 1,
    });
    expect(centre.aggregator.state().connected).toBe(true);
    // v1 is retired: its topics are not even subscribed to.
    expect(centre.aggregator.stats.received).toBe(14);
    expect(snapshot.alerts.map((a) => a.id)).toEqual([e2.id]);
    expect(snapshot.alerts[0]).toMatchObject({
      districtName: 'Quận Thanh Xuân',
      kiosk: 'L1',
      reasons: ['EXPIRED'],
    });
    expect(snapshot.acks[0]).toMatchObject({
      kiosk: 'L1',
      typ: 'vnp-zones+jws',
      version: '3',
      applied: true,
    });
    // What the database holds of this instance: 1, 2, and 7–8 (3–6 were refused, never held).
    const view = snapshot.checkpoints[0]!.kiosks[0]!;
    expect({ upTo: view.upTo, also: view.also, duplicates: view.duplicates }).toEqual({
      upTo: 2,
      also: [[7, 8]],
      duplicates: 2,
    });
    const id = centre.ledger.findKiosk(k.scope)!;
    expect(centre.ledger.passages(id)).toEqual([
      expect.objectContaining({
        seq: 8,
        area: '01-009',
        permit: 'ab'.repeat(32),
        direction: 'in',
        let_through: 1,
      }),
    ]);
  });

  it('counts two kiosks of one checkpoint publishing overlapping windows, and two instances of one kiosk id', async () => {
    const centre = await cc(tempDbPath());
    const l1 = kioskId('L1');
    const l2 = kioskId('L2');
    // The same windows, the same seq numbers: v1 took the second kiosk's summaries for copies.
    for (let i = 0; i < 3; i++) {
      await send(publisher, l1, 'summary', summary(l1, i + 1, windowAt(i), { allowedIn: 4, deniedIn: 1 }));
      await send(publisher, l2, 'summary', summary(l2, i + 1, windowAt(i), { allowedOut: 2 }));
    }
    // A second instance claiming L1 (a kiosk replaced, or misconfigured): counted apart, never merged.
    const l1b = { ...l1, instance: randomUUID() };
    await send(publisher, l1b, 'summary', summary(l1b, 1, windowAt(0), { allowedIn: 1 }));
    await waitFor(() => centre.aggregator.stats.counted >= 7, 'seven summaries');

    expect(centre.aggregator.stats).toMatchObject({ counted: 7, duplicates: 0, rejected: 0 });
    const [row] = centre.ledger.totals();
    expect(row!.total).toEqual({
      in: { allowed: 13, denied: 3, review: 0, overridden: 0 },
      out: { allowed: 6, denied: 0, review: 0, overridden: 0 },
      people: 22,
    });
    expect(row!.summaries).toBe(7);
    const byKiosk = Object.fromEntries(row!.kiosks.map((r) => [`${r.kiosk}/${r.instance}`, r]));
    expect(byKiosk[`L1/${l1.instance}`]!.total.in).toEqual({
      allowed: 12,
      denied: 3,
      review: 0,
      overridden: 0,
    });
    expect(byKiosk[`L1/${l1b.instance}`]!.total.in.allowed).toBe(1);
    expect(byKiosk[`L2/${l2.instance}`]!.total.out.allowed).toBe(6);
    // The checkpoint's counts are the sums of its kiosks', in the snapshot too.
    const view = centre.ledger.snapshot(windowAt(3)).checkpoints[0]!;
    expect(view.kiosks.map((k) => k.kiosk)).toEqual(['L1', 'L1', 'L2']);
    expect(view.total).toEqual(row!.total);
  });

  it('neither loses nor double-counts across a restart, and never receipts what it could not record', async () => {
    const db = tempDbPath();
    const id = `cc-restart-${randomUUID()}`;
    const k = kioskId('L1');
    let centre = await cc(db, id);
    const s1 = summary(k, 1, windowAt(5), { allowedIn: 2 });
    const e2 = event(k, 2, T0);
    await send(publisher, k, 'summary', s1);
    await send(publisher, k, 'event', e2);
    await waitFor(() => centre.aggregator.stats.counted === 2, 'first two counted');
    await centre.stop();

    // While it is away the broker keeps its share (persistent session), copies included.
    for (const [kind, p] of [
      ['summary', summary(k, 3, windowAt(6), { allowedIn: 5 })],
      ['event', event(k, 4, T0)],
      ['summary', s1],
      ['event', e2],
    ] as const) {
      await send(publisher, k, kind, p);
    }
    centre = await cc(db, id);
    await waitFor(() => centre.aggregator.stats.received >= 4, 'the queued four');
    expect(centre.aggregator.stats).toMatchObject({ counted: 2, duplicates: 2 });
    expect(centre.ledger.totals()[0]).toMatchObject({ summaries: 2, events: 2 });
    expect(centre.ledger.totals()[0]!.total.in.allowed).toBe(7);

    // The database fails under the aggregator: nothing is receipted, so the kiosk, which keeps every
    // message until a receipt covers it, sends it again to the next run.
    const errors: string[] = [];
    const previous = setLogSink((level, line) => {
      if (level === 'error') errors.push(line);
    });
    const receipts = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const upTo: number[] = [];
    receipts.on('message', (_t, p) => upTo.push((JSON.parse(p.toString()) as { upTo: number }).upTo));
    await receipts.subscribeAsync('ckpt/v2/01-009/TX-01/L1/receipt', { qos: 1 });
    await waitFor(() => upTo.at(-1) === 4, 'the receipt up to 4');
    const s5 = summary(k, 5, windowAt(7), { allowedIn: 11 });
    try {
      centre.ledger.db.close();
      await send(publisher, k, 'summary', s5);
      await waitFor(() => errors.length > 0, 'the failure to be reported');
    } finally {
      setLogSink(previous);
    }
    expect(errors[0]).toMatch(
      /could not record what arrived \(1 messages\); their kiosks will send it again/,
    );
    await centre.stop();
    expect(Math.max(...upTo)).toBe(4);
    centre = await cc(db, id);
    await send(publisher, k, 'summary', s5);
    await waitFor(() => centre.aggregator.stats.counted >= 1, 'the summary sent again');
    expect(centre.ledger.totals()[0]!.total.in.allowed).toBe(18);
    expect(centre.ledger.totals()[0]!.summaries).toBe(3);
    expect(centre.ledger.receipt(centre.ledger.findKiosk(k.scope)!)).toEqual({ upTo: 5, also: [] });
    await waitFor(() => upTo.at(-1) === 5, 'the receipt covering it');
    await receipts.endAsync();
  });

  it('splits the load between two aggregators sharing one database, counting each (instance, seq) once', async () => {
    const db = tempDbPath();
    const a = await cc(db);
    const b = await cc(db);
    const kiosks = ['TX-01', 'TX-02', 'TX-03'].flatMap((c) => [kioskId('L1', c), kioskId('L2', c)]);
    const messages = kiosks.flatMap((k) => [
      ...[1, 2, 3, 4, 5].map((i) => ({
        k,
        kind: 'summary' as const,
        p: summary(k, i, windowAt(10 + i), { allowedIn: i, deniedIn: 1 }),
      })),
      ...[6, 7, 8, 9, 10].map((seq) => ({ k, kind: 'event' as const, p: event(k, seq, T0) })),
    ]);
    for (const m of messages) await send(publisher, m.k, m.kind, m.p);
    // A kiosk that missed its receipts sends everything again; the copies land on either consumer.
    for (const m of messages) await send(publisher, m.k, m.kind, m.p);
    const received = () => a.aggregator.stats.received + b.aggregator.stats.received;
    await waitFor(() => received() >= messages.length * 2, 'every delivery');

    expect(a.aggregator.stats.received).toBeGreaterThan(0);
    expect(b.aggregator.stats.received).toBeGreaterThan(0);
    expect(a.aggregator.stats.counted + b.aggregator.stats.counted).toBe(messages.length);
    expect(a.aggregator.stats.duplicates + b.aggregator.stats.duplicates).toBe(messages.length);
    const totals = b.ledger.totals();
    expect(totals).toHaveLength(3);
    for (const row of totals) {
      expect(row).toMatchObject({ summaries: 10, events: 10 });
      expect(row.total.in).toEqual({ allowed: 30, denied: 10, review: 0, overridden: 0 });
      for (const k of row.kiosks)
        expect(b.ledger.receipt(b.ledger.findKiosk({ ...row, kiosk: k.kiosk })!)).toEqual({
          upTo: 10,
          also: [],
        });
    }
    // Each dashboard reads the shared database: both show the same totals.
    expect(a.ledger.totals()).toEqual(b.ledger.totals());
  });
});
