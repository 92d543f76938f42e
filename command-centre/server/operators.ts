// The command centre's operators at run time: logins (the kiosk's credential check, scrypt and lockout),
// sessions, accounts, the audit log and its reading. Storage is an OperatorStore; nothing here is SQL.
import { checkCredentials } from '../../src/auth/credentials.js';
import { DEFAULT_PIN_COST, hashPin, randomPin } from '../../src/auth/pin.js';
import { newSessionToken, type SessionPolicy, sessionEnd, tokenId } from '../../src/auth/sessions.js';
import { KioskError } from '../../src/contract/errors.js';
import { type AccountView, parseAccountInput, toAccountView } from './accounts.js';
import type { AccountRow, AuditEntry, AuditInput, CcRole, OperatorStore, Scope } from './operator-store.js';
import { auditVisible, forbidden, may, outOfScope, scopeWithin } from './scope.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SECRET = { vi: 'mật khẩu', en: 'password' };

/** A wall screen watches all day; those who sign or manage accounts are logged out sooner. */
export const CC_SESSION_POLICY: SessionPolicy<CcRole> = {
  idleMs: { viewer: 12 * HOUR, operator: 12 * HOUR, publisher: 30 * MINUTE, admin: 15 * MINUTE },
  maxMs: { viewer: 24 * HOUR, operator: 16 * HOUR, publisher: 8 * HOUR, admin: 4 * HOUR },
};

/** Who is calling: an account as its session knows it. */
export interface Operator {
  sessionId: string;
  id: number;
  name: string;
  displayName: string;
  role: CcRole;
  scope: Scope;
  csrf: string;
  expiresMs: number;
  /** The session's absolute end: the cookie lives this long, the server ends it sooner when idle. */
  maxEndMs: number;
}

export interface OperatorsOptions {
  now?: () => number;
  pinCost?: number;
  lockoutAttempts?: number;
  lockoutMs?: number;
  sessions?: SessionPolicy<CcRole>;
}

/** The districts an entry concerns, for whose eyes it is (absent: the city's). */
export function districtsOf(scope: Scope): { districts?: string[] } {
  return scope === 'city' ? {} : { districts: scope };
}

export class Operators {
  private readonly policy: SessionPolicy<CcRole>;
  private readonly pinCost: number;

  constructor(
    readonly store: OperatorStore,
    private readonly opts: OperatorsOptions = {},
  ) {
    this.policy = opts.sessions ?? CC_SESSION_POLICY;
    this.pinCost = opts.pinCost ?? DEFAULT_PIN_COST;
  }

  now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private entry(
    kind: string,
    who: { id: number; displayName: string } | null,
    details: Record<string, unknown>,
  ) {
    return { atMs: this.now(), kind, userId: who?.id ?? null, userName: who?.displayName ?? null, details };
  }

  /** Appends to the audit chain; a publication is audited before it is sent, or not sent. */
  audit(kind: string, who: Operator | null, details: Record<string, unknown>): Promise<AuditEntry> {
    return this.store.appendAudit(this.entry(kind, who, details));
  }

  auditEntry(kind: string, who: Operator, details: Record<string, unknown>): AuditInput {
    return this.entry(kind, who, details);
  }

  async login(
    name: string,
    password: string,
    peer: string | null,
  ): Promise<{ token: string; operator: Operator; atMs: number }> {
    const account = await checkCredentials(
      {
        byName: (n) => this.store.accountByName(n),
        fields: (a) => ({
          id: a.id,
          name: a.name,
          secretHash: a.secretHash,
          disabled: a.disabled,
          lockedUntilMs: a.lockedUntilMs,
        }),
        recordFailure: (id, now, max, lockMs) => this.store.recordFailure(id, now, max, lockMs),
        recordSuccess: (id) => this.store.recordSuccess(id),
      },
      {
        attempts: this.opts.lockoutAttempts ?? 5,
        lockMs: this.opts.lockoutMs ?? 5 * MINUTE,
        pinCost: this.pinCost,
        now: () => this.now(),
        secret: SECRET,
        onRefused: async (a, n, why) => {
          const known = a && why !== 'unknown';
          await this.store.appendAudit(
            this.entry('login_failed', known ? a : null, {
              name: n,
              why,
              peer,
              ...(known ? districtsOf(a.scope) : {}),
            }),
          );
        },
        onLockout: async (a, until) => {
          await this.store.appendAudit(
            this.entry('lockout', a, {
              name: a.name,
              until: new Date(until).toISOString(),
              ...districtsOf(a.scope),
            }),
          );
        },
      },
      name,
      password,
    );
    const now = this.now();
    const { token, id, csrf } = newSessionToken();
    await this.store.createSession({
      id,
      accountId: account.id,
      role: account.role,
      csrf,
      createdMs: now,
      lastSeenMs: now,
    });
    const operator = this.operatorOf(account, id, csrf, now, now);
    await this.audit('login', operator, { peer, ...districtsOf(account.scope) });
    return { token, operator, atMs: now };
  }

  private operatorOf(
    a: AccountRow,
    sessionId: string,
    csrf: string,
    createdMs: number,
    lastSeenMs: number,
  ): Operator {
    return {
      sessionId,
      id: a.id,
      name: a.name,
      displayName: a.displayName,
      role: a.role,
      scope: a.scope,
      csrf,
      expiresMs: sessionEnd(this.policy, a.role, createdMs, lastSeenMs).expiresMs,
      maxEndMs: sessionEnd(this.policy, a.role, createdMs, lastSeenMs).maxEnd,
    };
  }

  /** The live operator of a token, or null: unknown, expired, or the account disabled or changed role. */
  async resolve(token: string | null, touch = true): Promise<Operator | null> {
    if (!token || token.length > 128) return null;
    return this.resolveSession(tokenId(token), touch);
  }

