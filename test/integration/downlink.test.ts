// The signed downlink on a real Mosquitto, through a real Kiosk: documents published (retained) by the
// command centre apply and the next scan reflects them; forged, stale and garbage documents change
// nothing and are acked applied:false; a restart keeps what was applied without acking it again.
import { createHash, randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { AckPayload, StatusPayload } from '../../src/contract/mqtt.js';
import { Kiosk } from '../../src/kiosk.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import {
  checkpoint,
  makeIssuer,
  makePermit,
  makeTrust,
  signedTrust,
  T0,
  T0S,
  trustPayload,
} from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import {
  type Receipter,
  type Subscriber,
  startProxy,
  startReceipter,
  subscribe,
  waitFor,
} from './uplink-helpers.js';

const BASE = 'ckpt/v2/01-009/TX-01/L1';
const root = generateKeyPair();
const forger = generateKeyPair();
const issuerA = makeIssuer();
const issuerB = makeIssuer();
const cp = checkpoint({}, { duplicateWindowSeconds: 0, antiPassback: 'off' });
const hashOf = (cti: string) => createHash('sha256').update(`01-009/${cti}`).digest('hex');

// P1 lives in a ward that turns red; P2 gets revoked; P3 is signed by an issuer added later; P4 is
// exempt (medical) until a signed config removes the exemptions.
const P1 = makePermit(issuerA, { cti: 'P-1' });
const P2 = makePermit(issuerA, { cti: 'P-2' }, { home: '01-001' });
const P3 = makePermit(issuerB, { cti: 'P-3' }, { home: '01-001' });
const P4 = makePermit(issuerA, { cti: 'P-4' }, { pur: 'medical' });

