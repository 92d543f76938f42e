// Roles at run time: logins with lockout, sessions, accounts and shifts, and the Authorizer the
// Dispatcher asks on every call. A part of the kiosk: the constructor stores, start() loads.
import type { Authorizer, CallContext, Caller, CallerSession, Implementation } from '../api/dispatch.js';
import type { Db } from '../base/db.js';
import { ACCESS, EVENT_ACCESS, type MethodAccess, roleAllowed } from '../contract/access.js';
import type { EventName, MethodName } from '../contract/api.js';
import type { Role, SessionView } from '../contract/api-audit.js';
import { auditFailed, KioskError } from '../contract/errors.js';
import type { AuditChain } from '../store/chain-log.js';
import { accountLocked, checkCredentials } from './credentials.js';
import { DEFAULT_PIN_COST, randomPin, verifyPin } from './pin.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy, Sessions } from './sessions.js';
import { type ShiftRow, Shifts } from './shifts.js';
import { toUserView, type UserRow, Users } from './users.js';

export interface BootstrapUser {
  name: string;
  displayName?: string | undefined;
  role: Role;
  pin: string;
}

export interface AuthOptions {
  lockoutAttempts?: number;
  lockoutMs?: number;
  sessions?: SessionPolicy;
  pinCost?: number;
  /** Accounts created at start when no account of that name exists (kiosk.json `auth.users`). */
  bootstrapUsers?: BootstrapUser[];
  /** The lane the kiosk serves now: a shift records it. */
  lane: () => string;
  now: () => number;
  /** Told after a shift opens or closes (the kiosk re-announces its status). */
  onShiftChange?: () => void;
}

type AuthMethods = Pick<
  Implementation,
  Extract<MethodName, `auth.${string}` | `users.${string}` | `shift.${string}`>
>;

export class AuthService implements Authorizer {
  readonly users: Users;
  readonly sessions: Sessions;
  readonly shifts: Shifts;
  private readonly attempts: number;
  private readonly lockMs: number;
  private readonly pinCost: number;

  constructor(
    db: Db,
    private readonly chain: AuditChain,
    private readonly opts: AuthOptions,
  ) {
    this.pinCost = opts.pinCost ?? DEFAULT_PIN_COST;
    this.users = new Users(db, this.pinCost);
    this.sessions = new Sessions(db, opts.sessions ?? DEFAULT_SESSION_POLICY, this.users);
    this.shifts = new Shifts(db, chain);
    this.attempts = opts.lockoutAttempts ?? 5;
    this.lockMs = opts.lockoutMs ?? 5 * 60_000;
  }

  private now(): number {
    return this.opts.now();
  }

  /**
   * Loads the open shift and creates the configured accounts. With no admin at all, creates `admin`
   * with a random PIN and returns it so that the first start can print it once.
   */
  async start(): Promise<{ firstRunAdminPin: string | null }> {
    this.shifts.start();
    this.sessions.purgeExpired(this.now());
    for (const u of this.opts.bootstrapUsers ?? []) {
      if (this.users.byName(u.name)) continue;
      await this.users.create(
        { name: u.name, displayName: u.displayName ?? u.name, role: u.role, pin: u.pin },
        this.now(),
        (row) =>
          this.auditChange('user_create', null, {
            id: row.id,
            name: row.name,
            role: row.role,
            source: 'config',
          }),
      );
    }
    if (this.users.hasAdmin()) return { firstRunAdminPin: null };
    const pin = randomPin(8);
    const name = this.users.byName('admin') ? `admin-${Date.now() % 100000}` : 'admin';
    const row = await this.users.create(
      { name, displayName: 'Quản trị viên', role: 'admin', pin },
      this.now(),
      (r) =>
        this.auditChange('user_create', null, { id: r.id, name: r.name, role: 'admin', source: 'first-run' }),
    );
    return { firstRunAdminPin: `${row.name} / ${pin}` };
  }

  /** An account change's audit record, inside the change's transaction: a failure undoes the change. */
  private auditChange(
    kind: string,
    who: CallerSession | UserRow | null,
    details: Record<string, unknown>,
  ): void {
    try {
      this.audit(kind, who, details);
    } catch (err) {
      throw auditFailed(err, { vi: 'thay đổi tài khoản', en: 'the account change' });
    }
  }

  private audit(
    kind: string,
    who: CallerSession | UserRow | null,
    details: Record<string, unknown>,
    shiftId?: number,
  ) {
    const userId = who ? ('userId' in who ? who.userId : who.id) : null;
    const userName = who ? ('displayName' in who ? who.displayName : who.display_name) : null;
    return this.chain.append({ atMs: this.now(), kind, userId, userName, shiftId: shiftId ?? null, details });
  }

  // --- Authorizer -------------------------------------------------------------------------------

