// The command centre's operators on a real PostgreSQL (Debian's, started here), under two aggregators
// sharing it: an account made at one logs in at the other and sees its district only; a trust list asked
// for at one waits for a second publisher at the other, every step in one audit chain that verifies;
// sessions and lockouts are the database's, not an aggregator's; appends racing from two aggregators
// extend one chain, never fork it. The clock is the test's.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Operators } from '../../command-centre/server/operators.js';
import { type RunningCentre, startCommandCentreOn } from '../../command-centre/server/run.js';
import { PgStore } from '../../command-centre/server/store-pg.js';
import type { CheckpointTotalsRow, Snapshot } from '../../command-centre/server/types.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { event, kioskId, send, status, summary } from '../fixtures/cc-messages.js';
import { addAccount, CcClient, TEST_OPERATOR_OPTIONS } from '../fixtures/cc-operators.js';
import { FakeClock } from '../fixtures/clock.js';
import { makeIssuer, trustPayload } from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { type PostgresHandle, startPostgres } from '../helpers/postgres.js';
import { waitFor } from './uplink-helpers.js';

const HK = '01-001';
const BD = '01-002';
const root = generateKeyPair();
const clock = new FakeClock(Date.now());
let broker: MosquittoHandle;
let db: PostgresHandle;
let url: string;
let a: RunningCentre;
let b: RunningCentre;

interface AuditPage {
  entries: { id: number; kind: string; userName: string | null; details: Record<string, unknown> }[];
  chain: { entries: number; firstBad: number | null };
}

async function centre(name: string): Promise<RunningCentre> {
  const cc = await startCommandCentreOn({
    urls: [broker.url],
    database: url,
    clientId: `cc-${name}-${randomUUID()}`,
    http: { host: '127.0.0.1', port: 0 },
    signingKeyPem: root.privatePem,
    operators: { ...TEST_OPERATOR_OPTIONS, lockoutAttempts: 3 },
    now: clock.now,
  });
  await waitFor(() => cc.aggregator.state().connected, `aggregator ${name} connected`);
  return cc;
}

