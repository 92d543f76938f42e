// The operators' rows as both databases hold them (operator-store-sqlite.ts, operator-store-pg.ts): the
// same columns, read into the same shapes, and an audit row in the form its chain hash is computed on.
import { auditChainHash, auditEventProblem, GENESIS_HASH } from '../../src/store/chain.js';
import type {
  AccountRow,
  ApprovalRow,
  ApprovalState,
  AuditEntry,
  AuditInput,
  CcRole,
  Scope,
  SessionRow,
} from './operator-store.js';

export type Raw = Record<string, unknown>;

export const scopeText = (s: Scope): string => (s === 'city' ? 'city' : JSON.stringify(s));
export const scopeOf = (t: string): Scope => (t === 'city' ? 'city' : (JSON.parse(t) as string[]));

export function account(r: Raw | undefined): AccountRow | null {
  if (!r) return null;
  return {
    id: r.id as number,
    name: r.name as string,
    displayName: r.display_name as string,
    role: r.role as CcRole,
    scope: scopeOf(r.scope as string),
    secretHash: r.secret_hash as string,
    failedCount: r.failed_count as number,
    lockedUntilMs: r.locked_until_ms as number,
    disabled: r.disabled === 1,
    createdMs: r.created_ms as number,
    updatedMs: r.updated_ms as number,
  };
}

export function approval(r: Raw | undefined): ApprovalRow | null {
  if (!r) return null;
  return {
    id: r.id as number,
    kind: r.kind as string,
    request: JSON.parse(r.request as string),
    requestedBy: r.requested_by as number,
    requestedName: r.requested_name as string,
    requestedMs: r.requested_ms as number,
    state: r.state as ApprovalState,
    decidedBy: (r.decided_by as number | null) ?? null,
    decidedName: (r.decided_name as string | null) ?? null,
    decidedMs: (r.decided_ms as number | null) ?? null,
    outcome: r.outcome === null ? null : JSON.parse(r.outcome as string),
  };
}

export const entry = (r: Raw): AuditEntry => ({
  id: r.id as number,
  atMs: r.at_ms as number,
  kind: r.kind as string,
  userId: r.user_id as number | null,
  userName: r.user_name as string | null,
  details: JSON.parse(r.details as string) as Record<string, unknown>,
  hash: r.hash as string,
});

/** The chained form of a command-centre audit row: the kiosk's audit event without shift or passage. */
export const chained = (r: Raw) => ({
  id: r.id as number,
  seq: r.id as number,
  at_ms: r.at_ms as number,
  kind: r.kind as string,
  user_id: r.user_id as number | null,
  user_name: r.user_name as string | null,
  shift_id: null,
  passage_id: null,
  details: r.details as string,
});

export function session(r: Raw | undefined): SessionRow | null {
  if (!r) return null;
  return {
    id: r.id as string,
    accountId: r.account_id as number,
    role: r.role as CcRole,
    csrf: r.csrf as string,
    createdMs: r.created_ms as number,
    lastSeenMs: r.last_seen_ms as number,
  };
}

/** The row that extends the chain after `head` (none: the chain is empty) with `e`, hashed. */
export function nextAuditRow(e: AuditInput, head: { id: number; hash: string } | undefined): Raw {
  const row: Raw = {
    id: (head?.id ?? 0) + 1,
    at_ms: e.atMs,
    kind: e.kind,
    user_id: e.userId,
    user_name: e.userName,
    details: JSON.stringify(e.details),
    prev_hash: head?.hash ?? GENESIS_HASH,
  };
  row.hash = auditChainHash(row.prev_hash as string, chained(row));
  return row;
}

/** Walks stored audit rows in id order; the id of the first that does not verify, or null. */
export class ChainCheck {
  private prev = GENESIS_HASH;
  entries = 0;
  firstBad: number | null = null;

  /** False once an entry did not verify: the rest need not be read. */
  next(r: Raw): boolean {
    this.entries++;
    const stored = { ...chained(r), prev_hash: r.prev_hash as string, hash: r.hash as string };
    if (auditEventProblem(stored, this.prev) !== null) {
      this.firstBad = r.id as number;
      return false;
    }
    this.prev = r.hash as string;
    return true;
  }
}