  authorize(method: MethodName, ctx: CallContext): Caller {
    const access = ACCESS[method];
    const session = this.sessions.resolve(ctx.token, this.now());
    this.check(access, session, ctx);
    return { ctx, session };
  }

  mayReceive(event: EventName, ctx: CallContext): boolean {
    const access = EVENT_ACCESS[event];
    if (access.who === 'public') return true;
    const session = this.sessions.resolve(ctx.token, this.now(), false);
    try {
      this.check(access, session, { ...ctx, transport: 'internal' });
      return true;
    } catch {
      return false;
    }
  }

  private check(access: MethodAccess, session: CallerSession | null, ctx: CallContext): void {
    if (access.who === 'public') return;
    if (!session) {
      throw ctx.token
        ? new KioskError(
            'SESSION_EXPIRED',
            'Phiên đã hết hạn: hãy đăng nhập lại',
            'Session expired: log in again',
          )
        : new KioskError('UNAUTHENTICATED', 'Cần đăng nhập', 'Login required');
    }
    // A cookie rides along with any request the browser makes; the header proves our own page sent it.
    if (ctx.transport === 'http' && ctx.csrf !== session.csrf) {
      throw new KioskError('CSRF', 'Thiếu mã chống giả mạo yêu cầu', 'Missing or wrong CSRF token');
    }
    if (!roleAllowed(access, session.role)) {
      throw new KioskError(
        'FORBIDDEN',
        'Tài khoản của bạn không được làm việc này',
        'Your role may not do this',
      );
    }
    if (access.ownShift) {
      const shift = this.shifts.current();
      if (!shift) throw new KioskError('NO_SHIFT', 'Chưa mở ca trực', 'No shift is open');
      if (shift.user_id !== session.userId) {
        throw new KioskError(
          'NOT_YOUR_SHIFT',
          `Ca đang mở là của ${shift.guard}`,
          `The open shift belongs to ${shift.guard}`,
        );
      }
    }
  }

  // --- Logins -----------------------------------------------------------------------------------

  /**
   * A name and PIN checked as a login checks them: the same scrypt work for unknown names, the same
   * lockout and the same `login_failed` audit (with `extra` in its details). Creates no session.
   */
  private async checkCredentials(
    name: string,
    pin: string,
    extra: Record<string, unknown>,
  ): Promise<UserRow> {
    return checkCredentials(
      {
        byName: (n) => this.users.byName(n),
        fields: (u) => ({
          id: u.id,
          name: u.name,
          secretHash: u.pin_hash,
          disabled: u.disabled === 1,
          lockedUntilMs: u.locked_until_ms,
        }),
        recordFailure: (id, now, max, lockMs) => this.users.recordFailure(id, now, max, lockMs),
        recordSuccess: (id) => this.users.recordSuccess(id),
      },
      {
        attempts: this.attempts,
        lockMs: this.lockMs,
        pinCost: this.pinCost,
        now: () => this.now(),
        onRefused: (user, n, why) => {
          this.audit('login_failed', why === 'unknown' || why === 'disabled' ? null : user, {
            name: n,
            why,
            ...extra,
          });
        },
        onLockout: (user, until) => {
          this.audit('lockout', user, { name: user.name, until: new Date(until).toISOString() });
        },
      },
      name,
      pin,
    );
  }

  /**
   * A supervisor's approval given at the guard's kiosk (spec/policy.md "Overrides"): the name and PIN
   * of an enabled supervisor account, checked like a login. No session is created. Throws
   * SUPERVISOR_INVALID for a wrong name or PIN or another role, ACCOUNT_LOCKED as a login does.
   */
  async approveAsSupervisor(name: string, pin: string, peer: string | null): Promise<UserRow> {
    let user: UserRow;
    try {
      user = await this.checkCredentials(name, pin, { peer, purpose: 'override-approval' });
    } catch (err) {
      if (err instanceof KioskError && err.code === 'LOGIN_FAILED') throw supervisorInvalid();
      throw err;
    }
    if (user.role !== 'supervisor') {
      // The right PIN of a guard or technician: no approval, and the attempt is on the record.
      this.audit('login_failed', user, { name: user.name, why: 'role', peer, purpose: 'override-approval' });
      throw supervisorInvalid();
    }
    return user;
  }

  async login(name: string, pin: string, ctx: CallContext): Promise<SessionView> {
    const now = this.now();
    const user = await this.checkCredentials(name, pin, { peer: ctx.peer ?? null });
    const old = this.sessions.resolve(ctx.token, now, false);
    if (old) this.sessions.end(old.id);
    const { token, session } = this.sessions.create(user, this.now(), ctx.transport, ctx.peer ?? null);
    ctx.setToken?.(token, session.expiresMs);
    this.audit('login', session, { transport: ctx.transport, peer: ctx.peer ?? null });
    return this.sessionView(session);
  }