async function client(cc: RunningCentre, name: string): Promise<CcClient> {
  const c = new CcClient(cc.url!);
  const r = await c.login(name);
  if (r.status !== 200) throw new Error(`login ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  return c;
}

beforeAll(async () => {
  [broker, db] = await Promise.all([startMosquitto({ persistence: false }), startPostgres()]);
  url = await db.createDatabase('operators');
  a = await centre('a');
  b = await centre('b');
  // Made through one aggregator; the other finds them in the database they share.
  await addAccount(a, 'admin', 'admin', 'city');
  await addAccount(a, 'hk-op', 'operator', [HK]);
  await addAccount(a, 'pub1', 'publisher', 'city');
  await addAccount(a, 'pub2', 'publisher', 'city');
  const kiosk = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (const [district, allowed] of [
    [HK, 3],
    [BD, 5],
  ] as const) {
    const k = kioskId('L1', `CP-${district}`, district);
    await send(kiosk, k, 'status', status(k, clock.now(), { lastSeq: 2 }), true);
    await send(kiosk, k, 'summary', summary(k, 1, clock.now() - 60_000, { allowedIn: allowed }));
    await send(kiosk, k, 'event', event(k, 2, clock.now()));
  }
  await kiosk.endAsync();
  // Committed: both summaries and both events between the two aggregators (one shared subscription),
  // and both statuses at each of them (a plain subscription each).
  await waitFor(
    () =>
      a.aggregator.stats.counted + b.aggregator.stats.counted >= 4 &&
      a.aggregator.stats.received + b.aggregator.stats.received >= 8,
    'both districts stored',
  );
  const stored = await a.store.snapshot(clock.now());
  expect([stored.checkpoints.length, stored.alerts.length]).toEqual([2, 2]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop({ retire: true }), b?.stop({ retire: true })]);
  await Promise.all([broker?.stop(), db?.stop()]);
});

describe('command-centre operators on PostgreSQL', () => {
  it("shows a district's operator, logged in at another aggregator, its district only", async () => {
    const hk = await client(b, 'hk-op');
    const snap = await hk.get<Snapshot>('/api/snapshot');
    expect(snap.checkpoints.map((c) => c.district)).toEqual([HK]);
    expect(snap.districts.map((d) => d.district)).toEqual([HK]);
    expect(snap.alerts.map((x) => x.district)).toEqual([HK]);
    expect(snap.hourly.reduce((n, h) => n + h.allowed, 0)).toBe(3);
    const totals = await hk.get<CheckpointTotalsRow[]>('/api/totals');
    expect(totals.map((t) => [t.district, t.total.in.allowed])).toEqual([[HK, 3]]);
    expect((await hk.call('GET', '/api/stats')).status).toBe(403);
    // The city's admin, at either aggregator, sees both.
    const city = await (await client(a, 'admin')).get<Snapshot>('/api/snapshot');
    expect(city.checkpoints.map((c) => c.district).sort()).toEqual([HK, BD]);
  });

  it('holds a trust list asked for at one aggregator until a second publisher approves it at the other', async () => {
    const pub1 = await client(a, 'pub1');
    const pub2 = await client(b, 'pub2');
    const trust = { kind: 'trust', payload: trustPayload([{ issuer: makeIssuer() }]) };
    const asked = await pub1.call<{ pending: { id: number; state: string } }>('POST', '/api/publish', trust);
    if (asked.status !== 200) throw new Error(JSON.stringify(asked.json));
    const pending = asked.json.result!.pending;
    expect(pending.state).toBe('pending');
    expect(await b.store.lastPublishedVersion(['ckpt/v2/all/trust'])).toBeNull();
    const self = await pub1.call('POST', '/api/approvals/decide', { id: pending.id, approve: true });
    expect(self.json.error?.code).toBe('FOUR_EYES');
    expect((await pub2.get<{ id: number; state: string }[]>('/api/approvals')).map((x) => x.state)).toEqual([
      'pending',
    ]);
    const approved = await pub2.call<{ state: string; outcome: { version: number } }>(
      'POST',
      '/api/approvals/decide',
      { id: pending.id, approve: true },
    );
    expect(approved.status).toBe(200);
    expect(approved.json.result).toMatchObject({ state: 'published', outcome: { version: 1 } });
    expect(await a.store.lastPublishedVersion(['ckpt/v2/all/trust'])).toBe(1);
    // Read at the aggregator where neither step was taken: one log, one chain.
    const page = await (await client(a, 'admin')).get<AuditPage>('/api/audit?limit=500');
    expect(page.chain).toEqual({ entries: page.entries.length, firstBad: null });
    expect(
      page.entries.filter((e) => e.details.approval === pending.id).map((e) => [e.kind, e.userName]),
    ).toEqual([
      ['approval_done', 'pub2'],
      ['published', 'pub2'],
      ['publish_approve', 'pub2'],
      ['publish_request', 'pub1'],
    ]);
    expect(page.entries.some((e) => e.kind === 'forbidden' && e.details.code === 'FOUR_EYES')).toBe(true);
  });

  it('keeps sessions and lockouts in the database: they hold at every aggregator', async () => {
    await addAccount(b, 'clumsy', 'viewer', [BD]);
    // Wrong passwords at both aggregators count towards one lockout.
    const atA = new CcClient(a.url!);
    const atB = new CcClient(b.url!);
    expect((await atA.login('clumsy', 'wrong-password')).status).toBe(401);
    expect((await atB.login('clumsy', 'wrong-password')).status).toBe(401);
    expect((await atA.login('clumsy', 'wrong-password')).status).toBe(429);
    expect((await atB.login('clumsy')).status).toBe(429);
    clock.advance(5 * 60_000 + 1);
    expect((await atB.login('clumsy')).status).toBe(200);
    // A publisher's session opened at one aggregator is good at the other, and idle 30 minutes, at neither.
    const pub = await client(a, 'pub1');
    const cookie = { Cookie: pub.cookieHeader };
    expect((await fetch(new URL('/api/session', b.url!), { headers: cookie })).status).toBe(200);
    clock.advance(30 * 60_000 + 1);
    expect((await fetch(new URL('/api/session', b.url!), { headers: cookie })).status).toBe(401);
    expect((await fetch(new URL('/api/session', a.url!), { headers: cookie })).status).toBe(401);
  });

  it('extends one chain when two aggregators append at the same moment, and names an edited entry', async () => {
    const [s1, s2] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
    try {
      const ops = [s1, s2].map((s) => new Operators(s.operatorStore(), { now: clock.now }));
      const before = await s1.operatorStore().verifyAudit();
      expect(before.firstBad).toBeNull();
      // 2 × 40 appends in flight at once, from two pools of connections.
      const appended = await Promise.all(
        Array.from({ length: 80 }, (_, i) => ops[i % 2]!.audit('race', null, { i, districts: [HK] })),
      );
      const ids = appended.map((e) => e.id).sort((x, y) => x - y);
      expect(ids).toEqual(Array.from({ length: 80 }, (_, i) => before.entries + 1 + i));
      expect(await s2.operatorStore().verifyAudit()).toEqual({
        entries: before.entries + 80,
        firstBad: null,
      });
      // An entry edited in the database is found, by its id.
      const edited = ids[40]!;
      await s1.pool.query(`UPDATE cc_audit SET details = '{"i":-1}' WHERE id = $1`, [edited]);
      expect(await s2.operatorStore().verifyAudit()).toEqual({ entries: edited, firstBad: edited });
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  }, 60_000);
});
