// The operators' store on PostgreSQL (migration 2 of migrations-pg.ts), beside the ledger it shares a
// database with: aggregators on several machines share accounts, sessions, approvals and one audit
// chain. An audited change and its entry commit in one transaction; every append first takes a
// transaction-level advisory lock, so appends from any aggregator are one after another, each on the
// head the previous one committed (and prev_hash is unique: a fork could not commit anyway).
import type pg from 'pg';
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
import { inTransaction } from './pg-pool.js';

/** Any constant: it names "the command centre's audit chain" to every aggregator. */
const AUDIT_LOCK = 7340114;
const UNIQUE_VIOLATION = '23505';
/** Rows read at a time when the whole chain is verified. */
const VERIFY_PAGE = 5000;

type Q = Pick<pg.PoolClient, 'query'>;

async function one(q: Q, sql: string, params: unknown[]): Promise<Raw | undefined> {
  return (await q.query(sql, params)).rows[0] as Raw | undefined;
}

export class PgOperatorStore implements OperatorStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Appends inside the caller's transaction, after every append committed before it. */
  private async append(c: Q, e: AuditInput): Promise<AuditEntry> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    // Read after the lock: under READ COMMITTED this statement sees every append committed so far.
    const head = (await one(c, 'SELECT id, hash FROM cc_audit ORDER BY id DESC LIMIT 1', [])) as
      | { id: number; hash: string }
      | undefined;
    const row = nextAuditRow(e, head);
    await c.query(
      `INSERT INTO cc_audit (id, at_ms, kind, user_id, user_name, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.at_ms, row.kind, row.user_id, row.user_name, row.details, row.prev_hash, row.hash],
    );
    return entry(row);
  }

  private tx<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async accountById(id: number) {
    return account(await one(this.pool, 'SELECT * FROM cc_accounts WHERE id = $1', [id]));
  }

  async accountByName(name: string) {
    return account(
      await one(this.pool, 'SELECT * FROM cc_accounts WHERE lower(name) = lower($1)', [name.trim()]),
    );
  }

  async listAccounts() {
    const r = await this.pool.query('SELECT * FROM cc_accounts ORDER BY role, name');
    return (r.rows as Raw[]).map((row) => account(row) as AccountRow);
  }

  async cityAdmins() {
    const r = await one(
      this.pool,
      "SELECT count(*) AS n FROM cc_accounts WHERE role = 'admin' AND scope = 'city' AND disabled = 0",
      [],
    );
    return Number(r?.n ?? 0);
  }

  async createAccount(a: NewAccount, nowMs: number, audit: (row: AccountRow) => AuditInput) {
    try {
      return await this.tx(async (c) => {
        const row = account(
          await one(
            c,
            `INSERT INTO cc_accounts (name, display_name, role, scope, secret_hash, created_ms, updated_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
            [a.name.trim(), a.displayName.trim(), a.role, scopeText(a.scope), a.secretHash, nowMs],
          ),
        ) as AccountRow;
        await this.append(c, audit(row));
        return row;
      });
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
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
    return this.tx(async (c) => {
      const before = account(await one(c, 'SELECT * FROM cc_accounts WHERE id = $1 FOR UPDATE', [id]));
      if (!before) throw new KioskError('USER_NOT_FOUND', `Không có tài khoản số ${id}`, `No account ${id}`);
      const fresh = patch.secretHash !== undefined;
      const row = account(
        await one(
          c,
          `UPDATE cc_accounts SET display_name = $1, role = $2, scope = $3, disabled = $4, secret_hash = $5,
             failed_count = $6, locked_until_ms = $7, updated_ms = $8 WHERE id = $9 RETURNING *`,
          [
            patch.displayName?.trim() ?? before.displayName,
            patch.role ?? before.role,
            scopeText(patch.scope ?? before.scope),
            (patch.disabled ?? before.disabled) ? 1 : 0,
            patch.secretHash ?? before.secretHash,
            fresh ? 0 : before.failedCount,
            fresh ? 0 : before.lockedUntilMs,
            nowMs,
            id,
          ],
        ),
      ) as AccountRow;
      await this.append(c, audit(row));
      return row;
    });
  }

  async recordFailure(id: number, nowMs: number, maxAttempts: number, lockMs: number) {
    // One statement: failures counted by two aggregators at once both count, and one of them locks.
    const r = await one(
      this.pool,
      `UPDATE cc_accounts SET
         failed_count = CASE WHEN failed_count + 1 >= $3::int THEN 0 ELSE failed_count + 1 END,
         locked_until_ms = CASE WHEN failed_count + 1 >= $3::int THEN $2::bigint + $4::bigint
           ELSE locked_until_ms END,
         updated_ms = $2::bigint
       WHERE id = $1 RETURNING failed_count`,
      [id, nowMs, maxAttempts, lockMs],
    );
    // The count starts again from zero only when this failure locked the account.
    return r && r.failed_count === 0 ? nowMs + lockMs : null;
  }

  async recordSuccess(id: number) {
    await this.pool.query(
      'UPDATE cc_accounts SET failed_count = 0, locked_until_ms = 0 WHERE id = $1 AND failed_count > 0',
      [id],
    );
  }

  async createSession(s: SessionRow) {
    await this.pool.query(
      `INSERT INTO cc_sessions (id, account_id, role, csrf, created_ms, last_seen_ms)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [s.id, s.accountId, s.role, s.csrf, s.createdMs, s.lastSeenMs],
    );
  }

  async session(id: string) {
    return session(await one(this.pool, 'SELECT * FROM cc_sessions WHERE id = $1', [id]));
  }

  async touchSession(id: string, nowMs: number) {
    await this.pool.query('UPDATE cc_sessions SET last_seen_ms = $1 WHERE id = $2', [nowMs, id]);
  }

  async endSession(id: string) {
    await this.pool.query('DELETE FROM cc_sessions WHERE id = $1', [id]);
  }

  async endSessionsOf(accountId: number) {
    await this.pool.query('DELETE FROM cc_sessions WHERE account_id = $1', [accountId]);
  }

  async purgeSessions(olderThanMs: number) {
    await this.pool.query('DELETE FROM cc_sessions WHERE last_seen_ms < $1', [olderThanMs]);
  }

  async appendAudit(e: AuditInput) {
    return this.tx((c) => this.append(c, e));
  }

  async readAudit(beforeId: number, limit: number) {
    const r = await this.pool.query('SELECT * FROM cc_audit WHERE id < $1 ORDER BY id DESC LIMIT $2', [
      beforeId,
      limit,
    ]);
    return (r.rows as Raw[]).map(entry);
  }

  async verifyAudit() {
    const check = new ChainCheck();
    // In pages, each read after the last id: a long chain is never held in memory whole.
    for (let after = 0; ; ) {
      const r = await this.pool.query('SELECT * FROM cc_audit WHERE id > $1 ORDER BY id LIMIT $2', [
        after,
        VERIFY_PAGE,
      ]);
      const rows = r.rows as Raw[];
      for (const row of rows)
        if (!check.next(row)) return { entries: check.entries, firstBad: check.firstBad };
      if (rows.length < VERIFY_PAGE) return { entries: check.entries, firstBad: null };
      after = rows[rows.length - 1]!.id as number;
    }
  }

  async createApproval(
    a: { kind: string; request: unknown; by: { id: number; name: string }; atMs: number },
    audit: (id: number) => AuditInput,
  ) {
    return this.tx(async (c) => {
      const row = approval(
        await one(
          c,
          `INSERT INTO cc_approvals (kind, request, requested_by, requested_name, requested_ms, state)
           VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING *`,
          [a.kind, JSON.stringify(a.request), a.by.id, a.by.name, a.atMs],
        ),
      ) as ApprovalRow;
      await this.append(c, audit(row.id));
      return row;
    });
  }

  async approval(id: number) {
    return approval(await one(this.pool, 'SELECT * FROM cc_approvals WHERE id = $1', [id]));
  }

  async listApprovals(limit: number) {
    const r = await this.pool.query(
      "SELECT * FROM cc_approvals ORDER BY (state = 'pending') DESC, id DESC LIMIT $1",
      [limit],
    );
    return (r.rows as Raw[]).map((row) => approval(row) as ApprovalRow);
  }

  async decideApproval(
    id: number,
    from: ApprovalState,
    d: { state: ApprovalState; by: { id: number; name: string } | null; atMs: number; outcome: unknown },
    audit: AuditInput,
  ) {
    return this.tx(async (c) => {
      // Two publishers deciding at once: the row lock makes the second find the state moved on.
      const r = await c.query(
        `UPDATE cc_approvals SET state = $1, decided_by = $2, decided_name = $3, decided_ms = $4, outcome = $5
         WHERE id = $6 AND state = $7`,
        [d.state, d.by?.id ?? null, d.by?.name ?? null, d.atMs, JSON.stringify(d.outcome ?? null), id, from],
      );
      if (r.rowCount === 0) return false;
      await this.append(c, audit);
      return true;
    });
  }

  async ackAlert(seq: number, by: { id: number; name: string }, atMs: number, audit: AuditInput) {
    await this.tx(async (c) => {
      const r = await c.query(
        `INSERT INTO cc_alert_acks (seq, account_id, user_name, at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (seq) DO NOTHING`,
        [seq, by.id, by.name, atMs],
      );
      if ((r.rowCount ?? 0) > 0) await this.append(c, audit);
    });
  }

  async alertAcks(seqs: number[]) {
    const out = new Map<number, AlertAck>();
    if (seqs.length === 0) return out;
    const r = await this.pool.query(
      'SELECT seq, user_name, at_ms FROM cc_alert_acks WHERE seq = ANY($1::bigint[])',
      [seqs],
    );
    for (const row of r.rows as Raw[]) {
      out.set(row.seq as number, {
        seq: row.seq as number,
        userName: row.user_name as string,
        atMs: row.at_ms as number,
      });
    }
    return out;
  }
}
