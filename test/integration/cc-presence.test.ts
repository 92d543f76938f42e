// The command centre's view of the shared history (spec/policy.md "Shared history"), with real kiosks
// (SQLite logs, outboxes, uplinks), a real Mosquitto and the aggregator: the people inside each green
// zone and locked-down area equal a replay of the kiosks' own logs after a thousand movements through
// several kiosks with the command centre down for part of them; and a kiosk's offline backlog that
// arrives late and shows one permit entering twice raises the late-passback alert, once.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import type { CheckpointKind } from '../../src/contract/checkpoint.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import type { Direction } from '../../src/contract/reasons.js';
import { Kiosk } from '../../src/kiosk.js';
import { LET_THROUGH_SQL } from '../../src/store/final-decision.js';
import { FakeClock } from '../fixtures/clock.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust } from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { startProxy, stepUntilConnected, type TcpProxy, waitFor } from './uplink-helpers.js';

const issuer = makeIssuer();
const root = generateKeyPair();
const clock = new FakeClock(Date.UTC(2026, 11, 5, 2, 0, 0));
const nowS = Math.floor(clock.now() / 1000);
const trust = makeTrust([{ issuer, validFrom: nowS - 86_400, validTo: nowS + 10 * 86_400 }]);
const GREEN = '01-009-00337';
const LOCKED = '01-009-00340';

let broker: MosquittoHandle;
let centre: RunningCommandCentre;
let ccDb: string;
const kiosks: Kiosk[] = [];
/** Each kiosk's MQTT scope: its messages' place in the command centre's ledger. */
const scopes = new Map<Kiosk, TopicScope>();
const dbs: string[] = [];

async function cc(): Promise<RunningCommandCentre> {
  const c = await startCommandCentre({
    urls: [broker.url],
    database: ccDb,
    clientId: `cc-presence-${randomUUID()}`,
    http: false,
    reconnectMs: 200,
    now: clock.now,
    timers: clock,
  });
  await waitFor(() => c.aggregator.state().connected, 'aggregator connected');
  return c;
}

async function kiosk(id: string, kioskId: string, area: string, kind: CheckpointKind, url = broker.url) {
  const database = tempDbPath();
  const config = checkpoint({ id, area, kind, lanes: ['1', '2'] }, { duplicateWindowSeconds: 0 });
  const k = new Kiosk({
    checkpoint: config,
    root: loadPublicKey(root.publicPem),
    trust,
    database,
    serial: null,
    mqtt: { urls: [url], summaryWindowSeconds: 60, receiptTimeoutSeconds: 60 },
    http: false,
    kioskId,
    now: clock.now,
    timers: clock,
  });
  await k.start();
  await onDuty(k);
  kiosks.push(k);
  scopes.set(k, { district: config.checkpoint.district, checkpoint: id, kiosk: kioskId });
  dbs.push(database);
  return k;
}

beforeAll(async () => {
  // Nothing is dropped by a full queue: what the kiosks send again comes from the command centre
  // coming back, which is what is tested.
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 100000' });
  ccDb = tempDbPath();
  centre = await cc();
});
afterAll(async () => {
  for (const k of kiosks) await k.stop().catch(() => undefined);
  await centre?.stop({ retire: true });
  await broker?.stop();
  removeTempDirs();
});

/** The command centre's least time between two receipts to one kiosk (the aggregator's default). */
const RECEIPT_INTERVAL_MS = 1000;

/** The seq of the last message a kiosk wrote, when the command centre's ledger holds it and all before it. */
function heldUpTo(k: Kiosk): number | null {
  const { instance, lastSeq } = k.currentStore()!.outboxStats();
  if (lastSeq === 0) return 0;
  const id = centre.ledger.findKiosk(scopes.get(k)!, instance);
  return id !== null && centre.ledger.receipt(id).upTo === lastSeq ? lastSeq : null;
}

/**
 * Every kiosk's outbox receipted by the command centre's database. Each round waits until the ledger
 * holds everything the kiosks have written (they send it again by themselves when an aggregator comes
 * back online or they reconnect), then moves the clock past the receipt interval, so that the receipts
 * the aggregator held back go, and waits until they have deleted what the ledger held. A summary window
 * closing on the way writes one more message: one more round.
 */
async function drained(list: Kiosk[]): Promise<void> {
  for (let round = 0; list.some((k) => k.status().uplink.backlog > 0); round++) {
    if (round === 5) throw new Error('outboxes not receipted after 5 rounds');
    const held = await waitFor(
      () => {
        const upTo = list.map(heldUpTo);
        return upTo.every((n) => n !== null) && (upTo as number[]);
      },
      'the command centre holding every message the kiosks wrote',
      30_000,
    );
    clock.advance(RECEIPT_INTERVAL_MS);
    await waitFor(
      () => list.every((k, i) => k.currentStore()!.outboxPeek(0, 1, held[i]).length === 0),
      'the receipts deleting what the ledger holds',
      30_000,
    );
  }
}

