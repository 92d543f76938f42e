// The lane's API on a real Kiosk (SQLite on disk, roles and shifts on), driven through the Dispatcher
// as a logged-in guard with a clock the test moves: the next scan's vehicle, its expiry, manual entry
// attribution, and the shift's counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/api/dispatch.js';
import { AuthSettings } from '../../src/auth/settings.js';
import type { KioskStatus, Verdict } from '../../src/contract/api.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { PENDING_VEHICLE_MS } from '../../src/lane/desk.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const issuer = makeIssuer();
let now = T0;
let kiosk: Kiosk;
let ctx: CallContext;

/** A caller context that keeps the session token a login gives it, as a transport does. */
function newContext(): CallContext {
  const c: CallContext = {
    transport: 'internal',
    token: null,
    setToken: (t) => {
      c.token = t;
    },
  };
  return c;
}

async function call<T>(method: string, params: unknown = {}): Promise<T> {
  const r = await kiosk.dispatcher.call({ id: 1, method, params }, ctx);
  if (!r.ok) throw Object.assign(new Error(r.error.code), r.error);
  return r.result as T;
}

async function failure(method: string, params: unknown): Promise<{ code: string; vi: string; en: string }> {
  const r = await kiosk.dispatcher.call({ id: 1, method, params }, ctx);
  if (r.ok) throw new Error(`${method} should have failed`);
  return r.error;
}

beforeEach(async () => {
  now = T0;
  kiosk = new Kiosk({
    checkpoint: checkpoint({}, { duplicateWindowSeconds: 30 }),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: makeTrust([{ issuer }]),
    database: tempDbPath(),
    serial: null,
    mqtt: null,
    http: false,
    now: () => now,
    auth: AuthSettings.parse({
      users: [{ name: 'bao', displayName: 'Trần Văn Bảo', role: 'guard', pin: '246810' }],
    }),
    pinCost: 1024,
  });
  await kiosk.start();
  ctx = newContext();
  await call('auth.login', { name: 'bao', pin: '246810' });
  await call('shift.open');
});

afterEach(async () => {
  await kiosk.stop();
  removeTempDirs();
});

describe('the lane through the kiosk API', () => {
  it('refuses a bad plate in both languages and keeps nothing', async () => {
    const e = await failure('lane.vehicle', { plate: '29A' });
    expect(e.code).toBe('PLATE_INVALID');
    expect(e.vi).toContain('Biển số không đúng dạng');
    expect(e.en).toContain('Not a valid plate');
    expect((await call<KioskStatus>('status.get')).vehicle).toBeNull();
  });

  it('the vehicle entered goes with the next scan only, and expires after 3 minutes', async () => {
    const s = await call<KioskStatus>('lane.vehicle', { plate: '30e12345', passengers: 2 });
    expect(s.vehicle).toEqual({ plate: '30E-123.45', type: 'car', passengers: 2 });
    const v = kiosk.scan(makePermit(issuer, { cti: 'A' }), 'serial');
    expect(v.vehicle).toEqual({ plate: '30E-123.45', type: 'car', passengers: 2 });
    const row = kiosk.currentStore()?.getPassage(v.passageId ?? 0);
    expect(row).toMatchObject({ vehiclePlate: '30E-123.45', vehicleType: 'car', people: 3 });
    expect((await call<KioskStatus>('status.get')).vehicle).toBeNull();
    expect(kiosk.scan(makePermit(issuer, { cti: 'B' }), 'serial').vehicle).toBeNull();

    await call('lane.vehicle', { vehicleType: 'truck' });
    now += PENDING_VEHICLE_MS + 1000;
    expect((await call<KioskStatus>('status.get')).vehicle).toBeNull();
    expect(kiosk.scan(makePermit(issuer, { cti: 'C' }), 'serial').vehicle).toBeNull();
  });

  it('a duplicate leaves the vehicle for the real next scan', async () => {
    const text = makePermit(issuer, { cti: 'D' });
    kiosk.scan(text, 'serial');
    await call('lane.vehicle', { plate: '29-B1 123.45' });
    expect(kiosk.scan(text, 'serial')).toMatchObject({ duplicate: true, vehicle: null });
    expect((await call<KioskStatus>('status.get')).vehicle?.plate).toBe('29-B1 123.45');
  });

  it('a manual entry is the guard’s and the shift’s, and counts in the shift', async () => {
    const v = await call<Verdict>('manual.record', {
      name: 'Lê Thị Mai',
      idNumber: '001185004321',
      purpose: 'medical',
      reason: 'Quên điện thoại ở nhà',
      letThrough: false,
    });
    expect(v).toMatchObject({
      source: 'manual',
      decision: 'REVIEW',
      person: { name: 'Lê Thị Mai' },
      override: null,
    });
    const row = kiosk
      .currentStore()
      ?.db.prepare('SELECT user_id, shift_id, idn_full, idn_tail, id_masked FROM passages WHERE id = ?')
      .get(v.passageId) as Record<string, unknown> | undefined;
    expect(row).toMatchObject({ user_id: 1, shift_id: 1 });
    expect(row).toMatchObject({ idn_full: expect.stringMatching(/^[0-9a-f]{32}$/), id_masked: null });
    kiosk.scan(makePermit(issuer, { cti: 'E' }), 'serial');
    expect((await call<KioskStatus>('status.get')).counts).toEqual({ allowed: 1, denied: 0, review: 1 });
  });

  it('the counts are the shift’s: a new shift starts from zero', async () => {
    kiosk.scan(makePermit(issuer, { cti: 'F' }), 'serial');
    expect((await call<KioskStatus>('status.get')).counts.allowed).toBe(1);
    await call('shift.close', { notes: 'Bàn giao ca đêm' });
    // Closing the shift ended the guard's session: log in again and open the next shift.
    ctx = newContext();
    await call('auth.login', { name: 'bao', pin: '246810' });
    await call('shift.open');
    expect((await call<KioskStatus>('status.get')).counts).toEqual({ allowed: 0, denied: 0, review: 0 });
    kiosk.scan(makePermit(issuer, { cti: 'G' }), 'serial');
    expect((await call<KioskStatus>('status.get')).counts.allowed).toBe(1);
  });
});
