// Login sessions: a random 256-bit token held by the client (HttpOnly cookie, or the Electron window),
// only its SHA-256 in the database, so sessions survive a kiosk restart (a crash must not log the guard
// out mid-shift) while a copied database file opens none. Each session expires after an idle time and
// after an absolute lifetime, both by role.
import { createHash, randomBytes } from 'node:crypto';
import type { CallerSession, Transport } from '../api/dispatch.js';
import type { Db } from '../base/db.js';
import type { Role } from '../contract/api-audit.js';
import type { UserRow } from './users.js';

/** Idle time and absolute lifetime by role; the command centre passes its own role set. */
export interface SessionPolicy<R extends string = Role> {
  idleMs: Record<R, number>;
  maxMs: Record<R, number>;
}

/** When a session of `role` created at `createdMs` and last used at `lastSeenMs` ends. */
export function sessionEnd<R extends string>(
  policy: SessionPolicy<R>,
  role: R,
  createdMs: number,
  lastSeenMs: number,
): { idleEnd: number; maxEnd: number; expiresMs: number } {
  const idleEnd = lastSeenMs + policy.idleMs[role];
  const maxEnd = createdMs + policy.maxMs[role];
  return { idleEnd, maxEnd, expiresMs: Math.min(idleEnd, maxEnd) };
}

/** A session's token: 256 random bits for the client, its CSRF token beside it. */
export function newSessionToken(): { token: string; id: string; csrf: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: tokenId(token), csrf: randomBytes(18).toString('base64url') };
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * A guard's screen may sit untouched for hours while the serial scanner works, so a guard's session
 * lasts the shift (12 h idle, 16 h at most); a supervisor's laptop or an admin's session is more exposed.
 */
export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: { guard: 12 * HOUR, supervisor: 30 * MINUTE, admin: 15 * MINUTE },
  maxMs: { guard: 16 * HOUR, supervisor: 12 * HOUR, admin: 4 * HOUR },
};

interface SessionRow {
  id: string;
  user_id: number;
  role: Role;
  csrf: string;
  created_ms: number;
  last_seen_ms: number;
  expires_ms: number;
}

interface Cached {
  session: CallerSession;
  createdMs: number;
  lastSeenMs: number;
  /** When last_seen_ms was last written: at most once a minute, not on every call. */
  writtenMs: number;
}

export function tokenId(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class Sessions {
  private readonly cache = new Map<string, Cached>();
  private readonly s;

  constructor(
    db: Db,
    private readonly policy: SessionPolicy,
    private readonly users: { get(id: number): UserRow | null },
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert:
        p(`INSERT INTO sessions (id, user_id, role, csrf, created_ms, last_seen_ms, expires_ms, transport, peer)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      get: p('SELECT * FROM sessions WHERE id = ?'),
      touch: p('UPDATE sessions SET last_seen_ms = ? WHERE id = ?'),
      delete: p('DELETE FROM sessions WHERE id = ?'),
      deleteUser: p('DELETE FROM sessions WHERE user_id = ?'),
      expired: p('DELETE FROM sessions WHERE expires_ms <= ? OR last_seen_ms <= ? - ?'),
    };
  }

  create(
    user: UserRow,
    nowMs: number,
    transport: Transport,
    peer: string | null,
  ): { token: string; session: CallerSession } {
    const { token, id, csrf } = newSessionToken();
    const expires = nowMs + this.policy.maxMs[user.role];
    this.s.insert.run(id, user.id, user.role, csrf, nowMs, nowMs, expires, transport, peer);
    const session = this.toSession(id, user, csrf, nowMs, nowMs);
    this.cache.set(id, { session, createdMs: nowMs, lastSeenMs: nowMs, writtenMs: nowMs });
    return { token, session };
  }

  /** The live session of a token, refreshed; null when unknown, expired, or its user disabled or changed role. */
  resolve(token: string | null, nowMs: number, touch = true): CallerSession | null {
    if (!token || token.length > 128) return null;
    const id = tokenId(token);
    let c = this.cache.get(id);
    if (!c) {
      const row = this.s.get.get(id) as SessionRow | undefined;
      if (!row) return null;
      const user = this.users.get(row.user_id);
      if (!user) return null;
      c = {
        session: this.toSession(id, user, row.csrf, row.created_ms, row.last_seen_ms),
        createdMs: row.created_ms,
        lastSeenMs: row.last_seen_ms,
        writtenMs: row.last_seen_ms,
      };
      this.cache.set(id, c);
    }
    const user = this.users.get(c.session.userId);
    const role = c.session.role;
    const { idleEnd, maxEnd } = sessionEnd(this.policy, role, c.createdMs, c.lastSeenMs);
    if (!user || user.disabled === 1 || user.role !== role || nowMs >= idleEnd || nowMs >= maxEnd) {
      this.end(id);
      return null;
    }
    if (touch) {
      c.lastSeenMs = nowMs;
      if (nowMs - c.writtenMs >= MINUTE) {
        c.writtenMs = nowMs;
        // A disk that refuses writes must not lock the guard out: the session lives on in memory and
        // is written at the next touch that succeeds.
        try {
          this.s.touch.run(nowMs, id);
        } catch {
          c.writtenMs = c.lastSeenMs - MINUTE;
        }
      }
      c.session = { ...c.session, expiresMs: Math.min(nowMs + this.policy.idleMs[role], maxEnd) };
    }
    return c.session;
  }

  end(id: string): void {
    this.cache.delete(id);
    this.s.delete.run(id);
  }

  endForUser(userId: number): void {
    for (const [id, c] of this.cache) if (c.session.userId === userId) this.cache.delete(id);
    this.s.deleteUser.run(userId);
  }

  /** Deletes sessions past their lifetime or idle for longer than the longest idle time. */
  purgeExpired(nowMs: number): void {
    const longestIdle = Math.max(...Object.values(this.policy.idleMs));
    this.s.expired.run(nowMs, nowMs, longestIdle);
    for (const [id, c] of this.cache) {
      const role = c.session.role;
      if (
        nowMs >= c.createdMs + this.policy.maxMs[role] ||
        nowMs >= c.lastSeenMs + this.policy.idleMs[role]
      ) {
        this.cache.delete(id);
      }
    }
  }

  private toSession(
    id: string,
    user: UserRow,
    csrf: string,
    createdMs: number,
    lastSeenMs: number,
  ): CallerSession {
    return {
      id,
      userId: user.id,
      name: user.name,
      displayName: user.display_name,
      role: user.role,
      csrf,
      expiresMs: sessionEnd(this.policy, user.role, createdMs, lastSeenMs).expiresMs,
    };
  }
}
