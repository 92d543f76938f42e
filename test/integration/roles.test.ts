// Who may call what, over the real browser host: every kiosk API method called over HTTP as nobody,
// as a guard off shift, the guard on shift, another guard, a supervisor and an admin, with sessions in
// HttpOnly cookies. The expected table is written here by hand, apart from src/contract/access.ts, so a
// change of either shows up. Also: CSRF header, logout, lockout, idle expiry, LAN binding, and which
// WebSocket clients receive verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Settings } from '../../src/config/settings.js';
import { methods } from '../../src/contract/api.js';
import { type AuditKiosk, PINS, startAuditKiosk } from '../unit/audit-fixtures.js';

type Who = 'nobody' | 'guardOff' | 'guardOn' | 'otherGuard' | 'supervisor' | 'admin';
const ALL: Who[] = ['nobody', 'guardOff', 'guardOn', 'otherGuard', 'supervisor', 'admin'];
const SESSIONS: Who[] = ['guardOff', 'guardOn', 'otherGuard', 'supervisor', 'admin'];
const ON_SHIFT: Who[] = ['guardOn'];
const GUARDS: Who[] = ['guardOff', 'guardOn', 'otherGuard'];

/** Written from the issue: a guard cannot search, export or change settings; a supervisor audits. */
const EXPECTED: Record<string, Who[]> = {
  'status.get': ALL,
  'auth.login': ALL,
  'auth.whoami': ALL,
  'auth.logout': SESSIONS,
  'auth.changePin': SESSIONS,
  'shift.current': SESSIONS,
  'scan.submit': ON_SHIFT,
  'verdicts.recent': ON_SHIFT,
  'lane.set': ON_SHIFT,
  'demo.samples': ON_SHIFT,
  'passage.override': ON_SHIFT,
  'manual.record': ON_SHIFT,
  'lane.vehicle': ON_SHIFT,
  'shift.open': GUARDS,
  'shift.close': [...GUARDS, 'supervisor'],
  'shift.list': ['supervisor'],
  'shift.get': ['supervisor'],
  'shift.signoff': ['supervisor'],
  'audit.search': ['supervisor'],
  'audit.passage': ['supervisor'],
  'audit.flow': ['supervisor'],
  'export.csv': ['supervisor'],
  'export.shiftReport': ['supervisor'],
  'audit.events': ['supervisor', 'admin'],
  'audit.verify': ['supervisor', 'admin'],
  'users.list': ['admin'],
  'users.create': ['admin'],
  'users.update': ['admin'],
  'retention.purge': ['admin'],
  'scanner.ports': ['admin'],
};

const REFUSALS = new Set([
  'UNAUTHENTICATED',
  'SESSION_EXPIRED',
  'FORBIDDEN',
  'CSRF',
  'NO_SHIFT',
  'NOT_YOUR_SHIFT',
]);

interface HttpCaller {
  cookie: string | null;
  csrf: string | null;
}

let k: AuditKiosk;
const callers = {} as Record<Who, HttpCaller>;