/** The people inside each area, replayed from the kiosks' own logs: newest let-through passage is `in`. */
function replay(paths: string[]): Map<string, number> {
  const newest = new Map<string, { at: number; direction: Direction }>();
  for (const path of paths) {
    const db = new Database(path, { readonly: true });
    const rows = db
      .prepare(`SELECT area, permit_hash, direction, at_ms FROM passages p
        WHERE permit_hash IS NOT NULL AND ${LET_THROUGH_SQL('p')}`)
      .all() as { area: string; permit_hash: string; direction: Direction; at_ms: number }[];
    db.close();
    for (const r of rows) {
      const key = `${r.area} ${r.permit_hash}`;
      const had = newest.get(key);
      if (!had || r.at_ms > had.at) newest.set(key, { at: r.at_ms, direction: r.direction });
    }
  }
  const inside = new Map<string, number>();
  for (const [key, v] of newest) {
    const area = key.split(' ')[0]!;
    if (v.direction === 'in') inside.set(area, (inside.get(area) ?? 0) + 1);
  }
  return inside;
}

describe('people inside each area', () => {
  it('equals a replay of the kiosks’ logs after 1,000 movements, the command centre down for a while', async () => {
    const lanes = [
      await kiosk('GZ-A', 'L1', GREEN, 'green-zone'),
      await kiosk('GZ-A', 'L2', GREEN, 'green-zone'),
      await kiosk('GZ-B', 'L1', GREEN, 'green-zone'),
      await kiosk('PT-1', 'L1', LOCKED, 'lockdown'),
    ];
    const permits = Array.from({ length: 60 }, (_, i) =>
      makePermit(
        issuer,
        { cti: `MV-${i}`, iat: nowS - 3600, exp: nowS + 5 * 86_400 },
        { pur: i % 5 ? 'work' : 'medical' },
      ),
    );
    // A fixed walk: the same movements on every run.
    let seed = 12_345;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 1000; i++) {
      if (i === 400) {
        await centre.stop({ retire: true });
      }
      if (i === 700) centre = await cc();
      clock.advance(1000);
      const k = lanes[Math.floor(next() * lanes.length)]!;
      const direction: Direction = next() < 0.55 ? 'in' : 'out';
      k.scan(permits[Math.floor(next() * permits.length)]!, 'api', { direction });
    }
    await drained(lanes);
    const expected = replay(dbs.slice(0, 4));
    const areas = new Map(centre.ledger.areas().map((a) => [a.area, a]));
    expect(areas.get(GREEN)?.inside).toBe(expected.get(GREEN) ?? 0);
    expect(areas.get(LOCKED)?.inside).toBe(expected.get(LOCKED) ?? 0);
    expect(expected.get(GREEN)).toBeGreaterThan(0);
    expect(areas.get(GREEN)?.checkpoints).toEqual([
      { district: '01-009', checkpoint: 'GZ-A', kiosks: 2 },
      { district: '01-009', checkpoint: 'GZ-B', kiosks: 1 },
    ]);
    expect(areas.get(LOCKED)?.kind).toBe('lockdown');
  }, 300_000);
});

describe('late passback', () => {
  let gate: TcpProxy;
  afterAll(async () => gate?.close());

  it('is raised once when an offline kiosk’s backlog shows a permit entering twice', async () => {
    gate = await startProxy(broker.port);
    const here = await kiosk('LP-1', 'L1', '01-009-00350', 'green-zone');
    const away = await kiosk('LP-2', 'L1', '01-009-00350', 'green-zone', gate.url);
    await waitFor(() => away.status().uplink.connected, 'away connected');
    gate.accepting = false;
    gate.cutAll();
    await waitFor(() => !away.status().uplink.connected, 'away offline');

    const p = makePermit(issuer, { cti: 'LATE-1', iat: nowS - 3600, exp: nowS + 5 * 86_400 });
    clock.advance(1000);
    expect(here.scan(p, 'api', { direction: 'in' }).decision).toBe('ALLOW');
    clock.advance(1000);
    // The offline kiosk cannot know: it lets the permit in again, and its backlog waits.
    expect(away.scan(p, 'api', { direction: 'in' }).decision).toBe('ALLOW');
    await drained([here]);
    const late = () =>
      centre.ledger
        .snapshot(clock.now())
        .alerts.filter((a) => a.kind === 'late-passback' && a.checkpoint.startsWith('LP-'));
    expect(late()).toEqual([]);

    // What the away kiosk delivers is captured as the broker passes it on, to be delivered once more.
    const tap = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const delivered: { topic: string; payload: Buffer }[] = [];
    tap.on('message', (topic, payload) => delivered.push({ topic, payload }));
    await tap.subscribeAsync('ckpt/v2/01-009/LP-2/L1/passage', { qos: 1 });
    clock.advance(10 * 60_000);
    gate.accepting = true;
    await stepUntilConnected(clock, () => away.status().uplink.connected, 'away connected again');
    await drained([away]);
    await waitFor(() => late().length === 1, 'late passback raised');
    const [alert] = late();
    expect(alert).toMatchObject({ checkpoint: 'LP-2', kiosk: 'L1', alert: 'late-passback' });
    expect(alert!.passback?.entries.map((e) => e.checkpoint)).toEqual(['LP-1', 'LP-2']);

    // Its passages delivered again, as a broker may after a reconnect: counted as duplicates, still one
    // alert.
    expect(delivered.length).toBeGreaterThan(0);
    const duplicates = centre.aggregator.stats.duplicates;
    await tap.endAsync();
    // From a client of its own: published by the tap, whose subscription matches, the PUBACK never came.
    const again = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    for (const m of delivered) await again.publishAsync(m.topic, m.payload, { qos: 1 });
    await again.endAsync();
    await waitFor(
      () => centre.aggregator.stats.duplicates >= duplicates + delivered.length,
      'the passages delivered again, taken as duplicates',
    );
    expect(late()).toHaveLength(1);
  }, 60_000);
});
