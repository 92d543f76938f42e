// What the command centre keeps of its operators (accounts, sessions, the audit chain, four-eyes
// approvals, alert acknowledgements), behind an async interface: SQLite implements it today
// (operator-store-sqlite.ts), a database server can implement it beside it. Every change that is
// audited takes its audit entry with it: the store writes both in one transaction, or neither.

export const CC_ROLES = ['viewer', 'operator', 'publisher', 'admin'] as const;
export type CcRole = (typeof CC_ROLES)[number];

/** The whole city, or the districts (area codes) an account may see and act on. */
export type Scope = 'city' | string[];

export interface AccountRow {
  id: number;
  name: string;
  displayName: string;
  role: CcRole;
  scope: Scope;
  secretHash: string;
  failedCount: number;
  lockedUntilMs: number;
  disabled: boolean;
  createdMs: number;
  updatedMs: number;
}

export interface NewAccount {
  name: string;
  displayName: string;
  role: CcRole;
  scope: Scope;
  secretHash: string;
}

export interface AccountPatch {
  displayName?: string;
  role?: CcRole;
  scope?: Scope;
  disabled?: boolean;
  secretHash?: string;
}

export interface SessionRow {
  id: string;
  accountId: number;
  role: CcRole;
  csrf: string;
  createdMs: number;
  lastSeenMs: number;
}

/** An audit entry to append: `details.districts` (absent: the city) says whose log it belongs to. */
export interface AuditInput {
  atMs: number;
  kind: string;
  userId: number | null;
  userName: string | null;
  details: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  atMs: number;
  kind: string;
  userId: number | null;
  userName: string | null;
  details: Record<string, unknown>;
  hash: string;
}

export type ApprovalState = 'pending' | 'published' | 'rejected' | 'failed';

export interface ApprovalRow {
  id: number;
  kind: string;
  request: unknown;
  requestedBy: number;
  requestedName: string;
  requestedMs: number;
  state: ApprovalState;
  decidedBy: number | null;
  decidedName: string | null;
  decidedMs: number | null;
  outcome: unknown;
}

export interface AlertAck {
  seq: number;
  userName: string;
  atMs: number;
}

export interface OperatorStore {
  accountById(id: number): Promise<AccountRow | null>;
  accountByName(name: string): Promise<AccountRow | null>;
  listAccounts(): Promise<AccountRow[]>;
  /** Enabled admins whose scope is the city: the last one may not be removed. */
  cityAdmins(): Promise<number>;
  createAccount(a: NewAccount, nowMs: number, audit: (row: AccountRow) => AuditInput): Promise<AccountRow>;
  updateAccount(
    id: number,
    patch: AccountPatch,
    nowMs: number,
    audit: (row: AccountRow) => AuditInput,
  ): Promise<AccountRow>;
  /** Counts a failure; at `maxAttempts` in a row the account locks until the returned time. */
  recordFailure(id: number, nowMs: number, maxAttempts: number, lockMs: number): Promise<number | null>;
  recordSuccess(id: number): Promise<void>;

  createSession(s: SessionRow): Promise<void>;
  session(id: string): Promise<SessionRow | null>;
  touchSession(id: string, nowMs: number): Promise<void>;
  endSession(id: string): Promise<void>;
  endSessionsOf(accountId: number): Promise<void>;
  purgeSessions(olderThanMs: number): Promise<void>;

  appendAudit(e: AuditInput): Promise<AuditEntry>;
  /** Newest first, ids below `beforeId`. */
  readAudit(beforeId: number, limit: number): Promise<AuditEntry[]>;
  /** Recomputes every hash; the id of the first entry that does not verify, or null. */
  verifyAudit(): Promise<{ entries: number; firstBad: number | null }>;

  createApproval(
    a: { kind: string; request: unknown; by: { id: number; name: string }; atMs: number },
    audit: (id: number) => AuditInput,
  ): Promise<ApprovalRow>;
  approval(id: number): Promise<ApprovalRow | null>;
  listApprovals(limit: number): Promise<ApprovalRow[]>;
  /** Moves an approval on from state `from`; false when it was no longer there (another was first). */
  decideApproval(
    id: number,
    from: ApprovalState,
    d: { state: ApprovalState; by: { id: number; name: string } | null; atMs: number; outcome: unknown },
    audit: AuditInput,
  ): Promise<boolean>;

  ackAlert(seq: number, by: { id: number; name: string }, atMs: number, audit: AuditInput): Promise<void>;
  alertAcks(seqs: number[]): Promise<Map<number, AlertAck>>;
}
