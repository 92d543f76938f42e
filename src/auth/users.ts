// Kiosk accounts: guards, supervisors and admins (technicians), with scrypt PIN hashes and lockout.

import type { Db } from '../base/db.js';
import type { Role, UserView } from '../contract/api-audit.js';
import { KioskError } from '../contract/errors.js';
import { DEFAULT_PIN_COST, hashPin } from './pin.js';

export interface UserRow {
  id: number;
  name: string;
  display_name: string;
  role: Role;
  pin_hash: string;
  failed_count: number;
  locked_until_ms: number;
  disabled: number;
  created_ms: number;
  updated_ms: number;
}

export interface NewUser {
  name: string;
  displayName: string;
  role: Role;
  pin: string;
}

export interface UserPatch {
  displayName?: string | undefined;
  role?: Role | undefined;
  disabled?: boolean | undefined;
  pin?: string | undefined;
  unlock?: true | undefined;
}

export function toUserView(u: UserRow, nowMs: number): UserView {
  return {
    id: u.id,
    name: u.name,
    displayName: u.display_name,
    role: u.role,
    disabled: u.disabled === 1,
    failedCount: u.failed_count,
    lockedUntil: u.locked_until_ms > nowMs ? new Date(u.locked_until_ms).toISOString() : null,
    createdAt: new Date(u.created_ms).toISOString(),
  };
}

export class Users {
  private readonly s;

  constructor(
    readonly db: Db,
    private readonly pinCost = DEFAULT_PIN_COST,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      byId: p('SELECT * FROM users WHERE id = ?'),
      byName: p('SELECT * FROM users WHERE name = ? COLLATE NOCASE'),
      list: p('SELECT * FROM users ORDER BY role, name'),
      countAdmins: p("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0"),
      insert: p(`INSERT INTO users (name, display_name, role, pin_hash, created_ms, updated_ms)
        VALUES (?, ?, ?, ?, ?, ?)`),
      update: p(`UPDATE users SET display_name = ?, role = ?, disabled = ?, pin_hash = ?,
        failed_count = ?, locked_until_ms = ?, updated_ms = ? WHERE id = ?`),
      failure: p(`UPDATE users SET failed_count = failed_count + 1, updated_ms = ? WHERE id = ?`),
      lock: p('UPDATE users SET failed_count = 0, locked_until_ms = ?, updated_ms = ? WHERE id = ?'),
      success: p('UPDATE users SET failed_count = 0, locked_until_ms = 0 WHERE id = ? AND failed_count > 0'),
    };
  }

  get(id: number): UserRow | null {
    return (this.s.byId.get(id) as UserRow | undefined) ?? null;
  }

  byName(name: string): UserRow | null {
    return (this.s.byName.get(name.trim()) as UserRow | undefined) ?? null;
  }

  list(): UserRow[] {
    return this.s.list.all() as UserRow[];
  }

  hasAdmin(): boolean {
    return (this.s.countAdmins.get() as { n: number }).n > 0;
  }

  /** `audit` records the change in the same transaction: when it throws, no account is created. */
  async create(u: NewUser, nowMs: number, audit?: (row: UserRow) => void): Promise<UserRow> {
    const name = u.name.trim();
    if (this.byName(name)) {
      throw new KioskError('USER_EXISTS', `Đã có tài khoản ${name}`, `An account named ${name} exists`);
    }
    const hash = await hashPin(u.pin, this.pinCost);
    try {
      return this.db
        .transaction(() => {
          const info = this.s.insert.run(name, u.displayName.trim(), u.role, hash, nowMs, nowMs);
          const row = this.get(Number(info.lastInsertRowid)) as UserRow;
          audit?.(row);
          return row;
        })
        .immediate();
    } catch (err) {
      // The check above raced another create of the same name.
      if (String(err).includes('UNIQUE')) {
        throw new KioskError('USER_EXISTS', `Đã có tài khoản ${name}`, `An account named ${name} exists`);
      }
      throw err;
    }
  }

  /** `audit` records the change in the same transaction: when it throws, the account is unchanged. */
  async update(
    id: number,
    patch: UserPatch,
    nowMs: number,
    audit?: (row: UserRow) => void,
  ): Promise<UserRow> {
    const before = this.require(id);
    const pinHash = patch.pin ? await hashPin(patch.pin, this.pinCost) : before.pin_hash;
    const role = patch.role ?? before.role;
    const disabled = patch.disabled === undefined ? before.disabled : patch.disabled ? 1 : 0;
    // The kiosk must keep at least one admin able to log in, or nobody can manage accounts again.
    if (before.role === 'admin' && before.disabled === 0 && (role !== 'admin' || disabled === 1)) {
      if ((this.s.countAdmins.get() as { n: number }).n <= 1) {
        throw new KioskError(
          'LAST_ADMIN',
          'Không thể bỏ quyền quản trị viên cuối cùng',
          'Cannot remove the last admin',
        );
      }
    }
    const unlock = patch.unlock || patch.pin !== undefined;
    return this.db
      .transaction(() => {
        this.s.update.run(
          patch.displayName?.trim() ?? before.display_name,
          role,
          disabled,
          pinHash,
          unlock ? 0 : before.failed_count,
          unlock ? 0 : before.locked_until_ms,
          nowMs,
          id,
        );
        const row = this.require(id);
        audit?.(row);
        return row;
      })
      .immediate();
  }

  /** Counts a wrong PIN; at `maxAttempts` in a row the account locks for `lockMs`. Returns the lock end. */
  recordFailure(id: number, nowMs: number, maxAttempts: number, lockMs: number): number | null {
    return this.db
      .transaction(() => {
        this.s.failure.run(nowMs, id);
        const u = this.require(id);
        if (u.failed_count < maxAttempts) return null;
        const until = nowMs + lockMs;
        this.s.lock.run(until, nowMs, id);
        return until;
      })
      .immediate();
  }

  recordSuccess(id: number): void {
    this.s.success.run(id);
  }

  require(id: number): UserRow {
    const u = this.get(id);
    if (!u) throw new KioskError('USER_NOT_FOUND', `Không có tài khoản số ${id}`, `No account ${id}`);
    return u;
  }
}
