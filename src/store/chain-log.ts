// The one hash chain of passages and audit events, at the database level: its head, appending an
// audit event, and "verify log", which recomputes every hash in seq order and names the first row
// that does not verify (table + id). Passages are appended by the Store (src/store/store.ts).

import type { Db } from '../base/db.js';
import type { ChainBreak, VerifyResult } from '../contract/api-audit.js';
import {
  auditChainHash,
  auditEventProblem,
  type ChainProblem,
  GENESIS_HASH,
  passageProblem,
  type StoredAuditEventForChain,
  type StoredPassageForChain,
} from './chain.js';

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface HeadStatements {
  passageHead: { get(): unknown };
  auditHead: { get(): unknown };
}

export function prepareHeadStatements(db: Db): HeadStatements {
  return {
    passageHead: db.prepare('SELECT seq, hash FROM passages WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1'),
    auditHead: db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1'),
  };
}

/** The last link of the chain (seq 0 and the genesis hash for an empty log). */
export function readChainHead(s: HeadStatements): ChainHead {
  const p = s.passageHead.get() as ChainHead | undefined;
  const a = s.auditHead.get() as ChainHead | undefined;
  const best = !p ? a : !a ? p : p.seq > a.seq ? p : a;
  return best ?? { seq: 0, hash: GENESIS_HASH };
}

export interface AuditAppend {
  atMs: number;
  kind: string;
  userId?: number | null;
  userName?: string | null;
  shiftId?: number | null;
  passageId?: number | null;
  details?: Record<string, unknown>;
}

export interface Appended {
  id: number;
  seq: number;
  hash: string;
}

/** Appends audit events to the chain. Each append is its own transaction (a savepoint when nested). */
export class AuditChain {
  private readonly head: HeadStatements;
  private readonly insert;
  private readonly lastId;

  constructor(private readonly db: Db) {
    this.head = prepareHeadStatements(db);
    this.insert = db.prepare(`INSERT INTO audit_events (id, seq, at_ms, kind, user_id, user_name, shift_id,
      passage_id, details, prev_hash, hash) VALUES (@id, @seq, @at_ms, @kind, @user_id, @user_name, @shift_id,
      @passage_id, @details, @prev_hash, @hash)`);
    this.lastId = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit_events');
  }

  append(e: AuditAppend): Appended {
    return this.db
      .transaction(() => {
        const head = readChainHead(this.head);
        const row = {
          id: (this.lastId.get() as { id: number }).id + 1,
          seq: head.seq + 1,
          at_ms: e.atMs,
          kind: e.kind,
          user_id: e.userId ?? null,
          user_name: e.userName ?? null,
          shift_id: e.shiftId ?? null,
          passage_id: e.passageId ?? null,
          details: JSON.stringify(e.details ?? {}),
        };
        const hash = auditChainHash(head.hash, row);
        this.insert.run({ ...row, prev_hash: head.hash, hash });
        return { id: row.id, seq: row.seq, hash };
      })
      .immediate();
  }

  headNow(): ChainHead {
    return readChainHead(this.head);
  }
}

/** Every column the chain covers (src/store/chain.ts passageProblem), chain versions 1 to 4, and the ID tokens. */
const PASSAGE_CHAIN_COLUMNS = [
  'id',
  'at_ms',
  'checkpoint_id',
  'area',
  'lane',
  'direction',
  'source',
  'decision',
  'reasons',
  'permit_hash',
  'iss',
  'cti',
  'purpose',
  'vehicle_type',
  'people',
  'let_through',
  'personal_hash',
  'holder_name',
  'id_masked',
  'vehicle_plate',
  'raw_preview',
  'personal_salt',
  'purged',
  'prev_hash',
  'hash',
  'chain_v',
  'seq',
  'user_id',
  'shift_id',
  'idn_hmac',
  'passengers',
  'note',
  'has_idn',
  'idn_full',
  'idn_tail',
  'idn_mac',
] as const;
const AUDIT_CHAIN_COLUMNS = [
  'id',
  'seq',
  'at_ms',
  'kind',
  'user_id',
  'user_name',
  'shift_id',
  'passage_id',
  'details',
  'prev_hash',
  'hash',
] as const;

