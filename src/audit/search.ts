// The supervisor's search over the passage log: every filter is an index range (plate, ID number,
// permit, decision, reason, shift, time), newest first with a keyset cursor, so a page comes back in
// milliseconds over millions of rows. Values are always bound parameters, never spliced into SQL.

import type { Db } from '../base/db.js';
import type { AuditPassage, SearchFilters, SearchResult } from '../contract/api-audit.js';
import { KioskError } from '../contract/errors.js';
import { normalisePlate } from '../contract/plate.js';
import type { ReasonCode } from '../contract/reasons.js';
import type { IdnKey } from '../store/idn.js';
import { PLATE_SQL } from '../store/migration-audit.js';
import { SearchIndex } from '../store/search-index.js';

export interface PassageQueryRow {
  id: number;
  seq: number;
  at_ms: number;
  lane: string;
  direction: AuditPassage['direction'];
  source: AuditPassage['source'];
  decision: AuditPassage['decision'];
  reasons: string;
  let_through: number;
  iss: string | null;
  cti: string | null;
  permit_hash: string | null;
  purpose: string | null;
  holder_name: string | null;
  id_masked: string | null;
  vehicle_plate: string | null;
  vehicle_type: string | null;
  people: number;
  shift_id: number | null;
  guard: string | null;
  purged: number;
  note: string | null;
  override: string | null;
}

/**
 * Columns every audit view of a passage selects (alias p), the guard's name and the latest override. The
 * masked number of a row written since migration 5 is its tail token decrypted (SQL function idn_masked,
 * src/store/idn-key-file.ts): the database alone holds no digit of it.
 */
export const PASSAGE_COLUMNS = `p.id, p.seq, p.at_ms, p.lane, p.direction, p.source, p.decision, p.reasons,
  p.let_through, p.iss, p.cti, p.permit_hash, p.purpose, p.holder_name,
  COALESCE(p.id_masked, idn_masked(p.idn_tail)) AS id_masked, p.vehicle_plate,
  p.vehicle_type, p.people, p.shift_id, u.display_name AS guard, p.purged, p.note,
  (SELECT json_object('eventId', e.id, 'atMs', e.at_ms, 'by', e.user_name, 'details', e.details)
     FROM audit_events e WHERE e.kind = 'override' AND e.passage_id = p.id ORDER BY e.id DESC LIMIT 1) AS override`;

export function toAuditPassage(r: PassageQueryRow): AuditPassage {
  let override: AuditPassage['override'] = null;
  if (r.override) {
    const o = JSON.parse(r.override) as { eventId: number; atMs: number; by: string | null; details: string };
    const d = JSON.parse(o.details) as { reason?: string; supervisor?: string };
    // An approving supervisor (policy overrideRequiresSupervisor) is shown beside the guard.
    const by = d.supervisor ? `${o.by ?? '?'} · chỉ huy duyệt / approved by: ${d.supervisor}` : o.by;
    override = { eventId: o.eventId, at: new Date(o.atMs).toISOString(), by, reason: d.reason ?? '' };
  } else if (isManualLetThrough(r)) {
    // The guard decided at entry: that is the override, its reason the entry's note.
    override = { eventId: null, at: new Date(r.at_ms).toISOString(), by: r.guard, reason: r.note ?? '' };
  }
  return {
    id: r.id,
    seq: r.seq,
    at: new Date(r.at_ms).toISOString(),
    lane: r.lane,
    direction: r.direction,
    source: r.source,
    decision: r.decision,
    reasons: JSON.parse(r.reasons) as ReasonCode[],
    letThrough: r.let_through === 1 || override !== null,
    iss: r.iss,
    cti: r.cti,
    permitHash: r.permit_hash,
    purpose: r.purpose,
    holderName: r.holder_name,
    idMasked: r.id_masked,
    vehiclePlate: r.vehicle_plate,
    vehicleType: r.vehicle_type,
    people: r.people,
    shiftId: r.shift_id,
    guard: r.guard,
    purged: r.purged === 1,
    override,
  };
}

/** A person recorded by hand and let through: the guard's decision, counted as an override. */
export const MANUAL_OVERRIDE_SQL = `(p.source = 'manual' AND p.let_through = 1 AND p.decision <> 'ALLOW')`;
/** Passages a guard let through against the verdict: an override event, or a manual entry let through. */
export const OVERRIDDEN_SQL = `p.id IN (SELECT passage_id FROM audit_events WHERE kind = 'override'
  AND passage_id IS NOT NULL UNION ALL SELECT id FROM passages WHERE source = 'manual' AND let_through = 1
  AND decision <> 'ALLOW')`;

function isManualLetThrough(r: PassageQueryRow): boolean {
  return r.source === 'manual' && r.let_through === 1 && r.decision !== 'ALLOW';
}

