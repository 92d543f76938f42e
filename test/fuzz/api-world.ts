// The world the API fuzz calls into: a real kiosk (SQLite on disk, its browser host on 127.0.0.1) with a
// guard on shift, a guard off shift, a supervisor and an admin logged in, each reachable in-process
// through the Dispatcher, over HTTP (cookie + CSRF header) and over a WebSocket. The fuzz's calls may
// log them out, close the shift, change their accounts: repair() puts the world back, so that every
// call meets the same cast. fingerprint() is what a refused call must leave unchanged.
import WebSocket from 'ws';
import type { CallContext } from '../../src/api/dispatch.js';
import type { ResultMessage } from '../../src/contract/api.js';
import type { Role } from '../../src/contract/api-audit.js';
import { type AuditKiosk, PINS, startAuditKiosk } from '../unit/audit-fixtures.js';

export type Who = 'nobody' | 'guardOn' | 'guardOff' | 'supervisor' | 'admin' | 'forged';
export const WHO: readonly Who[] = ['nobody', 'guardOn', 'guardOff', 'supervisor', 'admin', 'forged'];

const ACCOUNTS = {
  guardOn: { name: 'canbo', pin: PINS.guard, role: 'guard' },
  guardOff: { name: 'canbo2', pin: PINS.guard2, role: 'guard' },
  supervisor: { name: 'giamsat', pin: PINS.supervisor, role: 'supervisor' },
  admin: { name: 'quantri', pin: PINS.admin, role: 'admin' },
} as const satisfies Record<string, { name: string; pin: string; role: Role }>;
type Account = keyof typeof ACCOUNTS;

/** A token that looks like one and opens nothing. */
export const FORGED_TOKEN = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

interface Session {
  token: string;
  csrf: string;
  ws: WebSocket | null;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  setCookie: string | null;
}

export class ApiWorld {
  readonly sessions = new Map<Account, Session>();
  private nobodyWs: WebSocket | null = null;
  private users: { id: number; role: string; disabled: number; pin_hash: string; display_name: string }[] =
    [];
  private nextId = 1;

  private constructor(readonly k: AuditKiosk) {}

  static async open(): Promise<ApiWorld> {
    const k = await startAuditKiosk({ http: true });
    const w = new ApiWorld(k);
    w.users = w
      .db()
      .prepare('SELECT id, role, disabled, pin_hash, display_name FROM users')
      .all() as ApiWorld['users'];
    await w.repair();
    return w;
  }

  db() {
    return this.k.kiosk.currentStore()!.db;
  }

  get url(): string {
    return this.k.url!;
  }

  /** The role a caller holds now (null: nobody, or a forged token). */
  roleOf(who: Who): Role | null {
    return who === 'nobody' || who === 'forged' ? null : ACCOUNTS[who].role;
  }

  tokenOf(who: Who): string | null {
    if (who === 'nobody') return null;
    if (who === 'forged') return FORGED_TOKEN;
    return this.sessions.get(who)?.token ?? null;
  }

  csrfOf(who: Who): string | null {
    return who === 'nobody' || who === 'forged' ? null : (this.sessions.get(who)?.csrf ?? null);
  }

  ctx(who: Who): CallContext {
    return { transport: 'ipc', token: this.tokenOf(who) };
  }

