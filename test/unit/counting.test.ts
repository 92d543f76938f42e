// What is counted (spec/policy.md "What is counted", spec/mqtt.md "Counting"), read where the command
// centre reads it: the `summary` payloads in the kiosk's outbox. Each rule on a real kiosk and SQLite
// file with a moved clock; then a whole shift whose summaries, summed, equal its shift report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/api/dispatch.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { SummaryPayload } from '../../src/contract/mqtt.js';
import { buildTrustList } from '../../src/documents/trust-list.js';
import { Kiosk } from '../../src/kiosk.js';
import { gatherShiftReport } from '../../src/reports/shift-report.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, T0, trustPayload } from '../fixtures/permits.js';
import { dccTrustPayload, makeHc1, makeSigner, vaccination } from './dcc-fixtures.js';

const issuer = makeIssuer();
const signer = makeSigner();
const trust = buildTrustList({ ...trustPayload([{ issuer }]), dcc: dccTrustPayload(signer).dcc });
const W = 60_000;
const dirs: string[] = [];
const kiosks: Kiosk[] = [];

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Lane {
  kiosk: Kiosk;
  clock: { now: number };
  guard: CallContext;
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  summaries(): SummaryPayload[];
  /** Every window closed by now, summed. */
  total(): ReturnType<typeof sum>;
}