async function post(
  method: string,
  body: unknown,
  who: HttpCaller,
  extra: Record<string, string> = {},
): Promise<{
  status: number;
  json: { ok: boolean; result?: unknown; error?: { code: string; vi: string; en: string } };
  setCookie: string | null;
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
  if (who.cookie) headers.cookie = who.cookie;
  if (who.csrf) headers['x-kiosk-csrf'] = who.csrf;
  const res = await fetch(`${k.url}api/call/${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), setCookie: res.headers.get('set-cookie') };
}

async function loginHttp(name: string, pin: string): Promise<HttpCaller> {
  const r = await post('auth.login', { name, pin }, { cookie: null, csrf: null });
  expect(r.status).toBe(200);
  expect(r.setCookie).toMatch(/^kiosk_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  const cookie = r.setCookie!.split(';')[0]!;
  // The token never reaches page scripts: the body carries only the CSRF token.
  expect(JSON.stringify(r.json)).not.toContain(cookie.split('=')[1]);
  return { cookie, csrf: (r.json.result as { csrfToken: string }).csrfToken };
}

beforeAll(async () => {
  k = await startAuditKiosk({ http: true });
  callers.nobody = { cookie: null, csrf: null };
  callers.guardOff = await loginHttp('canbo2', PINS.guard2);
  callers.guardOn = await loginHttp('canbo', PINS.guard);
  callers.otherGuard = await loginHttp('canbo2', PINS.guard2);
  callers.supervisor = await loginHttp('giamsat', PINS.supervisor);
  callers.admin = await loginHttp('quantri', PINS.admin);
  const opened = await post('shift.open', {}, callers.guardOn);
  expect(opened.json.ok).toBe(true);
});

afterAll(async () => {
  await k?.close();
});

describe('every method, every role', () => {
  it('has an expectation for every method of the API', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(Object.keys(methods).sort());
  });

  it('refuses exactly the callers the table refuses, with a bilingual reason', async () => {
    const table: string[] = [];
    for (const method of Object.keys(methods)) {
      for (const who of ALL) {
        // Invalid parameters: an allowed caller gets BAD_PARAMS and nothing happens (no logout, no
        // shift closed), a refused one is refused before its parameters are even read.
        const r = await post(method, { __probe: 1 }, callers[who]);
        const code = r.json.ok ? 'OK' : r.json.error!.code;
        const allowed = !REFUSALS.has(code);
        table.push(`${method} ${who} ${allowed ? 'allowed' : `refused ${code}`}`);
        expect.soft(allowed, `${method} as ${who}: ${code}`).toBe(EXPECTED[method]!.includes(who));
        if (!allowed) {
          expect(r.status).toBeGreaterThanOrEqual(400);
          expect(r.json.error!.vi.length).toBeGreaterThan(3);
          expect(r.json.error!.en.length).toBeGreaterThan(3);
        }
      }
    }
    expect(table.length).toBe(Object.keys(methods).length * ALL.length);
  });

  it('names the refusal: nobody must log in, another guard is told whose shift it is', async () => {
    const nobody = await post('audit.search', {}, callers.nobody);
    expect(nobody.status).toBe(401);
    expect(nobody.json.error).toMatchObject({ code: 'UNAUTHENTICATED', vi: 'Cần đăng nhập' });
    const guard = await post('audit.search', {}, callers.guardOn);
    expect(guard.status).toBe(403);
    expect(guard.json.error).toMatchObject({ code: 'FORBIDDEN' });
    const other = await post('scan.submit', { text: 'x' }, callers.otherGuard);
    expect(other.json.error).toMatchObject({ code: 'NOT_YOUR_SHIFT' });
    expect(other.json.error!.vi).toContain('Trung sĩ Lê Văn Tám');
  });
});

describe('sessions on the browser host', () => {
  it('refuses a cookie-authenticated call without the CSRF header, or with another session’s', async () => {
    const s = callers.supervisor;
    const none = await post('audit.search', {}, { cookie: s.cookie, csrf: null });
    expect(none.status).toBe(403);
    expect(none.json.error?.code).toBe('CSRF');
    const wrong = await post('audit.search', {}, { cookie: s.cookie, csrf: callers.admin.csrf });
    expect(wrong.json.error?.code).toBe('CSRF');
    const ok = await post('audit.search', {}, s);
    expect(ok.json.ok).toBe(true);
    // A page of another origin is stopped before the session is even looked at.
    const cross = await post('audit.search', {}, s, { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
  });

  it('logs out: the cookie is cleared and the old token is dead', async () => {
    const a = await loginHttp('quantri', PINS.admin);
    const out = await post('auth.logout', {}, a);
    expect(out.json.ok).toBe(true);
    expect(out.setCookie).toMatch(/^kiosk_session=; .*Max-Age=0/);
    const after = await post('users.list', {}, a);
    expect(after.status).toBe(401);
    expect(after.json.error?.code).toBe('SESSION_EXPIRED');
  });

  it('locks an account after 5 wrong PINs, even for the right PIN, until the lock ends', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await post('auth.login', { name: 'quantri', pin: '000000' }, callers.nobody);
      expect(r.status).toBe(401);
      expect(r.json.error?.code).toBe('LOGIN_FAILED');
    }
    const fifth = await post('auth.login', { name: 'quantri', pin: '000000' }, callers.nobody);
    expect(fifth.status).toBe(429);
    expect(fifth.json.error?.code).toBe('ACCOUNT_LOCKED');
    expect(fifth.json.error?.vi).toMatch(/5 phút/);
    const right = await post('auth.login', { name: 'quantri', pin: PINS.admin }, callers.nobody);
    expect(right.json.error?.code).toBe('ACCOUNT_LOCKED');
    k.clock.now += 5 * 60_000 + 1;
    const later = await post('auth.login', { name: 'quantri', pin: PINS.admin }, callers.nobody);
    expect(later.json.ok).toBe(true);
    const events = await post('audit.events', { kinds: ['login_failed', 'lockout'] }, callers.supervisor);
    const kinds = (events.json.result as { events: { kind: string }[] }).events.map((e) => e.kind);
    expect(kinds.filter((x) => x === 'lockout')).toHaveLength(1);
    expect(kinds.filter((x) => x === 'login_failed').length).toBeGreaterThanOrEqual(6);
  });

  it('gives an unknown name the same answer as a wrong PIN', async () => {
    const r = await post('auth.login', { name: 'khongco', pin: '123456' }, callers.nobody);
    expect(r.status).toBe(401);
    expect(r.json.error).toMatchObject({ code: 'LOGIN_FAILED', vi: 'Sai tên đăng nhập hoặc mã PIN' });
  });

  it('ends a supervisor session after 30 idle minutes but keeps a guard on shift for 12 hours', async () => {
    const s = await loginHttp('giamsat', PINS.supervisor);
    k.clock.now += 29 * 60_000;
    expect((await post('audit.search', {}, s)).json.ok).toBe(true);
    k.clock.now += 31 * 60_000;
    expect((await post('audit.search', {}, s)).json.error?.code).toBe('SESSION_EXPIRED');
    expect((await post('verdicts.recent', {}, callers.guardOn)).json.ok).toBe(true);
    callers.supervisor = await loginHttp('giamsat', PINS.supervisor);
  });
});

describe('events over the WebSocket', () => {
  function socket(cookie: string | null): Promise<{ ws: WebSocket; events: string[] }> {
    const url = `${k.url!.replace('http', 'ws')}api/ws`;
    const ws = new WebSocket(url, cookie ? { headers: { cookie } } : {});
    const events: string[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; name?: string };
      if (m.type === 'event' && m.name) events.push(m.name);
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, events }));
      ws.once('error', reject);
    });
  }

  it('sends verdicts (names, ID numbers) only to the guard on shift; status to everyone', async () => {
    const nobody = await socket(null);
    const supervisor = await socket(callers.supervisor.cookie);
    const guard = await socket(callers.guardOn.cookie);
    const other = await socket(callers.otherGuard.cookie);
    const r = await post('scan.submit', { text: k.permit('WS-1') }, callers.guardOn);
    expect(r.json.ok).toBe(true);
    await expect.poll(() => guard.events.includes('verdict')).toBe(true);
    await expect.poll(() => nobody.events.includes('status')).toBe(true);
    for (const c of [nobody, supervisor, other]) expect(c.events).not.toContain('verdict');
    for (const c of [nobody, supervisor, guard, other]) c.ws.close();
  });

  it('calls over the socket run as the cookie’s session', async () => {
    const { ws } = await socket(callers.supervisor.cookie);
    const reply = new Promise<{ ok: boolean }>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { type: string; id?: number; ok: boolean };
        if (m.type === 'result' && m.id === 5) resolve(m);
      }),
    );
    ws.send(JSON.stringify({ type: 'call', id: 5, method: 'audit.verify', params: {} }));
    expect((await reply).ok).toBe(true);
    ws.close();
  });
});

describe('binding', () => {
  const base = { checkpoint: 'c.json', rootKey: 'r.pem', trustList: 't.jws' };

  it('refuses a LAN address unless http.lan is true, in both languages', () => {
    const r = Settings.safeParse({ ...base, http: { host: '192.168.1.20' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/lan.*true.*LAN/);
    // On the LAN, HTTPS only: a certificate and its key are required too (host-tls.test.ts).
    const noTls = Settings.safeParse({ ...base, http: { host: '192.168.1.20', lan: true } });
    expect(JSON.stringify(noTls.error?.issues)).toMatch(/needs an HTTPS certificate/);
    const lan = { host: '192.168.1.20', lan: true, certFile: 'c.pem', keyFile: 'k.pem' };
    expect(Settings.safeParse({ ...base, http: lan }).success).toBe(true);
    expect(Settings.parse(base).http).toMatchObject({ host: '127.0.0.1', lan: false });
  });
});