  /** One HTTP call, raw: the fuzz chooses the method, path, headers and body. */
  async http(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }) {
    const res = await fetch(`${this.url}${opts.path.replace(/^\//, '')}`, {
      method: opts.method ?? 'POST',
      headers: opts.headers ?? {},
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body, setCookie: res.headers.get('set-cookie') } satisfies HttpAnswer;
  }

  /** One message on the caller's WebSocket; resolves with the next result, or 'closed'. */
  async ws(who: Who, data: string | Buffer): Promise<ResultMessage | 'closed'> {
    const ws = await this.socket(who);
    return new Promise((resolve) => {
      const onMessage = (raw: WebSocket.RawData) => {
        const m = JSON.parse(String(raw)) as { type: string };
        if (m.type !== 'result') return;
        done();
        resolve(m as ResultMessage);
      };
      const onClose = () => {
        done();
        this.forgetSocket(ws);
        resolve('closed');
      };
      const done = () => {
        ws.off('message', onMessage);
        ws.off('close', onClose);
      };
      ws.on('message', onMessage);
      ws.on('close', onClose);
      ws.send(data);
    });
  }

  nextCallId(): number {
    return this.nextId++;
  }

  private async socket(who: Who): Promise<WebSocket> {
    const s = who === 'nobody' || who === 'forged' ? null : this.sessions.get(who);
    const existing = s ? s.ws : who === 'nobody' ? this.nobodyWs : null;
    if (existing && existing.readyState === WebSocket.OPEN) return existing;
    const token = this.tokenOf(who);
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}api/ws`, {
      headers: token ? { cookie: `kiosk_session=${token}` } : {},
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    if (s) s.ws = ws;
    else if (who === 'nobody') this.nobodyWs = ws;
    return ws;
  }

  private forgetSocket(ws: WebSocket): void {
    for (const s of this.sessions.values()) if (s.ws === ws) s.ws = null;
    if (this.nobodyWs === ws) this.nobodyWs = null;
  }

  /** A socket whose session may have changed (a login or logout over it) is opened again. */
  dropSocket(who: Who): void {
    const s = who === 'nobody' || who === 'forged' ? null : this.sessions.get(who);
    const ws = s ? s.ws : who === 'nobody' ? this.nobodyWs : null;
    ws?.terminate();
    if (ws) this.forgetSocket(ws);
  }

  /**
   * Puts the cast back: the four accounts as they were (role, PIN, enabled, unlocked), each logged in
   * with a live session, and the open shift the on-shift guard's.
   */
  async repair(): Promise<void> {
    const db = this.db();
    const restore = db.prepare(`UPDATE users SET role = ?, disabled = ?, pin_hash = ?, display_name = ?,
      failed_count = 0, locked_until_ms = 0 WHERE id = ?`);
    db.transaction(() => {
      for (const u of this.users) restore.run(u.role, u.disabled, u.pin_hash, u.display_name, u.id);
    })();
    await this.logInAll();
    const shift = this.k.kiosk.supervision.auth.currentShift();
    if (shift && shift.user_id !== this.userId('guardOn')) {
      const r = await this.k.kiosk.dispatcher.call(
        { id: 0, method: 'shift.close', params: {} },
        this.ctx('supervisor'),
      );
      if (!r.ok) throw new Error(`repair: could not close another guard's shift: ${r.error.en}`);
      await this.logInAll();
    }
    if (!this.k.kiosk.supervision.auth.currentShift()) {
      const r = await this.k.kiosk.dispatcher.call(
        { id: 0, method: 'shift.open', params: {} },
        this.ctx('guardOn'),
      );
      if (!r.ok) throw new Error(`repair: could not open the shift: ${r.error.en}`);
    }
    // Logging in and out over HTTP does not reach the sockets: those whose session ended go.
    for (const [who, s] of this.sessions) if (s.ws && !this.sessionAlive(who)) this.dropSocket(who);
  }

  private async logInAll(): Promise<void> {
    for (const who of Object.keys(ACCOUNTS) as Account[]) if (!this.sessionAlive(who)) await this.login(who);
  }

  private sessionAlive(who: Account): boolean {
    const s = this.sessions.get(who);
    return !!s && this.k.kiosk.supervision.auth.sessions.resolve(s.token, this.k.clock.now, false) !== null;
  }

  private userId(who: Account): number {
    return this.k.kiosk.supervision.auth.users.byName(ACCOUNTS[who].name)!.id;
  }

  private async login(who: Account): Promise<void> {
    const a = ACCOUNTS[who];
    const r = await this.http({
      path: 'api/call/auth.login',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: a.name, pin: a.pin }),
    });
    const body = r.body as { ok: boolean; result?: { csrfToken: string } };
    if (r.status !== 200 || !body.ok)
      throw new Error(`repair: ${a.name} could not log in: ${JSON.stringify(r.body)}`);
    const token = /kiosk_session=([\w-]+)/.exec(r.setCookie ?? '')?.[1];
    if (!token) throw new Error(`repair: no session cookie for ${a.name}`);
    const old = this.sessions.get(who);
    old?.ws?.terminate();
    this.sessions.set(who, { token, csrf: body.result!.csrfToken, ws: null });
  }

  /**
   * What a refused call must leave as it was: every table a call can change (the newest row of the
   * growing ones, the whole of the small ones) and the lane's state. Audit events are compared apart
   * (newAuditKinds): a failed login is one.
   */
  fingerprint(): { audit: number; rest: string } {
    const db = this.db();
    const one = (sql: string) => JSON.stringify(db.prepare(sql).get());
    const status = this.k.kiosk.status();
    return {
      audit: (db.prepare('SELECT coalesce(max(id), 0) AS m FROM audit_events').get() as { m: number }).m,
      rest: [
        one('SELECT max(id) AS p FROM passages'),
        one('SELECT count(*) AS n, count(closed_ms) AS c, count(signed_ms) AS s, max(id) AS m FROM shifts'),
        one(`SELECT group_concat(id || role || disabled || pin_hash || display_name) AS u FROM users`),
        one('SELECT max(seq) AS o FROM outbox'),
        one('SELECT count(*) AS n, max(applied_ms) AS a FROM documents'),
        one('SELECT count(*) AS n, sum(length(data)) AS d FROM summary_windows'),
        one('SELECT count(*) AS n, max(updated_ms) AS u FROM kv'),
        JSON.stringify([status.lane, status.direction, status.vehicle ?? null]),
      ].join('|'),
    };
  }

  /** The kinds of the audit events written after the one numbered `afterId`. */
  newAuditKinds(afterId: number): string[] {
    return (
      this.db().prepare('SELECT kind FROM audit_events WHERE id > ?').all(afterId) as { kind: string }[]
    ).map((r) => r.kind);
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.ws?.terminate();
    this.nobodyWs?.terminate();
    await this.k.close();
  }
}