async function lane(policy: Record<string, unknown> = {}): Promise<Lane> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-counting-'));
  dirs.push(dir);
  const clock = { now: T0 };
  const kiosk = new Kiosk({
    checkpoint: checkpoint({}, policy),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust,
    database: join(dir, 'kiosk.db'),
    serial: null,
    mqtt: null,
    http: false,
    pinCost: 1024,
    now: () => clock.now,
  });
  await kiosk.start();
  kiosks.push(kiosk);
  const guard = await onDuty(kiosk);
  let id = 10;
  const l: Lane = {
    kiosk,
    clock,
    guard,
    async call(method, params = {}) {
      const r = await kiosk.dispatcher.call({ id: id++, method, params }, guard);
      if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.en}`);
      return r.result as never;
    },
    summaries() {
      const store = kiosk.currentStore()!;
      store.closeDueWindows(clock.now);
      return store
        .outboxPeek(0, 10_000)
        .filter((r) => r.topic.endsWith('/summary'))
        .map((r) => SummaryPayload.parse(JSON.parse(r.payload)));
    },
    total: () => sum(l.summaries()),
  };
  return l;
}

function sum(list: SummaryPayload[]) {
  const t = {
    in: { allowed: 0, denied: 0, review: 0, overridden: 0 },
    out: { allowed: 0, denied: 0, review: 0, overridden: 0 },
    people: 0,
    unreadable: 0,
    vehicles: {} as Record<string, number>,
  };
  for (const s of list) {
    for (const d of ['in', 'out'] as const) {
      for (const k of ['allowed', 'denied', 'review', 'overridden'] as const) t[d][k] += s.counts[d][k];
    }
    t.people += s.people;
    t.unreadable += s.unreadable;
    for (const [v, n] of Object.entries(s.vehicles)) t.vehicles[v] = (t.vehicles[v] ?? 0) + (n ?? 0);
  }
  return t;
}

const nowS = () => Math.floor(T0 / 1000);
const permit = (cti: string, body: Record<string, unknown> = {}, claims: Record<string, unknown> = {}) =>
  makePermit(issuer, { cti, iat: nowS() - 3600, exp: nowS() + 86_400, ...claims }, body);
const zero = { allowed: 0, denied: 0, review: 0, overridden: 0 };

describe('what is counted, in the summaries', () => {
  it('an unreadable scan is `unreadable`, never a person checked; the vehicle waits for the readable re-scan', async () => {
    const l = await lane();
    await l.call('lane.vehicle', { plate: '29A-123.45', vehicleType: 'car', passengers: 2 });
    expect(l.kiosk.scan('VNP1:DAMAGED-CODE', 'serial')).toMatchObject({
      kind: 'unreadable',
      reasons: ['FORMAT_INVALID'],
    });
    expect(l.kiosk.scan('hello', 'serial')).toMatchObject({ kind: 'unreadable', reasons: ['UNRECOGNISED'] });
    const good = l.kiosk.scan(permit('C-1'), 'serial');
    expect(good).toMatchObject({ kind: 'passage', vehicle: { plate: '29A-123.45', passengers: 2 } });
    l.clock.now += W;
    const t = l.total();
    expect(t.unreadable).toBe(2);
    expect(t.in).toEqual({ ...zero, allowed: 1 });
    expect(t.people).toBe(3);
    expect(t.vehicles.car).toBe(1);
    expect(l.kiosk.currentStore()!.recentPassages(10)).toHaveLength(1);
  });

  it('a duplicate within the window is shown, not counted', async () => {
    const l = await lane();
    l.kiosk.scan(permit('C-2'), 'serial');
    l.clock.now += 5_000;
    expect(l.kiosk.scan(permit('C-2'), 'serial')).toMatchObject({
      kind: 'duplicate',
      reasons: ['DUPLICATE_SCAN'],
    });
    l.clock.now += W;
    expect(l.total().in).toEqual({ ...zero, allowed: 1 });
  });

  it('with no shift open nothing is counted; the audit keeps the permit hash only', async () => {
    const l = await lane();
    await l.call('shift.close', { notes: '' });
    const v = l.kiosk.scan(permit('C-3'), 'serial');
    expect(v).toMatchObject({ kind: 'no-shift', passageId: null });
    l.clock.now += 2 * W;
    expect(l.total()).toMatchObject({ in: zero, out: zero, people: 0, unreadable: 0 });
    const audited = l.kiosk
      .currentStore()!
      .db.prepare("SELECT details FROM audit_events WHERE kind = 'no_shift_scan'")
      .all() as { details: string }[];
    expect(audited.map((a) => Object.keys(JSON.parse(a.details)).sort())).toEqual([
      ['direction', 'lane', 'permit', 'source'],
    ]);
  });

  it('a health proof alone is not a passage, and never sounds like one', async () => {
    const l = await lane({ health: { required: true } });
    const proof = makeHc1(signer, vaccination());
    expect(l.kiosk.scan(proof, 'serial')).toMatchObject({
      kind: 'health-proof',
      passageId: null,
      decision: 'ALLOW',
    });
    l.clock.now += W;
    expect(l.total()).toMatchObject({ in: zero, people: 0, unreadable: 0 });
  });

  it('a health proof after its permit completes the passage in the window of the amendment', async () => {
    const l = await lane({ health: { required: true } });
    const hang = permit('C-4', { nam: 'Nguyễn Thị Hằng', dob: '1985-11-18' });
    expect(l.kiosk.scan(hang, 'serial')).toMatchObject({
      decision: 'REVIEW',
      reasons: ['HEALTH_PROOF_REQUIRED'],
    });
    // The permit's window ends and is sent before the proof comes.
    l.clock.now += 45_000;
    const first = l.summaries();
    expect(first).toHaveLength(0);
    l.clock.now = Math.ceil(l.clock.now / W) * W + 1_000;
    expect(sum(l.summaries()).in).toEqual({ ...zero, review: 1 });
    const proof = makeHc1(signer, vaccination());
    expect(l.kiosk.scan(proof, 'serial')).toMatchObject({
      kind: 'passage',
      decision: 'ALLOW',
      amended: { from: 'REVIEW' },
    });
    l.clock.now += W;
    const windows = l.summaries();
    expect(windows).toHaveLength(2);
    expect(windows[1]!.counts.in).toEqual({ ...zero, allowed: 1, review: -1 });
    expect(windows[1]!.people).toBe(0);
    // Summed over windows: the final decision, once.
    expect(sum(windows).in).toEqual({ ...zero, allowed: 1 });
    expect(l.kiosk.status().counts).toEqual({ allowed: 1, denied: 0, review: 0 });
  });

  it('a summary goes out at shift end, not at the end of the window', async () => {
    const l = await lane();
    l.kiosk.scan(permit('C-5'), 'serial');
    l.clock.now += 10_000;
    expect(l.summaries()).toHaveLength(0);
    await l.call('shift.close', { notes: 'Bàn giao ca' });
    const [s] = l.summaries();
    expect(s?.counts.in.allowed).toBe(1);
    expect(Date.parse(s!.windowEnd)).toBe(l.clock.now);
    // The next shift's window starts where the last one stopped: its own id, nothing counted twice.
    await onDuty(l.kiosk);
    l.kiosk.scan(permit('C-6'), 'serial');
    l.clock.now += W;
    const after = l.summaries();
    expect(new Set(after.map((x) => x.id)).size).toBe(2);
    expect(sum(after).in.allowed).toBe(2);
  });
});

describe('a shift, summed', () => {
  it('its summaries equal its shift report', async () => {
    const l = await lane({ health: { required: false } });
    const step = (ms: number) => {
      l.clock.now += ms;
    };
    l.kiosk.scan(permit('S-1'), 'serial');
    step(5_000);
    expect(l.kiosk.scan(permit('S-1'), 'serial').kind).toBe('duplicate');
    step(15_000);
    l.kiosk.scan(permit('S-2', {}, { exp: nowS() - 60 }), 'serial'); // expired: DENY
    step(20_000);
    await l.call('lane.vehicle', { plate: '30E-555.66', vehicleType: 'truck', passengers: 1 });
    const mismatch = l.kiosk.scan(permit('S-3', { veh: { plate: '29A-123.45', type: 'truck' } }), 'serial');
    expect(mismatch).toMatchObject({ kind: 'passage', decision: 'REVIEW', reasons: ['VEHICLE_MISMATCH'] });
    step(30_000);
    l.kiosk.scan('garbage', 'serial');
    step(50_000);
    const denied = l.kiosk.scan(permit('S-4', { areas: ['01-001'] }), 'serial');
    step(10_000);
    await l.call('passage.override', {
      passageId: denied.passageId,
      reason: 'Đưa con đi cấp cứu, có giấy viện',
    });
    step(70_000);
    await l.call('manual.record', {
      name: 'Lê Thị Mai',
      idNumber: '001185004321',
      purpose: 'medical',
      reason: 'Quên điện thoại ở nhà, có CCCD',
      letThrough: true,
    });
    await l.call('lane.set', { direction: 'out' });
    step(30_000);
    l.kiosk.scan(permit('S-5'), 'serial');
    step(30_000);
    const closed = await l.call<{ id: number; counts: Record<string, number> }>('shift.close', { notes: '' });

    const t = l.total();
    const store = l.kiosk.currentStore()!;
    const shift = (await l.kiosk.dispatcher.call(
      { id: 1, method: 'shift.get', params: { id: closed.id } },
      await supervisor(l),
    )) as {
      ok: true;
      result: Parameters<typeof gatherShiftReport>[1];
    };
    const report = await gatherShiftReport(
      store.db,
      shift.result,
      { id: 'TX-01', name: null, district: '01-009', districtName: null, areaName: null },
      l.clock.now,
    );
    expect(t.in).toEqual(report.byDirection.in);
    expect(t.out).toEqual(report.byDirection.out);
    expect(t.people).toBe(report.people);
    expect(t.unreadable).toBe(report.unreadable);
    expect(report.byDirection.in).toEqual({ allowed: 1, denied: 2, review: 2, overridden: 2 });
    expect(report.byDirection.out).toEqual({ ...zero, allowed: 1 });
    expect(t.unreadable).toBe(1);
    // The shift's own counts (the guard's status, the shift list) say the same.
    expect(closed.counts).toMatchObject({
      allowed: 2,
      denied: 2,
      review: 2,
      overridden: 2,
      people: report.people,
    });
  });
});

async function supervisor(l: Lane): Promise<CallContext> {
  const auth = l.kiosk.supervision.auth;
  if (!auth.users.byName('chihuy')) {
    await auth.users.create(
      { name: 'chihuy', displayName: 'Thiếu tá Chỉ Huy', role: 'supervisor', pin: '864209' },
      l.clock.now,
    );
  }
  let token: string | null = null;
  const r = await l.kiosk.dispatcher.call(
    { id: 1, method: 'auth.login', params: { name: 'chihuy', pin: '864209' } },
    { transport: 'internal', token: null, setToken: (t) => (token = t) },
  );
  if (!r.ok) throw new Error(r.error.en);
  return { transport: 'internal', token };
}