/** The whole words of the name index a prefix begins, or null when there are too many to list. */
export type PrefixWords = (prefix: string) => string[] | null;

/** At most this many words stand for a prefix; past it FTS5's own prefix query is used. */
export const PREFIX_WORDS_MAX = 32;

/**
 * Folds a name query like the index does: no diacritics, đ → d, lower case. The last word is a prefix:
 * the whole words it begins when `words` can list them (an ASCII prefix folds as the index folds it),
 * else an FTS5 prefix term.
 */
export function nameQuery(text: string, words?: PrefixWords): string | null {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 8);
  if (folded.length === 0) return null;
  // Each word quoted (no FTS syntax gets through), the last one a prefix: "nguyen van a" finds "An".
  const last = folded.at(-1) as string;
  const whole = words && /^[a-z0-9]+$/.test(last) ? words(last) : null;
  if (!whole || whole.length === 0)
    return folded.map((w, i) => `"${w}"${i === folded.length - 1 ? '*' : ''}`).join(' ');
  const alternatives = whole.length === 1 ? `"${whole[0]}"` : `(${whole.map((w) => `"${w}"`).join(' OR ')})`;
  return [...folded.slice(0, -1).map((w) => `"${w}"`), alternatives].join(' AND ');
}

function timeOf(value: string, field: string): number {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new KioskError('BAD_PARAMS', `${field}: thời gian không hợp lệ`, `${field}: not a valid time`);
  }
  return ms;
}

/** The first and last record of a time range: every passage in it has an id between them. */
export interface IdRange {
  lo: number;
  hi: number;
  /** Passages in the range. */
  n: number;
}

/** A time range holding at most this many passages is bounded by ids for a name search. */
export const ID_RANGE_MAX = 100_000;

export interface BuiltQuery {
  sql: string;
  args: unknown[];
  /** Whether the rows come in record order (id) rather than time order (see buildSearch). */
  byId: boolean;
}

/** How many passages a name matches, counted up to this; past it the name is "common". */
export const NAME_EXACT_LIMIT = 50_000;

/** Filters that narrow the search through an index of their own. */
function hasSelective(f: SearchFilters): boolean {
  return (
    f.plate !== undefined ||
    f.idn !== undefined ||
    f.permit !== undefined ||
    f.from !== undefined ||
    f.to !== undefined ||
    f.shiftId !== undefined ||
    f.reason !== undefined
  );
}

/**
 * Builds the query for the filters, choosing what drives the walk:
 * - a name alone (with at most decision / overridden): the name index, newest record first, stopping
 *   at the page's end; a common surname costs no more than a rare name;
 * - "overridden" alone: the override events (thousands, not millions), newest record first;
 * - otherwise time order through the most selective index SQLite picks (a reason: the reasons table,
 *   already in time order), a name then checked against its newest NAME_EXACT_LIMIT matches.
 * Record order and time order differ only where the kiosk clock was set back.
 */
