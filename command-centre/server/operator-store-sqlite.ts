// The operators' store in the command centre's SQLite database (migration 3). Each audited change and
// its audit entry commit in one IMMEDIATE transaction, so aggregators sharing the file keep one chain.
import type { Db } from '../../src/base/db.js';
import { KioskError } from '../../src/contract/errors.js';
import {
  account,
  approval,
  ChainCheck,
  entry,
  nextAuditRow,
  type Raw,
  scopeText,
  session,
} from './operator-rows.js';
import type {
  AccountPatch,
  AccountRow,
  AlertAck,
  ApprovalRow,
  ApprovalState,
  AuditEntry,
  AuditInput,
  NewAccount,
  OperatorStore,
  SessionRow,
} from './operator-store.js';

export class SqliteOperatorStore implements OperatorStore {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      byId: p('SELECT * FROM cc_accounts WHERE id = ?'),
      byName: p('SELECT * FROM cc_accounts WHERE name = ? COLLATE NOCASE'),
      list: p('SELECT * FROM cc_accounts ORDER BY role, name'),
      cityAdmins: p(
        "SELECT count(*) AS n FROM cc_accounts WHERE role = 'admin' AND scope = 'city' AND disabled = 0",
      ),
      insert:
        p(`INSERT INTO cc_accounts (name, display_name, role, scope, secret_hash, created_ms, updated_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      update: p(`UPDATE cc_accounts SET display_name = ?, role = ?, scope = ?, disabled = ?, secret_hash = ?,
        failed_count = ?, locked_until_ms = ?, updated_ms = ? WHERE id = ?`),
      failure: p('UPDATE cc_accounts SET failed_count = failed_count + 1, updated_ms = ? WHERE id = ?'),
      lock: p('UPDATE cc_accounts SET failed_count = 0, locked_until_ms = ?, updated_ms = ? WHERE id = ?'),
      success: p(
        'UPDATE cc_accounts SET failed_count = 0, locked_until_ms = 0 WHERE id = ? AND failed_count > 0',
      ),
      sessionInsert: p(`INSERT INTO cc_sessions (id, account_id, role, csrf, created_ms, last_seen_ms)
        VALUES (?, ?, ?, ?, ?, ?)`),
      session: p('SELECT * FROM cc_sessions WHERE id = ?'),
      touch: p('UPDATE cc_sessions SET last_seen_ms = ? WHERE id = ?'),
      endSession: p('DELETE FROM cc_sessions WHERE id = ?'),
      endSessionsOf: p('DELETE FROM cc_sessions WHERE account_id = ?'),
      purge: p('DELETE FROM cc_sessions WHERE last_seen_ms < ?'),
      auditHead: p('SELECT id, hash FROM cc_audit ORDER BY id DESC LIMIT 1'),
      auditInsert: p(`INSERT INTO cc_audit (id, at_ms, kind, user_id, user_name, details, prev_hash, hash)
        VALUES (@id, @at_ms, @kind, @user_id, @user_name, @details, @prev_hash, @hash)`),
      auditPage: p('SELECT * FROM cc_audit WHERE id < ? ORDER BY id DESC LIMIT ?'),
      auditAll: p('SELECT * FROM cc_audit ORDER BY id'),
      approvalInsert:
        p(`INSERT INTO cc_approvals (kind, request, requested_by, requested_name, requested_ms, state)
        VALUES (?, ?, ?, ?, ?, 'pending')`),
      approval: p('SELECT * FROM cc_approvals WHERE id = ?'),
      approvals: p("SELECT * FROM cc_approvals ORDER BY state = 'pending' DESC, id DESC LIMIT ?"),
      decide:
        p(`UPDATE cc_approvals SET state = ?, decided_by = ?, decided_name = ?, decided_ms = ?, outcome = ?
        WHERE id = ? AND state = ?`),
      ack: p('INSERT OR IGNORE INTO cc_alert_acks (seq, account_id, user_name, at_ms) VALUES (?, ?, ?, ?)'),
      acks: p(
        'SELECT seq, user_name, at_ms FROM cc_alert_acks WHERE seq IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  /** Appends inside the caller's transaction (or its own). */
  private append(e: AuditInput): AuditEntry {
    const row = nextAuditRow(e, this.s.auditHead.get() as { id: number; hash: string } | undefined);
    this.s.auditInsert.run(row);
    return entry(row);
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  async accountById(id: number) {
    return account(this.s.byId.get(id) as Raw | undefined);
  }

  async accountByName(name: string) {
    return account(this.s.byName.get(name.trim()) as Raw | undefined);
  }

  async listAccounts() {
    return (this.s.list.all() as Raw[]).map((r) => account(r) as AccountRow);
  }

  async cityAdmins() {
    return (this.s.cityAdmins.get() as { n: number }).n;
  }

  async createAccount(a: NewAccount, nowMs: number, audit: (row: AccountRow) => AuditInput) {
    try {
      return this.tx(() => {
        const info = this.s.insert.run(
          a.name.trim(),
          a.displayName.trim(),
          a.role,
          scopeText(a.scope),
          a.secretHash,
          nowMs,
          nowMs,
        );
        const row = account(this.s.byId.get(Number(info.lastInsertRowid)) as Raw) as AccountRow;
        this.append(audit(row));
        return row;
      });
    } catch (err) {
      if (String(err).includes('UNIQUE')) {
        throw new KioskError('USER_EXISTS', `Đã có tài khoản ${a.name}`, `An account named ${a.name} exists`);
      }
      throw err;
    }
  }

  async updateAccount(
    id: number,
    patch: AccountPatch,
    nowMs: number,
    audit: (row: AccountRow) => AuditInput,
  ) {
    return this.tx(() => {
      const before = account(this.s.byId.get(id) as Raw | undefined);
      if (!before) throw new KioskError('USER_NOT_FOUND', `Không có tài khoản số ${id}`, `No account ${id}`);
      const fresh = patch.secretHash !== undefined;
      this.s.update.run(
        patch.displayName?.trim() ?? before.displayName,
        patch.role ?? before.role,
        scopeText(patch.scope ?? before.scope),
        (patch.disabled ?? before.disabled) ? 1 : 0,
        patch.secretHash ?? before.secretHash,
        fresh ? 0 : before.failedCount,
        fresh ? 0 : before.lockedUntilMs,
        nowMs,
        id,
      );
      const row = account(this.s.byId.get(id) as Raw) as AccountRow;
      this.append(audit(row));
      return row;
    });
  }

  async recordFailure(id: number, nowMs: number, maxAttempts: number, lockMs: number) {
    return this.tx(() => {
      this.s.failure.run(nowMs, id);
      const a = account(this.s.byId.get(id) as Raw | undefined);
      if (!a || a.failedCount < maxAttempts) return null;
      this.s.lock.run(nowMs + lockMs, nowMs, id);
      return nowMs + lockMs;
    });
  }

  async recordSuccess(id: number) {
    this.s.success.run(id);
  }

  async createSession(s: SessionRow) {
    this.s.sessionInsert.run(s.id, s.accountId, s.role, s.csrf, s.createdMs, s.lastSeenMs);
  }

  async session(id: string): Promise<SessionRow | null> {
    return session(this.s.session.get(id) as Raw | undefined);
  }

  async touchSession(id: string, nowMs: number) {
    this.s.touch.run(nowMs, id);
  }

  async endSession(id: string) {
    this.s.endSession.run(id);
  }

  async endSessionsOf(accountId: number) {
    this.s.endSessionsOf.run(accountId);
  }

  async purgeSessions(olderThanMs: number) {
    this.s.purge.run(olderThanMs);
  }

  async appendAudit(e: AuditInput) {
    return this.tx(() => this.append(e));
  }

  async readAudit(beforeId: number, limit: number) {
    return (this.s.auditPage.all(beforeId, limit) as Raw[]).map(entry);
  }

  async verifyAudit() {
    const check = new ChainCheck();
    for (const r of this.s.auditAll.iterate() as Iterable<Raw>) if (!check.next(r)) break;
    return { entries: check.entries, firstBad: check.firstBad };
  }

  async createApproval(
    a: { kind: string; request: unknown; by: { id: number; name: string }; atMs: number },
    audit: (id: number) => AuditInput,
  ) {
    return this.tx(() => {
      const info = this.s.approvalInsert.run(a.kind, JSON.stringify(a.request), a.by.id, a.by.name, a.atMs);
      const id = Number(info.lastInsertRowid);
      this.append(audit(id));
      return approval(this.s.approval.get(id) as Raw) as ApprovalRow;
    });
  }

  async approval(id: number) {
    return approval(this.s.approval.get(id) as Raw | undefined);
  }

  async listApprovals(limit: number) {
    return (this.s.approvals.all(limit) as Raw[]).map((r) => approval(r) as ApprovalRow);
  }

  async decideApproval(
    id: number,
    from: ApprovalState,
    d: { state: ApprovalState; by: { id: number; name: string } | null; atMs: number; outcome: unknown },
    audit: AuditInput,
  ) {
    return this.tx(() => {
      const changed = this.s.decide.run(
        d.state,
        d.by?.id ?? null,
        d.by?.name ?? null,
        d.atMs,
        JSON.stringify(d.outcome ?? null),
        id,
        from,
      ).changes;
      if (changed === 0) return false;
      this.append(audit);
      return true;
    });
  }

  async ackAlert(seq: number, by: { id: number; name: string }, atMs: number, audit: AuditInput) {
    this.tx(() => {
      if (this.s.ack.run(seq, by.id, by.name, atMs).changes > 0) this.append(audit);
    });
  }

  async alertAcks(seqs: number[]) {
    const out = new Map<number, AlertAck>();
    if (seqs.length === 0) return out;
    for (const r of this.s.acks.all(JSON.stringify(seqs)) as Raw[]) {
      out.set(r.seq as number, {
        seq: r.seq as number,
        userName: r.user_name as string,
        atMs: r.at_ms as number,
      });
    }
    return out;
  }
}
