// The command centre on a real PostgreSQL (Debian's, started here): two aggregators in one shared
// subscription store into one database, so each kiosk's counts are exact and its receipt, whichever
// aggregator publishes it, covers everything either one stored. The batch commit is also raced
// directly: the same messages committed by two stores at once count once.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fleetKiosks, mqttBase } from '../../command-centre/server/fleet.js';
import type { SimKiosk } from '../../command-centre/server/fleet-kiosk.js';
import { classify } from '../../command-centre/server/ingest.js';
import { type RunningCentre, startCommandCentreOn } from '../../command-centre/server/run.js';
import type { Delivery, LedgerStore } from '../../command-centre/server/store.js';
import { PgStore } from '../../command-centre/server/store-pg.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { kioskTopic } from '../../src/contract/mqtt-topics.js';
import { ack, event, kioskId, send, status } from '../fixtures/cc-messages.js';
import { addAccount, CcClient, TEST_OPERATOR_OPTIONS } from '../fixtures/cc-operators.js';
import { FakeClock } from '../fixtures/clock.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { type PostgresHandle, startPostgres } from '../helpers/postgres.js';
import { waitFor } from './uplink-helpers.js';

const WINDOW_MS = 60_000;
/** The aggregator's least time between two receipts to one kiosk instance (its default). */
const RECEIPT_INTERVAL_MS = 1000;
let broker: MosquittoHandle;
let db: PostgresHandle;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  [broker, db] = await Promise.all([
    startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100000' }),
    startPostgres(),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([broker?.stop(), db?.stop()]);
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function centre(
  url: string,
  clientId: string,
  more: Partial<Parameters<typeof startCommandCentreOn>[0]> = {},
): Promise<RunningCentre> {
  const running = await startCommandCentreOn({
    urls: [broker.url],
    database: url,
    clientId,
    http: false,
    reconnectMs: 100,
    operators: TEST_OPERATOR_OPTIONS,
    ...more,
  });
  cleanups.push(() => running.stop({ retire: true }));
  await waitFor(() => running.aggregator.state().connected, 'aggregator connected');
  return running;
}

async function expectExact(store: LedgerStore, kiosks: SimKiosk[]): Promise<void> {
  const rows = await store.totals();
  for (const k of kiosks) {
    const got = rows
      .find((r) => r.district === k.scope.district && r.checkpoint === k.scope.checkpoint)!
      .kiosks.find((r) => r.instance === k.instance)!;
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
    const held = await store.receipt((await store.findKiosk(k.scope, k.instance))!);
    expect(held?.receipt).toEqual({ upTo: k.totals.lastSeq, also: [] });
  }
}

describe('command centre on PostgreSQL', () => {
  it('two aggregators share one database: exact totals, every kiosk receipted', async () => {
    const url = await db.createDatabase('two_aggregators');
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 1, 0, 0));
    const a = await centre(url, `cc-a-${randomUUID()}`, { now: clock.now, timers: clock });
    const b = await centre(url, `cc-b-${randomUUID()}`, { now: clock.now, timers: clock });
    const kiosks = fleetKiosks({
      count: 6,
      kiosksPerCheckpoint: 2,
      prefix: 'PG',
      seed: 5,
      windowMs: WINDOW_MS,
      receiptTimeoutMs: 60_000,
      now: clock.now,
    });
    await Promise.all(kiosks.map((k) => k.connect(broker.url, { ...mqttBase({}), reconnectPeriod: 100 })));
    cleanups.push(() => Promise.all(kiosks.map((k) => k.leave('goodbye').catch(() => {}))).then(() => {}));
    await waitFor(() => kiosks.every((k) => k.ccOnline), 'kiosks see a command centre');
    for (let w = 0; w < 3; w++) {
      for (const [i, k] of kiosks.entries()) k.tick(clock.now(), 20 + i + w);
      clock.advance(WINDOW_MS);
    }
    for (const k of kiosks) k.flushWindow();
    // Everything the kiosks wrote is stored; then the receipts held back for their second go.
    const sent = kiosks.reduce((n, k) => n + k.totals.lastSeq, 0);
    await waitFor(
      () => a.aggregator.stats.counted + b.aggregator.stats.counted >= sent,
      'every message stored',
      30_000,
    );
    clock.advance(RECEIPT_INTERVAL_MS);
    await waitFor(() => kiosks.every((k) => k.unreceipted === 0), 'every message receipted', 30_000);
    // Both took a share; together they counted each message once.
    expect(a.aggregator.stats.counted).toBeGreaterThan(0);
    expect(b.aggregator.stats.counted).toBeGreaterThan(0);
    expect(a.aggregator.stats.counted + b.aggregator.stats.counted).toBe(sent);
    await expectExact(a.store, kiosks);
    const snapshot = await b.store.snapshot(clock.now());
    expect(snapshot.checkpoints.flatMap((c) => c.kiosks)).toHaveLength(kiosks.length);
  }, 120_000);

  it('receipts nothing while PostgreSQL is down; what the kiosks send again once it is back is counted exactly', async () => {
    const url = await db.createDatabase('outage');
    const clock = new FakeClock(Date.UTC(2026, 11, 5, 5, 0, 0));
    const cc = await centre(url, `cc-outage-${randomUUID()}`, { now: clock.now, timers: clock });
    const kiosks = fleetKiosks({
      count: 2,
      kiosksPerCheckpoint: 2,
      prefix: 'PGO',
      seed: 8,
      windowMs: WINDOW_MS,
      receiptTimeoutMs: 30_000,
      now: clock.now,
    });
    await Promise.all(kiosks.map((k) => k.connect(broker.url, { ...mqttBase({}), reconnectPeriod: 100 })));
    cleanups.push(() => Promise.all(kiosks.map((k) => k.leave('goodbye').catch(() => {}))).then(() => {}));
    await waitFor(() => kiosks.every((k) => k.ccOnline), 'kiosks see a command centre');
    await db.down();
    try {
      for (const [i, k] of kiosks.entries()) k.tick(clock.now(), 5 + i);
      clock.advance(WINDOW_MS);
      for (const k of kiosks) k.flushWindow();
      // Taken from the broker, not stored: not receipted.
      await waitFor(() => cc.aggregator.stats.uncommitted > 0, 'a commit failing', 30_000);
      expect(cc.aggregator.stats.counted).toBe(0);
      expect(kiosks.every((k) => k.unreceipted === k.totals.lastSeq)).toBe(true);
    } finally {
      await db.up();
    }
    // Late receipts: past the receipt timeout the kiosks send it all again, and a connection to the
    // restarted server is made. A commit that still fails (a connection to the old server, pooled)
    // loses what it carried: one more timeout, and they send it again.
    const stats = cc.aggregator.stats;
    const sent = kiosks.reduce((n, k) => n + k.totals.lastSeq, 0);
    for (let round = 0; stats.counted < sent; round++) {
      if (round === 5) throw new Error(`${stats.counted} of ${sent} messages stored after 5 timeouts`);
      const failed = stats.uncommitted;
      clock.advance(30_000);
      for (const k of kiosks) k.tick(clock.now(), 0);
      await waitFor(
        () => stats.counted >= sent || stats.uncommitted > failed,
        'what the kiosks sent again stored, or a commit failing',
        30_000,
      );
    }
    clock.advance(RECEIPT_INTERVAL_MS);
    await waitFor(() => kiosks.every((k) => k.unreceipted === 0), 'every message receipted', 30_000);
    await expectExact(cc.store, kiosks);
  }, 120_000);

  it('counts a message once when two stores commit it at the same moment', async () => {
    const url = await db.createDatabase('race');
    const [s1, s2] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
    cleanups.push(() => Promise.all([s1.close(), s2.close()]).then(() => {}));
    const scope = { district: '01-009', checkpoint: 'RACE', kiosk: 'L1' };
    const instance = randomUUID();
    const batch: Delivery[] = Array.from({ length: 200 }, (_, i) => {
      const seq = i + 1;
      const body = {
        schema: 'ckpt.passage/1',
        id: randomUUID(),
        seq,
        kiosk: 'L1',
        instance,
        at: new Date(Date.UTC(2026, 11, 5, 3)).toISOString(),
        area: '01-009',
        permit: 'ab'.repeat(32),
        direction: 'in',
        letThrough: true,
      };
      const topic = kioskTopic(scope, 'passage');
      return { ...classify(topic, Buffer.from(JSON.stringify(body))), topic, retained: false };
    });
    expect(batch.every((d) => d.kind === 'numbered')).toBe(true);
    const now = Date.UTC(2026, 11, 5, 3);
    // Overlapping halves, in opposite orders, at once.
    const [r1, r2, r3] = await Promise.all([
      s1.commit(batch.slice(0, 150), now),
      s2.commit(batch.slice(50).reverse(), now),
      s1.commit(batch, now),
    ]);
    expect(r1.counted + r2.counted + r3.counted).toBe(200);
    expect(r1.duplicates + r2.duplicates + r3.duplicates).toBe(150 + 150 + 200 - 200);
    const id = (await s2.findKiosk(scope, instance))!;
    expect((await s2.receipt(id))?.receipt).toEqual({ upTo: 200, also: [] });
    const [row] = await s1.totals();
    expect(row?.passages).toBe(200);
    expect(row?.kiosks[0]?.passages).toBe(200);
  }, 60_000);

  it('keeps statuses, alerts, acks and published documents, and serves the dashboard from PostgreSQL', async () => {
    const url = await db.createDatabase('dashboard');
    const root = generateKeyPair();
    const cc = await centre(url, `cc-dash-${randomUUID()}`, {
      http: { host: '127.0.0.1', port: 0 },
      signingKeyPem: root.privatePem,
    });
    const k = kioskId('L1', 'PG-DASH');
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.push(() => client.endAsync());
    const now = Date.now();
    const version0 = await cc.store.dataVersion();
    await send(client, k, 'status', status(k, now, { lastSeq: 3 }), true);
    await send(client, k, 'event', event(k, 1, now));
    await send(client, k, 'ack', ack(k, 2, now));
    await waitFor(() => cc.aggregator.stats.counted === 2, 'the event and the ack stored');
    // Seq 3 is missing: the receipt, the gap and the resend command come from PostgreSQL.
    const id = (await cc.store.findKiosk(k.scope))!;
    expect((await cc.store.receipt(id))?.receipt).toEqual({ upTo: 2, also: [] });
    expect(await cc.store.firstGap(id)).toEqual({ from: 3, to: 3, where: 'tail' });
    expect(await cc.aggregator.resend({ ...k.scope })).toMatchObject({
      instance: k.instance,
      from: 3,
      to: 3,
    });
    expect(await cc.store.dataVersion()).toBeGreaterThan(version0);

    const [h1, h2, h3] = ['ab', 'cd', 'ef'].map((x) => x.repeat(32));
    const nowS = Math.floor(now / 1000);
    await cc.aggregator.publish({
      kind: 'revocations',
      payload: { version: 1, issued: nowS, mode: 'full', add: [h1, h2] },
    });
    const delta = await cc.aggregator.publish({
      kind: 'revocations',
      payload: { version: 2, issued: nowS, mode: 'delta', base: 1, add: [h3], remove: [h1] },
    });
    expect(delta.full).toEqual({ topic: 'ckpt/v2/all/revocations', entries: 2 });
    expect(await cc.store.revocations()).toEqual({ version: 2, hashes: [h2, h3] });
    await expect(
      cc.aggregator.publish({
        kind: 'revocations',
        payload: { version: 2, issued: nowS, mode: 'full', add: [] },
      }),
    ).rejects.toMatchObject({ code: 'PUBLISH_INVALID' });

    await addAccount(cc, 'pg-viewer', 'viewer', 'city');
    const viewer = new CcClient(cc.url!);
    expect((await viewer.login('pg-viewer')).status).toBe(200);
    const snap = await viewer.get<Awaited<ReturnType<LedgerStore['snapshot']>>>('/api/snapshot');
    const view = snap.checkpoints.find((c) => c.checkpoint === 'PG-DASH')!.kiosks[0]!;
    expect(view).toMatchObject({ online: true, lastSeq: 3, upTo: 2, receiptLag: 1, events: 1 });
    expect(snap.alerts.map((a) => a.kiosk)).toContain('L1');
    expect(snap.acks).toEqual([expect.objectContaining({ kiosk: 'L1', applied: true })]);
    expect(snap.published.map((p) => p.topic)).toEqual([
      'ckpt/v2/all/revocations/delta',
      'ckpt/v2/all/revocations',
      'ckpt/v2/all/revocations',
    ]);
    // A second live instance claiming L1: the command centre's own alert, raised once, from PostgreSQL.
    const twin = { ...k, instance: randomUUID() };
    await send(client, twin, 'status', status(twin, Date.now()), true);
    await waitFor(() => cc.aggregator.stats.conflicts === 1, 'the kiosk id claimed twice');
    const alerts = (await cc.store.snapshot(Date.now())).alerts.filter((a) => a.kind === 'kiosk-id-conflict');
    expect(alerts).toEqual([expect.objectContaining({ instances: [k.instance, twin.instance].sort() })]);
    const totals = await viewer.get<{ checkpoint: string }[]>('/api/totals');
    expect(totals.map((t) => t.checkpoint)).toContain('PG-DASH');
  }, 60_000);
});