export function buildSearch(
  f: SearchFilters,
  idn: IdnKey,
  page: { limit: number; before?: { at: number; id: number } | undefined },
  words?: PrefixWords,
  ids?: IdRange,
): BuiltQuery {
  const where: string[] = [];
  const args: unknown[] = [];
  const q = f.name !== undefined ? nameQuery(f.name, words) : null;
  if (f.name !== undefined && !q) throw new KioskError('BAD_PARAMS', 'Tên cần tìm trống', 'Empty name');
  const selective = hasSelective(f);
  const mode: 'name' | 'overridden' | 'time' =
    q && !selective ? 'name' : f.overridden && !selective ? 'overridden' : 'time';
  const byReason = mode === 'time' && f.reason !== undefined;
  const atCol = byReason ? 'r.at_ms' : 'p.at_ms';
  const idCol = mode === 'name' ? 'n.rowid' : byReason ? 'r.passage_id' : 'p.id';
  let from = 'passages p';
  if (mode === 'name') {
    from = 'passage_names n JOIN passages p ON p.id = n.rowid';
    where.push('n.passage_names MATCH ?');
    args.push(q);
  } else if (byReason) {
    from = 'passage_reasons r JOIN passages p ON p.id = r.passage_id';
    where.push('r.reason = ?');
    args.push(f.reason);
  }
  if (f.plate !== undefined) {
    const n = normalisePlate(f.plate);
    if (n.length < 2) throw new KioskError('BAD_PARAMS', 'Biển số quá ngắn', 'Plate too short');
    const expr = PLATE_SQL.replaceAll('vehicle_plate', 'p.vehicle_plate');
    where.push(`p.indexed = 1 AND p.vehicle_plate IS NOT NULL AND ${expr} >= ? AND ${expr} < ?`);
    args.push(n, `${n}~`);
  }
  if (f.idn !== undefined) {
    // Keyed tokens (src/store/idn.ts): one per length an ID number ending in these digits may have, or
    // the number's token and, while older rows remain, its legacy one.
    const tokens = f.idn.length === 4 ? idn.tailCandidates(f.idn) : idn.fullCandidates(f.idn);
    const col = f.idn.length === 4 ? 'p.idn_tail' : 'p.idn_full';
    where.push(`p.indexed = 1 AND ${col} IS NOT NULL AND ${col} IN (${tokens.map(() => '?').join(', ')})`);
    args.push(...tokens);
  }
  if (f.permit !== undefined) {
    if (/^[0-9a-fA-F]{64}$/.test(f.permit)) {
      where.push('p.permit_hash IS NOT NULL AND p.permit_hash = ?');
      args.push(f.permit.toLowerCase());
    } else {
      where.push('p.indexed = 1 AND p.cti IS NOT NULL AND p.cti = ?');
      args.push(f.permit);
    }
  }
  if (q && mode === 'time') {
    // A check, not a driver (the unary + keeps SQLite from walking the name's matches): the other,
    // selective filter's index drives, and each row is looked up in the set of the name's matches.
    // Within a time range's ids, FTS5 seeks to them in each word's list instead of walking the newest
    // matches of a common name down to the day.
    where.push(`+p.id IN (SELECT rowid FROM passage_names WHERE passage_names MATCH ?
      ${ids ? 'AND rowid BETWEEN ? AND ?' : ''} ORDER BY rowid DESC LIMIT ${NAME_EXACT_LIMIT})`);
    args.push(q, ...(ids ? [ids.lo, ids.hi] : []));
  }
  if (f.from !== undefined) {
    where.push(`${atCol} >= ?`);
    args.push(timeOf(f.from, 'from'));
  }
  if (f.to !== undefined) {
    where.push(`${atCol} < ?`);
    args.push(timeOf(f.to, 'to'));
  }
  if (f.decision !== undefined) {
    where.push('p.indexed = 1 AND p.decision = ?');
    args.push(f.decision);
  }
  if (f.shiftId !== undefined) {
    where.push('p.shift_id IS NOT NULL AND p.shift_id = ?');
    args.push(f.shiftId);
  }
  if (f.overridden && mode !== 'overridden') where.push(OVERRIDDEN_SQL);
  const byId = mode !== 'time';
  if (mode === 'overridden') {
    // Both kinds of override walked newest record first, each cut at the page with the filters and
    // the cursor applied inside: the union then holds two pages, not every override of the log. The
    // manual ones through their own small index, never through a decision's million rows.
    const n = page.limit + 1;
    const side = (idExpr: string) => {
      const conds = [...where, ...(page.before ? [`${idExpr} < ?`] : [])];
      return {
        sql: conds.length ? ` AND ${conds.join(' AND ')}` : '',
        args: [...args, ...(page.before ? [page.before.id] : [])],
      };
    };
    const events = side('e.passage_id');
    const manual = side('p.id');
    from = `(SELECT pid FROM (SELECT e.passage_id AS pid FROM audit_events e JOIN passages p ON p.id = e.passage_id
        WHERE e.kind = 'override' AND e.passage_id IS NOT NULL${events.sql} ORDER BY e.passage_id DESC LIMIT ${n})
      UNION SELECT pid FROM (SELECT p.id AS pid FROM passages p INDEXED BY passages_manual_through
        WHERE ${MANUAL_OVERRIDE_SQL}${manual.sql}
        ORDER BY p.id DESC LIMIT ${n})) o JOIN passages p ON p.id = o.pid`;
    where.length = 0;
    args.length = 0;
    args.push(...events.args, ...manual.args);
  } else if (page.before) {
    if (byId) {
      where.push(`${idCol} < ?`);
      args.push(page.before.id);
    } else {
      where.push(`(${atCol}, ${idCol}) < (?, ?)`);
      args.push(page.before.at, page.before.id);
    }
  }
  const order = byId ? `${idCol} DESC` : `${atCol} DESC, ${idCol} DESC`;
  // Two steps: the page's ids in order first (a sort, when one is needed, then moves two integers a
  // row), then the columns of those rows only (the override look-up runs 100 times, not 10,000).
  const sql = `SELECT ${PASSAGE_COLUMNS} FROM (
      SELECT ${idCol} AS pid, ${atCol} AS pat FROM ${from}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order} LIMIT ${page.limit + 1}
    ) pg JOIN passages p ON p.id = pg.pid LEFT JOIN users u ON u.id = p.user_id
    ORDER BY ${byId ? 'pg.pid DESC' : 'pg.pat DESC, pg.pid DESC'}`;
  return { sql, args, byId };
}

