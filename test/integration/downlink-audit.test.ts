// Audit or nothing, end to end on a real Mosquitto and a real kiosk: a zone map arrives while the audit
// chain refuses writes, then while the outbox refuses the ack (SQLite triggers inject the failures).
// Each time the map does not take effect, nothing is acked, and the kiosk's status names the fault; the
// downlink tries again (its timers on a clock the test moves) and, once the writes succeed, the map
// applies and exactly one ack is published, after its commit: no ack of a rolled-back decision ever
// reaches the broker.
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { AckPayload } from '../../src/contract/mqtt.js';
import { Kiosk } from '../../src/kiosk.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import { FakeClock } from '../fixtures/clock.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0, T0S } from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { type Subscriber, subscribe, waitFor } from './uplink-helpers.js';

const BASE = 'ckpt/v2/01-009/TX-01/L1';
const root = generateKeyPair();
const issuer = makeIssuer();
const cp = checkpoint({}, { duplicateWindowSeconds: 0, antiPassback: 'off' });

let broker: MosquittoHandle;
let publisher: MqttClient;
let acks: Subscriber;
let kiosk: Kiosk;
const clock = new FakeClock(T0);

beforeAll(async () => {
  broker = await startMosquitto();
  publisher = await connectAsync(broker.url, { clientId: 'command-centre-audit-test' });
  acks = await subscribe(broker.url, `${BASE}/ack`);
  kiosk = new Kiosk({
    checkpoint: cp,
    root: loadPublicKey(root.publicPem),
    trust: makeTrust([{ issuer }]),
    database: tempDbPath(),
    serial: null,
    mqtt: { urls: [broker.url], summaryWindowSeconds: 60 },
    http: false,
    now: clock.now,
    timers: clock,
  });
  await kiosk.start();
  await waitFor(() => kiosk.status().uplink.subscribed, 'the kiosk subscribed to the downlink');
});

afterAll(async () => {
  await kiosk?.stop();
  await acks?.close();
  await publisher?.endAsync();
  await broker?.stop();
  removeTempDirs();
});

const db = () => kiosk.currentStore()!.db;
const acksSeen = () => acks.on('/ack').map((m) => AckPayload.parse(m.json));
const fault = () => kiosk.status().documents;

describe('downlink on a real Mosquitto: audit or nothing', () => {
  it('a zone map whose audit record, then whose ack, cannot be written never takes effect and is never acked until it is recorded', async () => {
    const P = makePermit(issuer, { cti: 'Z-1' });
    expect(kiosk.scan(P, 'api').reasons).toEqual([]);
    const from = acksSeen().length;

    db().exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.kind = 'document'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    const map = await signDocument(
      'zones',
      { version: 1, issued: T0S - 60, default: 'green', zones: { '01-009-00343': 'red' } },
      root.privatePem,
    );
    await publisher.publishAsync('ckpt/v2/all/zones', map, { qos: 1 });
    await waitFor(() => fault()?.ok === false, 'the status names the fault');
    expect(fault()?.fault).toMatchObject({ code: 'AUDIT_FAILED' });
    expect(fault()?.fault?.vi).toMatch(/nhật ký kiểm toán/);
    const unchanged = () => {
      expect(kiosk.currentDocuments()?.current().zones).toBeNull();
      expect(kiosk.scan(P, 'api').reasons).toEqual([]);
      expect(
        db().prepare(`SELECT count(*) AS n FROM document_log WHERE typ = 'vnp-zones+jws'`).get(),
      ).toEqual({
        n: 0,
      });
      expect(db().prepare(`SELECT count(*) AS n FROM outbox WHERE topic LIKE '%/ack'`).get()).toEqual({
        n: 0,
      });
    };
    unchanged();

    // The audit writes again, but now the outbox refuses the ack: the retry (5 s) fails the same way.
    db().exec(`DROP TRIGGER fail_audit;
      CREATE TRIGGER fail_ack BEFORE INSERT ON outbox WHEN NEW.topic LIKE '%/ack'
      BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END`);
    clock.advance(5_000);
    await waitFor(() => fault()?.fault?.code === 'STORE_FAILED', 'the ack fault reported');
    expect(fault()?.fault?.en).toMatch(/ack could not be queued/);
    unchanged();

    // Writes succeed again: the next retry (10 s later) applies the map, and its ack is published.
    db().exec('DROP TRIGGER fail_ack');
    clock.advance(10_000);
    await waitFor(
      () =>
        acksSeen()
          .slice(from)
          .find((a) => a.typ === 'vnp-zones+jws'),
      'the zone map acked',
    );
    // Acks go out in order on one connection: an ack of a rolled-back attempt would have come first.
    expect(acksSeen().slice(from)).toEqual([
      expect.objectContaining({ schema: 'ckpt.ack/2', typ: 'vnp-zones+jws', version: 1, applied: true }),
    ]);
    expect(kiosk.scan(P, 'api').reasons).toEqual(['ORIGIN_HIGH_RISK']);
    expect(fault()).toEqual({ ok: true, fault: null, since: null });
    const events = db()
      .prepare(`SELECT details FROM audit_events WHERE kind = 'document' ORDER BY seq`)
      .all() as { details: string }[];
    expect(events.map((e) => JSON.parse(e.details))).toEqual([
      expect.objectContaining({
        typ: 'vnp-zones+jws',
        version: 1,
        applied: true,
        source: 'mqtt:ckpt/v2/all/zones',
      }),
    ]);
    expect(verifyLogSync(db()).ok).toBe(true);
  });
});