  sessionView(s: CallerSession): SessionView {
    const shift = this.shifts.current();
    return {
      user: { id: s.userId, name: s.name, displayName: s.displayName, role: s.role },
      expiresAt: new Date(s.expiresMs).toISOString(),
      csrfToken: s.csrf,
      shift: shift ? this.shifts.view(shift) : null,
    };
  }

  /** The session of a caller, or a bilingual refusal (methods that need one always get one). */
  private need(c: Caller): CallerSession {
    if (!c.session) throw new KioskError('UNAUTHENTICATED', 'Cần đăng nhập', 'Login required');
    return c.session;
  }

  private userOf(c: Caller): UserRow {
    return this.users.require(this.need(c).userId);
  }

  currentShift(): ShiftRow | null {
    return this.shifts.current();
  }

  methods(): AuthMethods {
    return {
      'auth.login': async (p, c) => this.login(p.name, p.pin, c.ctx),
      'auth.logout': async (_p, c) => {
        const s = this.need(c);
        this.sessions.end(s.id);
        c.ctx.setToken?.(null);
        this.audit('logout', s, {});
        return { ok: true as const };
      },
      'auth.whoami': async (_p, c) => (c.session ? this.sessionView(c.session) : null),
      'auth.changePin': async (p, c) => {
        const user = this.userOf(c);
        if (!(await verifyPin(p.currentPin, user.pin_hash))) {
          const until = this.users.recordFailure(user.id, this.now(), this.attempts, this.lockMs);
          this.audit('login_failed', user, { name: user.name, why: 'pin-change' });
          if (until !== null) {
            this.sessions.endForUser(user.id);
            throw accountLocked(until - this.now());
          }
          throw new KioskError('LOGIN_FAILED', 'Mã PIN hiện tại không đúng', 'The current PIN is wrong');
        }
        await this.users.update(user.id, { pin: p.newPin }, this.now(), () =>
          this.auditChange('pin_change', user, { id: user.id }),
        );
        return { ok: true as const };
      },
      'users.list': async () => this.users.list().map((u) => toUserView(u, this.now())),
      'users.create': async (p, c) => {
        const by = this.need(c);
        const row = await this.users.create(p, this.now(), (r) =>
          this.auditChange('user_create', by, { id: r.id, name: r.name, role: r.role }),
        );
        return toUserView(row, this.now());
      },
      'users.update': async (p, c) => {
        const { id, ...patch } = p;
        const by = this.need(c);
        const changes = Object.keys(patch).filter((k) => k !== 'pin');
        if (patch.pin) changes.push('pin');
        const row = await this.users.update(id, patch, this.now(), (r) =>
          this.auditChange('user_update', by, { id, name: r.name, changes, role: r.role }),
        );
        // A changed role, a disabled account or a new PIN ends the account's sessions.
        if (patch.role || patch.disabled || patch.pin) this.sessions.endForUser(id);
        return toUserView(row, this.now());
      },
      'shift.current': async () => {
        const cur = this.shifts.current();
        const prev = this.shifts.previous();
        return { shift: cur ? this.shifts.view(cur) : null, previous: prev ? this.shifts.view(prev) : null };
      },
      'shift.open': async (_p, c) => {
        const shift = this.shifts.openShift(this.userOf(c), this.opts.lane(), this.now());
        this.opts.onShiftChange?.();
        return this.shifts.view(shift);
      },
      'shift.close': async (p, c) => {
        const by = this.userOf(c);
        const shift = this.shifts.closeShift(by, p.notes, this.now());
        // The guard's work ends with the shift: the next guard logs in on a clean screen.
        if (by.role === 'guard') {
          this.sessions.end(this.need(c).id);
          c.ctx.setToken?.(null);
        }
        this.opts.onShiftChange?.();
        return this.shifts.view(shift);
      },
      'shift.list': async (p) => {
        const { rows, more } = this.shifts.list(
          p.from ? parseTime(p.from, 'from') : 0,
          p.to ? parseTime(p.to, 'to') : Number.MAX_SAFE_INTEGER,
          p.before ?? Number.MAX_SAFE_INTEGER,
          p.limit,
        );
        return { shifts: rows.map((r) => this.shifts.view(r)), more };
      },
      'shift.get': async (p) => this.shifts.view(this.shifts.get(p.id)),
      'shift.signoff': async (p, c) =>
        this.shifts.view(this.shifts.signoff(p.id, this.userOf(c), p.note, this.now())),
    };
  }
}

function supervisorInvalid(): KioskError {
  return new KioskError(
    'SUPERVISOR_INVALID',
    'Sai tên đăng nhập hoặc mã PIN của chỉ huy',
    'Wrong supervisor name or PIN',
  );
}

/** An ISO-8601 time from the API, or a bilingual BAD_PARAMS error. */
export function parseTime(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new KioskError(
      'BAD_PARAMS',
      `${field}: thời gian không hợp lệ (ISO-8601)`,
      `${field}: not a valid time (ISO-8601)`,
    );
  }
  return ms;
}