let broker: MosquittoHandle;
let publisher: MqttClient;
let acks: Subscriber;
let receipts: Receipter;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  publisher = await connectAsync(broker.url, { clientId: 'command-centre-test' });
  acks = await subscribe(broker.url, `${BASE}/ack`);
  receipts = await startReceipter(broker.url);
});
afterAll(async () => {
  await acks?.close();
  await receipts?.close();
  await publisher?.endAsync();
  await broker?.stop();
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function startKiosk(database: string, now = () => T0, url = broker.url): Promise<Kiosk> {
  const kiosk = new Kiosk({
    checkpoint: cp,
    root: loadPublicKey(root.publicPem),
    trust: makeTrust([{ issuer: issuerA }]),
    trustFile: { jws: await signedTrust([{ issuer: issuerA }], root.privatePem), path: 'trust.jws' },
    database,
    serial: null,
    mqtt: { urls: [url], summaryWindowSeconds: 60 },
    http: false,
    now,
  });
  await kiosk.start();
  cleanups.push(() => kiosk.stop());
  return kiosk;
}

const sign = (kind: Parameters<typeof signDocument>[0], payload: unknown, key = root.privatePem) =>
  signDocument(kind, payload, key);

async function publish(topic: string, payload: string | Buffer, retain = true): Promise<void> {
  await publisher.publishAsync(topic, payload, { qos: 1, retain });
}

/** Each ack once: a kiosk may publish one again (same id) until the command centre receipts it. */
function ackList(): AckPayload[] {
  const seen = new Set<string>();
  return acks
    .on('/ack')
    .map((m) => AckPayload.parse(m.json))
    .filter((a) => !seen.has(a.id) && seen.add(a.id));
}

async function ackOf(typ: string, version: number | string, from = 0): Promise<AckPayload> {
  return waitFor(
    () =>
      ackList()
        .slice(from)
        .find((a) => a.typ === typ && a.version === version),
    `ack ${typ} v${version}`,
  );
}

const reasons = (kiosk: Kiosk, text: string) => kiosk.scan(text, 'api').reasons;

describe('downlink on a real Mosquitto', () => {
  let database: string;

  it('retained documents signed by the root apply, and the next scan reflects them', async () => {
    database = tempDbPath();
    const kiosk = await startKiosk(database);
    // The trust list file of kiosk.json was imported at start.
    expect(
      kiosk
        .currentDocuments()
        ?.heldDocuments()
        .map((d) => [d.slot, d.version]),
    ).toEqual([['trust', 1]]);
    expect(kiosk.currentDocuments()?.log(1)[0]).toMatchObject({ source: 'file:trust.jws', applied: true });
    expect(kiosk.scan(P1, 'api').decision).toBe('ALLOW');
    expect(reasons(kiosk, P2)).toEqual([]);
    expect(reasons(kiosk, P3)).toEqual(['UNKNOWN_ISSUER']);
    expect(reasons(kiosk, P4)).toEqual([]);

    // A 30,000-entry full list (~2 MiB): read in the worker thread, as a city-wide list would be.
    const bulk = Array.from({ length: 30_000 }, () => randomBytes(32).toString('hex'));
    await publish(
      'ckpt/v2/all/revocations',
      await sign('revocations', {
        version: 1,
        issued: T0S - 60,
        mode: 'full',
        add: [...bulk, hashOf('P-2')],
      }),
    );
    await publish(
      'ckpt/v2/all/zones',
      await sign('zones', {
        version: 1,
        issued: T0S - 60,
        default: 'green',
        zones: { '01-009-00343': 'red' },
      }),
    );
    await publish(
      'ckpt/v2/all/trust',
      await sign('trust', trustPayload([{ issuer: issuerA }, { issuer: issuerB }], 2)),
    );
    await publish(
      'ckpt/v2/01-009/all/config',
      await sign('config', { version: 1, issued: T0S - 60, checkpoint: '*', policy: { exemptPurposes: [] } }),
    );
    for (const [typ, v] of [
      ['vnp-revocations+jws', 1],
      ['vnp-zones+jws', 1],
      ['vnp-trust+jws', 2],
      ['vnp-config+jws', 1],
    ] as const) {
      expect(await ackOf(typ, v)).toMatchObject({ schema: 'ckpt.ack/2', typ, version: v, applied: true });
    }
    expect(kiosk.scan(P1, 'api')).toMatchObject({ decision: 'DENY', reasons: ['ORIGIN_HIGH_RISK'] });
    expect(kiosk.scan(P2, 'api')).toMatchObject({ decision: 'DENY', reasons: ['REVOKED'] });
    expect(kiosk.scan(P3, 'api')).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(kiosk.scan(P4, 'api')).toMatchObject({ decision: 'DENY', reasons: ['ORIGIN_HIGH_RISK'] });
    expect(kiosk.currentDocuments()?.current().revocations.size).toBe(30_001);
  });

  it('forged, stale, mis-typed and garbage documents change nothing and are acked applied:false', async () => {
    const kiosk = await startKiosk(database);
    const from = ackList().length;
    const before = kiosk.currentDocuments()?.current();
    const bad: [string, string | Buffer, string, number | string][] = [
      [
        'ckpt/v2/all/zones',
        await sign('zones', { version: 9, issued: T0S, zones: {} }, forger.privatePem),
        'SIGNATURE_INVALID',
        9,
      ],
      ['ckpt/v2/all/zones', await sign('zones', { version: 1, issued: T0S, zones: {} }), 'STALE', 1],
      ['ckpt/v2/all/zones', await sign('trust', trustPayload([{ issuer: issuerB }], 10)), 'WRONG_TYPE', 10],
      ['ckpt/v2/all/trust', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'NOT_UTF8', 'unknown'],
      ['ckpt/v2/all/trust', 'hello, kiosk', 'MALFORMED', 'unknown'],
      [
        'ckpt/v2/all/revocations/delta',
        await sign('revocations', { version: 7, issued: T0S, mode: 'delta', base: 6, add: [hashOf('P-1')] }),
        'FULL_LIST_NEEDED',
        7,
      ],
      [
        `${BASE}/config`,
        await sign('config', {
          version: 3,
          issued: T0S,
          checkpoint: 'TX-02',
          policy: { exemptPurposes: ['work'] },
        }),
        'NOT_THIS_CHECKPOINT',
        3,
      ],
    ];
    // Not retained: a retained forgery would be refused again at every reconnect (bounded, but noisy).
    // So published only once the broker has acknowledged the kiosk's subscriptions, or it never hears them.
    await waitFor(() => kiosk.status().uplink.subscribed, 'the kiosk subscribed', 20_000);
    for (const [topic, payload] of bad) await publish(topic, payload, false);
    await waitFor(() => ackList().length >= from + bad.length, 'one ack per bad document');
    const got = ackList().slice(from);
    expect(got.map((a) => [a.error, a.version, a.applied])).toEqual(
      bad.map(([, , code, v]) => [code, v, false]),
    );
    expect(got.map((a) => a.typ)).toEqual([
      'vnp-zones+jws',
      'vnp-zones+jws',
      'vnp-zones+jws',
      'vnp-trust+jws',
      'vnp-trust+jws',
      'vnp-revocations+jws',
      'vnp-config+jws',
    ]);
    // Nothing changed: the same snapshot object, and the same verdicts.
    expect(kiosk.currentDocuments()?.current()).toBe(before);
    expect(reasons(kiosk, P1)).toEqual(['ORIGIN_HIGH_RISK']);
    expect(reasons(kiosk, P2)).toEqual(['REVOKED']);
    const refused = kiosk.currentDocuments()?.log(bad.length) ?? [];
    expect(refused.every((e) => !e.applied && e.source.startsWith('mqtt:') && e.error?.vi)).toBe(true);
    // Each decision is also an event of the audit hash chain, which still verifies.
    const db = kiosk.currentStore()!.db;
    const audited = db
      .prepare("SELECT details FROM audit_events WHERE kind = 'document' ORDER BY seq DESC LIMIT ?")
      .all(bad.length) as { details: string }[];
    expect(audited.map((a) => JSON.parse(a.details).error).reverse()).toEqual(bad.map(([, , code]) => code));
    expect(verifyLogSync(db).ok).toBe(true);
  });

  it('after a restart the documents are held at once; retained copies are not acked again; a slow clock is flagged', async () => {
    // The kiosk clock is an hour behind the command centre's newest document.
    const kiosk = await startKiosk(database, () => T0 - 3_600_000);
    const from = ackList().length;
    expect(kiosk.scan(P2, 'api')).toMatchObject({
      decision: 'DENY',
      reasons: ['REVOKED', 'CLOCK_UNTRUSTED'],
    });
    expect(kiosk.scan(P3, 'api')).toMatchObject({ decision: 'REVIEW', reasons: ['CLOCK_UNTRUSTED'] });

    const status = await subscribe(broker.url, `${BASE}/status`);
    cleanups.push(() => status.close());
    const skew = await waitFor(
      () =>
        status.messages
          .map((m) => StatusPayload.safeParse(m.json))
          .find((r) => r.success && (r.data.clockSkewMs ?? 0) < 0),
      'a status with a negative clockSkewMs',
    );
    expect(skew.data?.clockSkewMs).toBe(-(3600 - 60) * 1000);

    // A new document after the retained ones: by the time its ack arrives, any ack for a retained copy
    // would have arrived before it (one connection, acks queued in order).
    await publish(
      'ckpt/v2/all/zones',
      await sign('zones', { version: 2, issued: T0S - 30, zones: { '01-009-00343': 'green' } }),
    );
    await ackOf('vnp-zones+jws', 2, from);
    expect(ackList().slice(from)).toMatchObject([
      { schema: 'ckpt.ack/2', typ: 'vnp-zones+jws', version: 2, applied: true },
    ]);
    expect(reasons(kiosk, P1)).toEqual(['CLOCK_UNTRUSTED']);
  });

  it('subscribes again after every reconnection; retained copies then change nothing and are not acked', async () => {
    const proxy = await startProxy(broker.port);
    cleanups.push(() => proxy.close());
    const kiosk = await startKiosk(database, () => T0, proxy.url);
    await waitFor(() => kiosk.status().uplink.connected, 'the kiosk connected');
    const from = ackList().length;
    proxy.cutAll();
    await waitFor(() => !kiosk.status().uplink.connected, 'the connection cut');
    await waitFor(() => kiosk.status().uplink.connected, 'the kiosk reconnected', 20_000);
    // A delta is not retained: it reaches only a kiosk whose subscription the broker has acknowledged.
    await waitFor(() => kiosk.status().uplink.subscribed, 'the kiosk subscribed again', 20_000);
    await publish(
      'ckpt/v2/all/revocations/delta',
      await sign('revocations', {
        version: 2,
        issued: T0S - 20,
        mode: 'delta',
        base: 1,
        remove: [hashOf('P-2')],
      }),
      false,
    );
    await ackOf('vnp-revocations+jws', 2, from);
    expect(ackList().slice(from)).toMatchObject([
      { schema: 'ckpt.ack/2', typ: 'vnp-revocations+jws', version: 2, applied: true },
    ]);
    expect(reasons(kiosk, P2)).toEqual([]);
  });
});

afterAll(() => removeTempDirs());
