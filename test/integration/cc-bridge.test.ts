// The broker topology a city runs (deploy/mosquitto/): a Mosquitto per district, each bridged to the
// city's, where the aggregators are. Real processes, with the bridge files of the repository (only the
// city's address and the TLS files differ): kiosks on their district's broker are counted exactly and
// receipted across the bridge, and a document signed and published at the city reaches a kiosk's
// subscription on a district broker, retained and verifiable; a district's config stays in its district.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetKiosks, mqttBase } from '../../command-centre/server/fleet.js';
import type { SimKiosk } from '../../command-centre/server/fleet-kiosk.js';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { verifyDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { FakeClock } from '../fixtures/clock.js';
import { type MosquittoHandle, retainedMessage, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/mosquitto/', import.meta.url));
const DISTRICTS = ['01-001', '01-002'];
const root = generateKeyPair();
let city: MosquittoHandle;
const district = new Map<string, MosquittoHandle>();
let centre: RunningCommandCentre;
let kiosks: SimKiosk[] = [];
const clock = new FakeClock(Date.UTC(2026, 11, 5, 4, 0, 0));
/** The aggregator's least time between two receipts to one kiosk instance (its default). */
const RECEIPT_INTERVAL_MS = 1000;

/** The repository's bridge file for a district, pointed at the test's city broker, without TLS. */
function bridgeConfig(code: string, cityPort: number): string {
  return readFileSync(`${DEPLOY}district-${code}-bridge.conf`, 'utf8')
    .split('\n')
    .filter((line) => !/^bridge_(cafile|certfile|keyfile)\b/.test(line))
    .map((line) => (line.startsWith('address ') ? `address 127.0.0.1:${cityPort}` : line))
    .join('\n');
}

/** Every message arriving on a broker for `topics`, in order, from a subscription made now. */
async function watch(
  broker: MosquittoHandle,
  topics: string[],
): Promise<{ got: { topic: string; payload: string }[]; close(): Promise<void> }> {
  const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  const got: { topic: string; payload: string }[] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync(topics, { qos: 1 });
  return { got, close: () => client.endAsync() };
}

beforeAll(async () => {
  city = await startMosquitto({ extraConfig: 'max_queued_messages 100000' });
  for (const code of DISTRICTS) {
    district.set(code, await startMosquitto({ extraConfig: bridgeConfig(code, city.port) }));
  }
  centre = await startCommandCentre({
    urls: [city.url],
    database: tempDbPath(),
    clientId: `cc-city-${randomUUID()}`,
    http: false,
    reconnectMs: 100,
    signingKeyPem: root.privatePem,
    now: clock.now,
    timers: clock,
  });
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected');
}, 60_000);

afterAll(async () => {
  await Promise.all(kiosks.map((k) => k.leave('goodbye').catch(() => {})));
  await centre?.stop({ retire: true });
  for (const b of district.values()) await b.stop();
  await city?.stop();
  removeTempDirs();
});

describe('district brokers bridged to the city', () => {
  it('counts kiosks on district brokers exactly, and receipts them across the bridge', async () => {
    // Checkpoint i is in district i: two checkpoints of two kiosks, one on each district broker.
    kiosks = fleetKiosks({
      count: 2,
      kiosksPerCheckpoint: 2,
      prefix: 'BR',
      seed: 9,
      windowMs: 60_000,
      receiptTimeoutMs: 60_000,
      now: clock.now,
    });
    expect(kiosks.map((k) => k.scope.district).sort()).toEqual(['01-001', '01-001', '01-002', '01-002']);
    await Promise.all(
      kiosks.map((k) =>
        k.connect(district.get(k.scope.district)!.url, { ...mqttBase({}), reconnectPeriod: 100 }),
      ),
    );
    // The aggregator's retained presence comes down each bridge.
    await waitFor(() => kiosks.every((k) => k.ccOnline), 'kiosks see the command centre', 15_000);
    for (let w = 0; w < 3; w++) {
      for (const [i, k] of kiosks.entries()) k.tick(clock.now(), 4 + i + w);
      clock.advance(60_000);
    }
    for (const k of kiosks) k.flushWindow();
    // Everything the kiosks wrote is stored at the city; then the receipts held back for their second go.
    const sent = kiosks.reduce((n, k) => n + k.totals.lastSeq, 0);
    await waitFor(() => centre.aggregator.stats.counted >= sent, 'every message stored', 15_000);
    clock.advance(RECEIPT_INTERVAL_MS);
    await waitFor(() => kiosks.every((k) => k.unreceipted === 0), 'every kiosk receipted', 15_000);
    expect(centre.aggregator.stats.counted).toBe(sent);
    const rows = centre.ledger.totals();
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
      expect(centre.ledger.receipt(centre.ledger.findKiosk(k.scope, k.instance)!)).toEqual({
        upTo: k.totals.lastSeq,
        also: [],
      });
    }
    // Statuses (retained) went up too: the city knows every kiosk online.
    const view = centre.ledger.snapshot(clock.now()).checkpoints.flatMap((c) => c.kiosks);
    expect(view.filter((v) => v.online)).toHaveLength(4);
  }, 90_000);

  it('brings a document published at the city to a kiosk on a district broker, retained', async () => {
    const zonesTopic = 'ckpt/v2/all/zones';
    const configTopic = 'ckpt/v2/01-002/BR-0002/all/config';
    // Published at the city after the documents, to a topic only 01-001's bridge carries down: once it
    // is at 01-001, whatever the city sent that bridge before it is there too.
    const marker = 'ckpt/v2/01-001/BR-MARK/L1/command';
    const watches = new Map<string, Awaited<ReturnType<typeof watch>>>();
    for (const code of DISTRICTS) {
      watches.set(code, await watch(district.get(code)!, [zonesTopic, configTopic, marker]));
    }
    const arrived = (code: string, topic: string) => watches.get(code)!.got.some((m) => m.topic === topic);
    try {
      const nowS = Math.floor(Date.now() / 1000);
      const zones = { version: 7, issued: nowS, default: 'green', zones: { '01-002-00040': 'red' } };
      await centre.aggregator.publish({ kind: 'zones', payload: zones });
      const config = await centre.aggregator.publish({
        kind: 'config',
        district: '01-002',
        payload: { version: 2, issued: nowS, checkpoint: 'BR-0002', policy: { curfew: ['22:00', '05:00'] } },
      });
      expect(config.topic).toBe(configTopic);
      const atCity = await mqtt.connectAsync(city.url, { protocolVersion: 5 });
      await atCity.publishAsync(marker, 'marker', { qos: 1 });
      await atCity.endAsync();

      const rootKey = loadPublicKey(root.publicPem);
      for (const code of DISTRICTS) {
        await waitFor(() => arrived(code, zonesTopic), `zones at ${code}`);
        const jws = await retainedMessage(district.get(code)!.url, zonesTopic);
        expect(jws).not.toBeNull();
        expect(await verifyDocument(jws!, 'zones', rootKey)).toEqual(zones);
      }
      // A district's config crosses only its own bridge.
      await waitFor(() => arrived('01-002', configTopic), 'the config at 01-002');
      expect(await retainedMessage(district.get('01-002')!.url, configTopic)).not.toBeNull();
      await waitFor(() => arrived('01-001', marker), 'the marker at 01-001');
      expect(arrived('01-001', configTopic)).toBe(false);
      expect(await retainedMessage(district.get('01-001')!.url, configTopic)).toBeNull();
    } finally {
      for (const w of watches.values()) await w.close();
    }
  }, 60_000);
});