// biome-ignore format: one column a line would make this mapping four screens long
function passageOf(r: unknown[]): StoredPassageForChain & { seq: number; id: number } {
  return {
    id: r[0] as number, at_ms: r[1] as number, checkpoint_id: r[2] as string, area: r[3] as string,
    lane: r[4] as string, direction: r[5] as string, source: r[6] as string, decision: r[7] as string,
    reasons: r[8] as string, permit_hash: r[9] as string | null, iss: r[10] as string | null,
    cti: r[11] as string | null, purpose: r[12] as string | null, vehicle_type: r[13] as string | null,
    people: r[14] as number, let_through: r[15] as number, personal_hash: r[16] as string,
    holder_name: r[17] as string | null, id_masked: r[18] as string | null, vehicle_plate: r[19] as string | null,
    raw_preview: r[20] as string | null, personal_salt: r[21] as string | null, purged: r[22] as number,
    prev_hash: r[23] as string, hash: r[24] as string, chain_v: r[25] as number, seq: r[26] as number,
    user_id: r[27] as number | null, shift_id: r[28] as number | null, idn_hmac: r[29] as string | null,
    passengers: r[30] as number | null, note: r[31] as string | null, has_idn: r[32] as number,
    idn_full: r[33] as string | null, idn_tail: r[34] as string | null, idn_mac: r[35] as string | null,
  };
}

// biome-ignore format: as above
function auditOf(r: unknown[]): StoredAuditEventForChain {
  return {
    id: r[0] as number, seq: r[1] as number, at_ms: r[2] as number, kind: r[3] as string,
    user_id: r[4] as number | null, user_name: r[5] as string | null, shift_id: r[6] as number | null,
    passage_id: r[7] as number | null, details: r[8] as string, prev_hash: r[9] as string, hash: r[10] as string,
  };
}

type ChainRow =
  | { table: 'passages'; row: StoredPassageForChain & { seq: number; id: number } }
  | { table: 'audit_events'; row: StoredAuditEventForChain };

const BATCH = 2000;

/**
 * Walks the chain in seq order from `fromSeq` (exclusive) to `toSeq` (inclusive), a batch of rows of
 * each table at a time, so it never holds two iterators on one connection nor the whole log in memory.
 */
export class ChainVerifier {
  private readonly nextPassages;
  private readonly nextAudits;
  private readonly rowAt;
  private readonly auditAt;
  private passages: ChainRow[] = [];
  private audits: ChainRow[] = [];
  private passagesDone = false;
  private auditsDone = false;
  private lastSeq: number;
  private expectedPrev: string | null = null;
  checked = 0;
  broken: ChainBreak | null = null;
  done = false;
  head: ChainHead | null = null;

  constructor(
    db: Db,
    fromSeq = 0,
    private readonly toSeq = Number.MAX_SAFE_INTEGER,
    /** Checks a passage's ID tokens with the key (store/idn-tokens.ts); without it, only their presence. */
    private readonly tokens: TokenCheck | null = null,
  ) {
    // Raw arrays mapped to object literals: better-sqlite3's own row objects of ~35 columns cost about
    // 15 µs each to build, more than hashing the row (5 million rows: minutes).
    this.nextPassages = db
      .prepare(
        `SELECT ${PASSAGE_CHAIN_COLUMNS.join(', ')} FROM passages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    this.nextAudits = db
      .prepare(
        `SELECT ${AUDIT_CHAIN_COLUMNS.join(', ')} FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
      )
      .raw();
    this.rowAt = db.prepare('SELECT hash FROM passages WHERE seq = ?');
    this.auditAt = db.prepare('SELECT hash FROM audit_events WHERE seq = ?');
    this.lastSeq = fromSeq;
    if (fromSeq === 0) this.expectedPrev = GENESIS_HASH;
    else {
      const r = (this.rowAt.get(fromSeq) ?? this.auditAt.get(fromSeq)) as { hash: string } | undefined;
      this.expectedPrev = r?.hash ?? null;
      this.head = r ? { seq: fromSeq, hash: r.hash } : null;
    }
    this.passagesCursor = fromSeq;
    this.auditsCursor = fromSeq;
  }

  private passagesCursor: number;
  private auditsCursor: number;