  /** The live operator of a session id (a stream rechecks its session with it), or null. */
  async resolveSession(id: string, touch = false): Promise<Operator | null> {
    const s = await this.store.session(id);
    if (!s) return null;
    const a = await this.store.accountById(s.accountId);
    const now = this.now();
    const { expiresMs } = sessionEnd(this.policy, s.role, s.createdMs, s.lastSeenMs);
    if (!a || a.disabled || a.role !== s.role || now >= expiresMs) {
      await this.store.endSession(s.id);
      return null;
    }
    // Written at most once a minute: a dashboard's calls do not each cost a write.
    const seen = touch && now - s.lastSeenMs >= MINUTE ? now : s.lastSeenMs;
    if (seen !== s.lastSeenMs) await this.store.touchSession(s.id, seen);
    return this.operatorOf(a, s.id, s.csrf, s.createdMs, seen);
  }

  /** Forgets sessions idle longer than any role's idle time (at start: a restart keeps live ones). */
  async purgeExpired(): Promise<void> {
    await this.store.purgeSessions(this.now() - Math.max(...Object.values<number>(this.policy.idleMs)));
  }

  async logout(op: Operator): Promise<void> {
    await this.store.endSession(op.sessionId);
    await this.audit('logout', op, districtsOf(op.scope));
  }

  /** Creates an account from the CLI (no caller: the first admin) or the API (an admin within scope). */
  async createAccount(by: Operator | null, body: unknown): Promise<AccountView> {
    const p = parseAccountInput(body, false);
    if (by) this.mayManage(by, p.scope as Scope);
    const secretHash = await hashPin(p.secret as string, this.pinCost);
    const row = await this.store.createAccount(
      {
        name: p.name as string,
        displayName: p.displayName || (p.name as string),
        role: p.role as CcRole,
        scope: p.scope as Scope,
        secretHash,
      },
      this.now(),
      (r) =>
        this.entry('account_create', by, {
          id: r.id,
          name: r.name,
          role: r.role,
          scope: r.scope,
          ...(by ? {} : { source: 'cli' }),
          ...districtsOf(r.scope),
        }),
    );
    return toAccountView(row, this.now());
  }

  async updateAccount(by: Operator | null, id: number, body: unknown): Promise<AccountView> {
    const p = parseAccountInput(body, true);
    const before = await this.store.accountById(id);
    if (!before) throw new KioskError('USER_NOT_FOUND', `Không có tài khoản số ${id}`, `No account ${id}`);
    if (by) {
      this.mayManage(by, before.scope);
      if (p.scope) this.mayManage(by, p.scope);
    }
    const role = p.role ?? before.role;
    const scope = p.scope ?? before.scope;
    const disabled = p.disabled ?? before.disabled;
    // Someone must always be able to manage accounts city-wide, or nobody can again.
    if (before.role === 'admin' && before.scope === 'city' && !before.disabled) {
      if ((role !== 'admin' || scope !== 'city' || disabled) && (await this.store.cityAdmins()) <= 1) {
        throw new KioskError(
          'LAST_ADMIN',
          'Không thể bỏ quyền quản trị viên cuối cùng',
          'Cannot remove the last admin',
        );
      }
    }
    const changes = Object.keys(p).map((k) => (k === 'secret' ? 'password' : k));
    const row = await this.store.updateAccount(
      id,
      {
        ...(p.displayName !== undefined && { displayName: p.displayName }),
        role,
        scope,
        disabled,
        ...(p.secret !== undefined && { secretHash: await hashPin(p.secret, this.pinCost) }),
      },
      this.now(),
      (r) =>
        this.entry('account_update', by, {
          id,
          name: r.name,
          changes,
          role: r.role,
          scope: r.scope,
          ...(by ? {} : { source: 'cli' }),
          ...districtsOf(r.scope),
        }),
    );
    // A changed role, scope, password or a disabled account ends the account's sessions.
    if (p.role || p.scope || p.secret || p.disabled) await this.store.endSessionsOf(id);
    return toAccountView(row, this.now());
  }

  async listAccounts(by: Operator): Promise<AccountView[]> {
    if (!may(by.role, 'accounts')) throw forbidden();
    const all = await this.store.listAccounts();
    return all.filter((a) => scopeWithin(a.scope, by.scope)).map((a) => toAccountView(a, this.now()));
  }

  /** An admin manages accounts within its own scope only: a district admin cannot make a city account. */
  private mayManage(by: Operator, scope: Scope): void {
    if (!may(by.role, 'accounts')) throw forbidden();
    if (!scopeWithin(scope, by.scope))
      throw outOfScope(scope === 'city' ? null : (scope.find((d) => !by.scope.includes(d)) ?? null));
  }

  /** The audit log, newest first, as far as the reader's scope reaches; with whether the chain verifies. */
  async readAudit(
    by: Operator,
    beforeId: number,
    limit: number,
  ): Promise<{ entries: AuditEntry[]; chain: { entries: number; firstBad: number | null } }> {
    if (!may(by.role, 'audit')) throw forbidden();
    const out: AuditEntry[] = [];
    let cursor = beforeId;
    // A district admin's page may need several reads of the city's log to fill.
    for (let round = 0; round < 20 && out.length < limit; round++) {
      const page = await this.store.readAudit(cursor, 200);
      if (page.length === 0) break;
      for (const e of page) if (out.length < limit && auditVisible(by.scope, e.details)) out.push(e);
      cursor = page[page.length - 1]!.id;
    }
    return { entries: out, chain: await this.store.verifyAudit() };
  }

  /** A random password for a first admin made without one: printed once by the CLI. */
  static randomPassword(): string {
    return `${randomPin(4)}-${randomPin(4)}-${randomPin(4)}`;
  }
}
