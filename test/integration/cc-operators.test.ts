// The command centre's operators: every API route but login and health is closed without a session
// (the route table walked); a district's operator sees its district only, in every answer and in the
// stream; a viewer cannot publish; a trust list waits for a second publisher; logins, refusals,
// approvals, publications and account changes are in a hash chain an admin reads; HTTPS beyond loopback.
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../command-centre/server/api-routes.js';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import type { CheckpointTotalsRow, Snapshot } from '../../command-centre/server/types.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { makeKioskCerts } from '../../src/host/certs.js';
import { event, kioskId, send, status, summary } from '../fixtures/cc-messages.js';
import { addAccount, CcClient, TEST_OPERATOR_OPTIONS } from '../fixtures/cc-operators.js';
import { makeIssuer, trustPayload } from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const root = generateKeyPair();
const nowS = Math.floor(Date.now() / 1000);
const HK = '01-001';
const BD = '01-002';
let broker: MosquittoHandle;
let centre: RunningCommandCentre;
const as: Record<string, CcClient> = {};

interface AuditPage {
  entries: { id: number; kind: string; userName: string | null; details: Record<string, unknown> }[];
  chain: { entries: number; firstBad: number | null };
}

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: tempDbPath(),
    clientId: `cc-ops-${randomUUID()}`,
    http: { host: '127.0.0.1', port: 0 },
    signingKeyPem: root.privatePem,
    operators: { ...TEST_OPERATOR_OPTIONS, lockoutAttempts: 3 },
  });
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected');
  await addAccount(centre, 'admin', 'admin', 'city');
  await addAccount(centre, 'hk-admin', 'admin', [HK]);
  await addAccount(centre, 'city-op', 'operator', 'city');
  await addAccount(centre, 'hk-op', 'operator', [HK]);
  await addAccount(centre, 'viewer', 'viewer', 'city');
  await addAccount(centre, 'pub1', 'publisher', 'city');
  await addAccount(centre, 'pub2', 'publisher', 'city');
  for (const n of ['admin', 'hk-admin', 'city-op', 'hk-op', 'viewer', 'pub1', 'pub2']) {
    as[n] = new CcClient(centre.url!);
    expect((await as[n].login(n)).status).toBe(200);
  }
  // One checkpoint in each district, each with counts and a denial.
  const kiosk = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (const [district, allowed] of [
    [HK, 3],
    [BD, 5],
  ] as const) {
    const k = kioskId('L1', `CP-${district}`, district);
    await send(kiosk, k, 'status', status(k, Date.now(), { lastSeq: 2 }), true);
    await send(kiosk, k, 'summary', summary(k, 1, Date.now() - 60_000, { allowedIn: allowed }));
    await send(kiosk, k, 'event', event(k, 2, Date.now()));
  }
  await kiosk.endAsync();
  await waitFor(
    () => centre.ledger.totals().length === 2 && centre.ledger.snapshot(Date.now()).alerts.length === 2,
    'both districts',
  );
});
afterAll(async () => {
  await centre?.stop({ retire: true });
  await broker?.stop();
  removeTempDirs();
});

async function audit(by = as.admin!): Promise<AuditPage> {
  return (await by.get<{ result?: AuditPage } & AuditPage>('/api/audit?limit=500')) as AuditPage;
}