  private refill(): void {
    if (this.passages.length === 0 && !this.passagesDone) {
      const rows = (this.nextPassages.all(this.passagesCursor, this.toSeq, BATCH) as unknown[][]).map(
        passageOf,
      );
      this.passages = rows.map((row) => ({ table: 'passages', row }));
      if (rows.length < BATCH) this.passagesDone = true;
      if (rows.length > 0) this.passagesCursor = rows[rows.length - 1]!.seq;
    }
    if (this.audits.length === 0 && !this.auditsDone) {
      const rows = (this.nextAudits.all(this.auditsCursor, this.toSeq, BATCH) as unknown[][]).map(auditOf);
      this.audits = rows.map((row) => ({ table: 'audit_events', row }));
      if (rows.length < BATCH) this.auditsDone = true;
      if (rows.length > 0) this.auditsCursor = rows[rows.length - 1]!.seq;
    }
  }

  private nextRow(): ChainRow | null {
    this.refill();
    const p = this.passages[0];
    const a = this.audits[0];
    if (!p && !a) return null;
    if (p && (!a || p.row.seq < a.row.seq)) return this.passages.shift() ?? null;
    return this.audits.shift() ?? null;
  }

  /** Checks up to maxRows rows; returns true when the walk is over (end reached or a break found). */
  step(maxRows: number): boolean {
    if (this.done) return true;
    for (let i = 0; i < maxRows; i++) {
      const next = this.nextRow();
      if (!next) {
        this.done = true;
        return true;
      }
      const problem = this.check(next);
      if (problem) {
        this.broken = { table: next.table, id: next.row.id, seq: next.row.seq, problem };
        this.done = true;
        return true;
      }
      this.checked++;
      this.lastSeq = next.row.seq;
      this.expectedPrev = next.row.hash;
      this.head = { seq: next.row.seq, hash: next.row.hash };
    }
    return false;
  }

  private check(next: ChainRow): ChainProblem | 'sequence' | null {
    if (next.row.seq !== this.lastSeq + 1) return 'sequence';
    // The row before a range start is missing: nothing to chain to.
    if (this.expectedPrev === null) return 'previous_hash';
    if (next.table === 'audit_events') return auditEventProblem(next.row, this.expectedPrev);
    const problem = passageProblem(next.row, this.expectedPrev);
    if (problem || !this.tokens || next.row.purged === 1) return problem;
    return this.tokens(next.row) ? null : 'id_tokens';
  }
}

export type TokenCheck = (row: StoredPassageForChain & { id: number }) => boolean;

/** Verifies the whole log (or a seq range) in one go. */
export function verifyLogSync(
  db: Db,
  fromSeq = 0,
  toSeq?: number,
  tokens: TokenCheck | null = null,
): VerifyResult {
  const t0 = performance.now();
  const v = new ChainVerifier(db, fromSeq, toSeq, tokens);
  v.step(Number.MAX_SAFE_INTEGER);
  return result(v, t0);
}

/**
 * Verifies the log in slices, giving the event loop back between them so scans keep flowing while a
 * supervisor checks millions of rows.
 */
export async function verifyLog(
  db: Db,
  opts: { fromSeq?: number; toSeq?: number; sliceRows?: number; tokens?: TokenCheck | null } = {},
): Promise<VerifyResult> {
  return startVerify(db, opts).done;
}

/** A verification under way: `progress()` tells how far it got, `done` resolves with the result. */
export interface VerifyRun {
  progress(): VerifyResult;
  done: Promise<VerifyResult>;
}

export function startVerify(
  db: Db,
  opts: { fromSeq?: number; toSeq?: number; sliceRows?: number; tokens?: TokenCheck | null } = {},
): VerifyRun {
  const t0 = performance.now();
  const v = new ChainVerifier(db, opts.fromSeq ?? 0, opts.toSeq, opts.tokens ?? null);
  const done = (async () => {
    while (!v.step(opts.sliceRows ?? 5000)) await new Promise((r) => setImmediate(r));
    return result(v, t0);
  })();
  return { progress: () => result(v, t0), done };
}

function result(v: ChainVerifier, t0: number): VerifyResult {
  return {
    done: v.done,
    ok: v.broken === null,
    checked: v.checked,
    head: v.head,
    broken: v.broken,
    tookMs: Math.round((performance.now() - t0) * 10) / 10,
  };
}