export class PassageSearch {
  private readonly index: SearchIndex;
  private readonly wordsFrom;
  private readonly idSpan;
  /** The name index's whole words a prefix begins (the word list, migration 11). */
  private readonly words: PrefixWords = (prefix) => {
    // Every word from the prefix up to the prefix followed by the highest code point: those it begins.
    const rows = this.wordsFrom.all(prefix, `${prefix}\u{10FFFF}`) as { word: string }[];
    return rows.length > PREFIX_WORDS_MAX ? null : rows.map((r) => r.word);
  };

  constructor(
    private readonly db: Db,
    private readonly idn: IdnKey,
  ) {
    this.index = new SearchIndex(db);
    this.idSpan = db.prepare(`SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM (SELECT id FROM passages
      WHERE at_ms >= ? AND at_ms < ? LIMIT ${ID_RANGE_MAX + 1})`);
    this.wordsFrom = db.prepare(
      `SELECT word FROM passage_name_words WHERE word >= ? AND word < ? ORDER BY word LIMIT ${PREFIX_WORDS_MAX + 1}`,
    );
  }

  search(f: SearchFilters, limit: number, before?: { at: number; id: number }): SearchResult {
    const t0 = performance.now();
    // The indexes cover what the follower has reached (p.indexed = 1): first every committed passage.
    this.index.catchUp();
    const ids = f.name !== undefined ? this.idsOf(f) : undefined;
    const q = buildSearch(f, this.idn, { limit, before }, this.words, ids);
    const rows = this.db.prepare(q.sql).all(...q.args) as PassageQueryRow[];
    const page = rows.slice(0, limit).map(toAuditPassage);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    // A common name combined with other filters was looked for among its newest matches only: say so.
    // (A range of fewer passages than that cannot hold more matches: nothing to count.)
    const partial =
      f.name !== undefined &&
      !q.byId &&
      (ids?.n ?? Number.POSITIVE_INFINITY) > NAME_EXACT_LIMIT &&
      this.nameMatches(f.name, ids) > NAME_EXACT_LIMIT;
    return {
      rows: page,
      next: last ? { at: last.at_ms, id: last.id } : null,
      tookMs: Math.round((performance.now() - t0) * 100) / 100,
      ...(partial ? { partial: true } : {}),
    };
  }

  /** How many passages a name matches (within `ids`), counted no further than NAME_EXACT_LIMIT + 1. */
  private nameMatches(name: string, ids?: IdRange): number {
    const q = nameQuery(name, this.words);
    if (!q) return 0;
    return (
      this.db
        .prepare(`SELECT count(*) AS n FROM (SELECT rowid FROM passage_names WHERE passage_names MATCH ?
          ${ids ? 'AND rowid BETWEEN ? AND ?' : ''} LIMIT ${NAME_EXACT_LIMIT + 1})`)
        .get(q, ...(ids ? [ids.lo, ids.hi] : [])) as { n: number }
    ).n;
  }

  /**
   * The ids of the passages in the filters' time range, when it has one of at most ID_RANGE_MAX
   * passages: the smallest and largest, read from the time index (ids follow time except where the
   * kiosk clock was set back, so the first and last by time would not do).
   */
  private idsOf(f: SearchFilters): IdRange | undefined {
    if (f.from === undefined && f.to === undefined) return undefined;
    const from = f.from !== undefined ? timeOf(f.from, 'from') : Number.MIN_SAFE_INTEGER;
    const to = f.to !== undefined ? timeOf(f.to, 'to') : Number.MAX_SAFE_INTEGER;
    const r = this.idSpan.get(from, to) as { n: number; lo: number | null; hi: number | null };
    if (r.n > ID_RANGE_MAX) return undefined;
    return r.lo === null || r.hi === null ? { lo: 1, hi: 0, n: 0 } : { lo: r.lo, hi: r.hi, n: r.n };
  }

  /**
   * The newest `max` matching rows, a page at a time, newest first (as the search reads them): an export
   * turns each page into bytes before it asks for the next, never holding every row at once. Pages of
   * 200: pages of 500 outlived V8's young generation and grew the old one by 30 MB over an export.
   */
  *pages(f: SearchFilters, max: number, pageSize = 200): Generator<AuditPassage[]> {
    let before: { at: number; id: number } | undefined;
    let left = max;
    while (left > 0) {
      const page = this.search(f, Math.min(pageSize, left), before);
      if (page.rows.length > 0) yield page.rows;
      left -= page.rows.length;
      if (!page.next) return;
      before = page.next;
    }
  }

  get(id: number): AuditPassage {
    const row = this.db
      .prepare(
        `SELECT ${PASSAGE_COLUMNS} FROM passages p LEFT JOIN users u ON u.id = p.user_id WHERE p.id = ?`,
      )
      .get(id) as PassageQueryRow | undefined;
    if (!row) throw new KioskError('PASSAGE_NOT_FOUND', `Không có lượt qua số ${id}`, `No passage ${id}`);
    return toAuditPassage(row);
  }
}