describe('command-centre operators', () => {
  it('answers 401 to every API route without a session, and to a dead session', async () => {
    const anon = new CcClient(centre.url!);
    const routes = Object.entries(API_ROUTES);
    expect(routes.filter(([, need]) => need === 'public').map(([r]) => r)).toEqual([
      'GET /api/health',
      'POST /api/login',
    ]);
    for (const [route, need] of routes) {
      if (need === 'public') continue;
      const [method, path] = route.split(' ') as [string, string];
      const r = await anon.call(method, path, method === 'GET' ? undefined : {});
      expect(r.status, route).toBe(401);
      expect(r.json.error?.code, route).toBe('UNAUTHENTICATED');
    }
    // An unknown address tells a stranger nothing either, and a forged cookie is no session.
    expect((await anon.call('GET', '/api/nothing-here')).status).toBe(401);
    const forged = await anon.call('GET', '/api/snapshot', undefined, {
      Cookie: `cc_session=${'x'.repeat(43)}`,
    });
    expect(forged.status).toBe(401);
    expect(forged.json.error?.code).toBe('SESSION_EXPIRED');
    // Logged out, the same cookie opens nothing.
    const gone = new CcClient(centre.url!);
    const login = await gone.login('viewer');
    // HttpOnly and SameSite=Strict: no page script reads it, no other site's page sends it.
    expect(login.headers.get('set-cookie')).toMatch(
      /^cc_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=86400$/,
    );
    expect((await gone.call('POST', '/api/logout', {})).status).toBe(200);
    expect((await gone.call('GET', '/api/snapshot')).status).toBe(401);
  });

  it('shows a district operator its district only: snapshot, totals, alerts, kiosks and stream', async () => {
    const city = await as['city-op']!.get<Snapshot>('/api/snapshot');
    expect(city.checkpoints.map((c) => c.district).sort()).toEqual([HK, BD]);
    const hk = await as['hk-op']!.get<Snapshot>('/api/snapshot');
    expect(hk.checkpoints.map((c) => c.district)).toEqual([HK]);
    expect(hk.districts.map((d) => d.district)).toEqual([HK]);
    expect(hk.alerts.map((a) => a.district)).toEqual([HK]);
    expect(hk.rejected).toEqual([]);
    expect(hk.hourly.reduce((n, h) => n + h.allowed, 0)).toBe(3);
    expect(city.hourly.reduce((n, h) => n + h.allowed, 0)).toBe(8);
    const totals = await as['hk-op']!.get<CheckpointTotalsRow[]>('/api/totals');
    expect(totals.map((t) => [t.district, t.total.in.allowed])).toEqual([[HK, 3]]);
    expect((await as['hk-op']!.get<{ district: string }[]>('/api/alerts')).map((a) => a.district)).toEqual([
      HK,
    ]);
    expect((await as['hk-op']!.get<{ district: string }[]>('/api/kiosks')).map((a) => a.district)).toEqual([
      HK,
    ]);
    expect((await as['hk-op']!.call('GET', '/api/stats')).status).toBe(403);

    const res = await fetch(new URL('/api/stream', centre.url!), {
      headers: { Cookie: as['hk-op']!.cookieHeader },
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!/data: \{.*\}\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const frame = JSON.parse(/data: (\{.*\})\n\n/.exec(text)![1]!) as Snapshot;
    expect(frame.checkpoints.map((c) => c.district)).toEqual([HK]);
    expect(frame.alerts.map((a) => a.district)).toEqual([HK]);
  });

  it('lets an operator acknowledge an alert of its district only, audited', async () => {
    const city = await as['city-op']!.get<Snapshot>('/api/snapshot');
    const hkAlert = city.alerts.find((a) => a.district === HK)!;
    const bdAlert = city.alerts.find((a) => a.district === BD)!;
    expect((await as['hk-op']!.call('POST', '/api/alerts/ack', { seq: bdAlert.seq })).status).toBe(403);
    expect((await as.viewer!.call('POST', '/api/alerts/ack', { seq: hkAlert.seq })).status).toBe(403);
    expect((await as['hk-op']!.call('POST', '/api/alerts/ack', { seq: hkAlert.seq })).status).toBe(200);
    const after = await as['hk-op']!.get<Snapshot>('/api/snapshot');
    expect(after.alerts[0]).toMatchObject({ seq: hkAlert.seq, ackedBy: 'hk-op' });
    // A POST without the session's CSRF header is refused: another page's form cannot act.
    const noCsrf = await as['hk-op']!.call(
      'POST',
      '/api/alerts/ack',
      { seq: hkAlert.seq },
      { 'X-CC-CSRF': '' },
    );
    expect(noCsrf.status).toBe(403);
    expect((await audit()).entries.some((e) => e.kind === 'alert_ack' && e.userName === 'hk-op')).toBe(true);
  });

  it('refuses a viewer (and an operator) publishing, and audits the attempt', async () => {
    const zones = { kind: 'zones', payload: { version: 1, issued: nowS, default: 'green', zones: {} } };
    const r = await as.viewer!.call('POST', '/api/publish', zones);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'FORBIDDEN', vi: expect.any(String), en: expect.any(String) });
    expect((await as['city-op']!.call('POST', '/api/publish', zones)).status).toBe(403);
    const refused = (await audit()).entries.filter((e) => e.kind === 'forbidden');
    expect(refused.map((e) => [e.userName, e.details.route])).toEqual(
      expect.arrayContaining([
        ['viewer', 'POST /api/publish'],
        ['city-op', 'POST /api/publish'],
      ]),
    );
    // A publisher publishes zones at once (one pair of eyes), audited before it is sent.
    const ok = await as.pub1!.call<{ published: { version: number } }>('POST', '/api/publish', zones);
    expect(ok.status).toBe(200);
    expect(ok.json.result?.published.version).toBe(1);
  });

  it('holds a trust list until a second, different publisher approves it', async () => {
    const trust = { kind: 'trust', payload: trustPayload([{ issuer: makeIssuer() }]) };
    const asked = await as.pub1!.call<{ pending: { id: number; state: string } }>(
      'POST',
      '/api/publish',
      trust,
    );
    if (asked.status !== 200) throw new Error(JSON.stringify(asked.json));
    const pending = asked.json.result!.pending;
    expect(pending.state).toBe('pending');
    expect(centre.ledger.lastPublishedVersion(['ckpt/v2/all/trust'])).toBeNull();
    // Not by the one who asked, not by a viewer.
    const self = await as.pub1!.call('POST', '/api/approvals/decide', { id: pending.id, approve: true });
    expect(self.status).toBe(400);
    expect(self.json.error?.code).toBe('FOUR_EYES');
    expect(
      (await as.viewer!.call('POST', '/api/approvals/decide', { id: pending.id, approve: true })).status,
    ).toBe(403);
    const list = await as.pub2!.get<{ id: number; state: string }[]>('/api/approvals');
    expect(list.find((a) => a.id === pending.id)?.state).toBe('pending');
    const approved = await as.pub2!.call<{ state: string; outcome: { version: number } }>(
      'POST',
      '/api/approvals/decide',
      { id: pending.id, approve: true },
    );
    expect(approved.status).toBe(200);
    expect(approved.json.result).toMatchObject({ state: 'published', outcome: { version: 1 } });
    expect(centre.ledger.lastPublishedVersion(['ckpt/v2/all/trust'])).toBe(1);
    const kinds = (await audit()).entries
      .filter((e) => e.details.approval === pending.id)
      .map((e) => [e.kind, e.userName]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['publish_request', 'pub1'],
        ['publish_approve', 'pub2'],
        ['published', 'pub2'],
      ]),
    );
  });

  it('locks an account after repeated wrong passwords; every login is in a chain that verifies', async () => {
    await addAccount(centre, 'clumsy', 'viewer', [BD]);
    const c = new CcClient(centre.url!);
    expect((await c.login('nobody', 'wrong-password')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await c.login('clumsy', 'wrong-password')).status).toBe(401);
    const locked = await c.login('clumsy', 'wrong-password');
    expect(locked.status).toBe(429);
    expect(locked.json.error?.vi).toMatch(/mật khẩu/);
    expect((await c.login('clumsy')).status).toBe(429);
    const page = await audit();
    expect(page.chain.firstBad).toBeNull();
    expect(page.chain.entries).toBeGreaterThan(10);
    const kinds = page.entries.map((e) => e.kind);
    for (const k of ['login', 'login_failed', 'lockout', 'account_create', 'published'])
      expect(kinds).toContain(k);
    expect(page.entries.find((e) => e.kind === 'login_failed' && e.details.name === 'nobody')).toBeTruthy();
  });

  it('lets admins alone read the audit log, a district admin its districts only, and manage accounts in scope', async () => {
    expect((await as.viewer!.call('GET', '/api/audit')).status).toBe(403);
    expect((await as.pub1!.call('GET', '/api/audit')).status).toBe(403);
    const hk = await audit(as['hk-admin']);
    expect(hk.entries.length).toBeGreaterThan(0);
    for (const e of hk.entries) expect(e.details.districts).toContain(HK);
    // A district admin makes accounts for its district, not for the city or another district.
    const made = await as['hk-admin']!.call('POST', '/api/accounts', {
      name: 'hk-viewer',
      role: 'viewer',
      scope: [HK],
      password: 'another-pass-1',
    });
    expect(made.status).toBe(200);
    const city = await as['hk-admin']!.call('POST', '/api/accounts', {
      name: 'sneaky',
      role: 'admin',
      scope: 'city',
      password: 'another-pass-1',
    });
    expect(city.status).toBe(403);
    const accounts = await as['hk-admin']!.get<{ name: string }[]>('/api/accounts');
    expect(accounts.map((a) => a.name).sort()).toEqual(['hk-admin', 'hk-op', 'hk-viewer']);
    // Disabling an account ends its sessions at once.
    const hkViewer = new CcClient(centre.url!);
    await hkViewer.login('hk-viewer', 'another-pass-1');
    const id = (made.json.result as { id: number }).id;
    expect((await as['hk-admin']!.call('POST', '/api/accounts/update', { id, disabled: true })).status).toBe(
      200,
    );
    expect((await hkViewer.call('GET', '/api/snapshot')).status).toBe(401);
    const changes = (await audit()).entries.filter(
      (e) => e.kind === 'account_update' || e.kind === 'account_create',
    );
    expect(changes.map((e) => [e.kind, e.userName, e.details.name])).toEqual(
      expect.arrayContaining([
        ['account_create', 'hk-admin', 'hk-viewer'],
        ['account_update', 'hk-admin', 'hk-viewer'],
      ]),
    );
  });

  it('refuses to serve beyond loopback without a certificate, and serves HTTPS with one', async () => {
    const base = {
      urls: [broker.url],
      database: tempDbPath(),
      clientId: `cc-tls-${randomUUID()}`,
      operators: TEST_OPERATOR_OPTIONS,
    };
    const err = await startCommandCentre({ ...base, http: { host: '0.0.0.0', port: 0 } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'TLS_REQUIRED',
      vi: expect.stringMatching(/HTTPS/),
      en: expect.stringMatching(/HTTPS/),
    });
    const certs = await makeKioskCerts({
      hosts: ['localhost'],
      ips: ['127.0.0.1'],
      days: 30,
      nowMs: Date.now(),
      label: 'cc',
    });
    const tlsCentre = await startCommandCentre({
      ...base,
      clientId: `cc-tls-${randomUUID()}`,
      http: { host: '0.0.0.0', port: 0, tls: { cert: certs.certPem, key: certs.keyPem } },
    });
    try {
      expect(tlsCentre.url).toMatch(/^https:\/\//);
      const r = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = httpsRequest(
          new URL('/api/snapshot', tlsCentre.url!),
          { ca: certs.caPem, headers: { Host: '127.0.0.1' } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') });
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(r.status).toBe(401);
    } finally {
      await tlsCentre.stop({ retire: true });
    }
  });
});
