// Policy `overrideRequiresSupervisor` (spec/policy.md "Overrides") on a real Kiosk with SQLite on disk:
// an override then needs a supervisor's name and PIN, checked like a login (lockout count, failed-login
// audit) without a session; a refusal records no override. With the policy off nothing changes.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/api/dispatch.js';
import { AuthSettings } from '../../src/auth/settings.js';
import type { KioskStatus, Verdict } from '../../src/contract/api.js';
import { PolicyPatch } from '../../src/contract/documents.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { checkpoint, makeIssuer, makeTrust, T0 } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const issuer = makeIssuer();
let kiosk: Kiosk;
let ctx: CallContext;

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

/** A kiosk with a guard on shift, a second guard and a supervisor; a REVIEW passage to override. */
async function setUp(overrideRequiresSupervisor: boolean): Promise<number> {
  kiosk = new Kiosk({
    checkpoint: checkpoint({}, { overrideRequiresSupervisor }),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: makeTrust([{ issuer }]),
    database: tempDbPath(),
    serial: null,
    mqtt: null,
    http: false,
    now: () => T0,
    auth: AuthSettings.parse({
      users: [
        { name: 'bao', displayName: 'Trần Văn Bảo', role: 'guard', pin: '246810' },
        { name: 'minh', displayName: 'Lê Văn Minh', role: 'guard', pin: '135790' },
        { name: 'lan', displayName: 'Nguyễn Thị Lan', role: 'supervisor', pin: '975310' },
      ],
    }),
    pinCost: 1024,
  });
  await kiosk.start();
  ctx = newContext();
  await call('auth.login', { name: 'bao', pin: '246810' });
  await call('shift.open');
  const v = await call<Verdict>('manual.record', {
    name: 'Lê Thị Mai',
    idNumber: '001185004321',
    purpose: 'medical',
    reason: 'Không mang giấy tờ',
    letThrough: false,
  });
  return v.passageId as number;
}

function db() {
  const store = kiosk.currentStore();
  if (!store) throw new Error('kiosk not started');
  return store.db;
}

function overrides(): { user_name: string | null; details: string }[] {
  return db().prepare(`SELECT user_name, details FROM audit_events WHERE kind = 'override'`).all() as {
    user_name: string | null;
    details: string;
  }[];
}

function failedLogins(): { details: string }[] {
  return db().prepare(`SELECT details FROM audit_events WHERE kind = 'login_failed'`).all() as {
    details: string;
  }[];
}

function failedCount(name: string): number {
  return (db().prepare('SELECT failed_count FROM users WHERE name = ?').get(name) as { failed_count: number })
    .failed_count;
}

function sessionsOf(name: string): number {
  return (
    db()
      .prepare('SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.name = ?')
      .get(name) as { n: number }
  ).n;
}

const REASON = 'Xe cấp cứu chở bệnh nhân';

afterEach(async () => {
  await kiosk?.stop();
  removeTempDirs();
});

describe('an override with policy overrideRequiresSupervisor on', () => {
  it('the status tells the screen that an approval is needed', async () => {
    await setUp(true);
    expect((await call<KioskStatus>('status.get')).overrideRequiresSupervisor).toBe(true);
  });

  it('without a supervisor is refused in both languages and records nothing', async () => {
    const id = await setUp(true);
    const e = await failure('passage.override', { passageId: id, reason: REASON });
    expect(e.code).toBe('SUPERVISOR_REQUIRED');
    expect(e.vi).toContain('chỉ huy');
    expect(e.en).toContain('supervisor');
    expect(overrides()).toHaveLength(0);
    expect(failedLogins()).toHaveLength(0);
  });

  it("with a guard's correct PIN instead of a supervisor's is refused", async () => {
    const id = await setUp(true);
    const e = await failure('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: 'minh', pin: '135790' },
    });
    expect(e.code).toBe('SUPERVISOR_INVALID');
    expect(e.vi).toContain('chỉ huy');
    expect(overrides()).toHaveLength(0);
    expect(sessionsOf('minh')).toBe(0);
  });

  it('with a wrong PIN is refused and counted as a failed login', async () => {
    const id = await setUp(true);
    const e = await failure('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: 'lan', pin: '000000' },
    });
    expect(e.code).toBe('SUPERVISOR_INVALID');
    expect(e.en).toContain('Wrong supervisor name or PIN');
    expect(overrides()).toHaveLength(0);
    expect(failedCount('lan')).toBe(1);
    const failed = failedLogins().map((r) => JSON.parse(r.details) as Record<string, unknown>);
    expect(failed).toEqual([
      expect.objectContaining({ name: 'lan', why: 'pin', purpose: 'override-approval' }),
    ]);
  });

  it('locks the supervisor out after repeated wrong PINs, as a login does', async () => {
    const id = await setUp(true);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = await failure('passage.override', {
        passageId: id,
        reason: REASON,
        supervisor: { name: 'lan', pin: `00000${i}` },
      });
      codes.push(e.code);
    }
    expect(codes.at(-1)).toBe('ACCOUNT_LOCKED');
    // Locked: even the right PIN is refused now.
    const e = await failure('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: 'lan', pin: '975310' },
    });
    expect(e.code).toBe('ACCOUNT_LOCKED');
    expect(overrides()).toHaveLength(0);
  });

  it("with the supervisor's name and PIN is recorded with the supervisor's name, and no session", async () => {
    const id = await setUp(true);
    await failure('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: 'lan', pin: '1' },
    });
    const o = await call<{ by: string | null; reason: string }>('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: ' lan ', pin: '975310' },
    });
    expect(o.by).toBe('Trần Văn Bảo');
    expect(o.reason).toBe(REASON);
    const rows = overrides();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.user_name).toBe('Trần Văn Bảo');
    expect(JSON.parse(rows[0]?.details ?? '{}')).toMatchObject({
      reason: REASON,
      supervisor: 'Nguyễn Thị Lan',
      supervisorLogin: 'lan',
    });
    // A success clears the failed count, as a login does; the supervisor gets no session here.
    expect(failedCount('lan')).toBe(0);
    expect(sessionsOf('lan')).toBe(0);
    // Supervisors see the approval beside the guard in the audit.
    ctx = newContext();
    await call('auth.login', { name: 'lan', pin: '975310' });
    const p = await call<{ override: { by: string | null } | null }>('audit.passage', { id });
    expect(p.override?.by).toContain('Nguyễn Thị Lan');
    expect(p.override?.by).toContain('Trần Văn Bảo');
  });
});

describe('an override with the policy off (the default)', () => {
  it('needs no supervisor, ignores one given, and records as before', async () => {
    const id = await setUp(false);
    expect((await call<KioskStatus>('status.get')).overrideRequiresSupervisor).toBe(false);
    const o = await call<{ by: string | null }>('passage.override', {
      passageId: id,
      reason: REASON,
      supervisor: { name: 'lan', pin: 'wrong' },
    });
    expect(o.by).toBe('Trần Văn Bảo');
    const rows = overrides();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.details ?? '{}')).not.toHaveProperty('supervisor');
    expect(failedLogins()).toHaveLength(0);
    expect(failedCount('lan')).toBe(0);
  });
});

describe('a signed config patch', () => {
  it('may carry overrideRequiresSupervisor, and only as a boolean', () => {
    expect(PolicyPatch.parse({ overrideRequiresSupervisor: true })).toEqual({
      overrideRequiresSupervisor: true,
    });
    expect(PolicyPatch.parse({})).toEqual({});
    expect(PolicyPatch.safeParse({ overrideRequiresSupervisor: 'yes' }).success).toBe(false);
  });
});
