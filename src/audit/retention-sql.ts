// The retention purge's SQL: counting what is due and erasing it a few rows at a time, through the
// partial index of unpurged passages (migration 3, `passages_unpurged`), from which erased rows leave:
// each statement starts at the oldest row still due, wherever the last run stopped. The run in progress
// is a kv row, written in the transaction of each slice.

import type { Db } from '../base/db.js';

const RUN_KEY = 'retention.run';
/** Set when rows were erased and the name index still holds their words; cleared once it is tidied. */
const TIDY_KEY = 'retention.tidy';
/** When the name index was last tidied (epoch ms). */
const TIDIED_KEY = 'retention.tidied';
/** The last word of the word list checked by a tidying in progress. */
const WORDS_KEY = 'retention.words';
/** Words of the word list one step checks against the name index (each a look-up of one word). */
const WORDS_STEP = 64;
/** Pages of the name index one merge step writes (a few milliseconds at most). */
const MERGE_PAGES = 4;
/** Index entries a counting slice walks over: about a millisecond. */
const COUNT_SLICE = 10_000;

/** A run of the purge as kept in the kv table. */
export interface RunRecord {
  beforeMs: number;
  startedMs: number;
  done: number;
  total: number | null;
  by: { userId: number; name: string } | null;
  /** Its `purge_start` audit event is written (with the first rows erased). */
  started: boolean;
  resumed: boolean;
  /** Everything due is erased: the name index is being tidied. */
  erased?: boolean;
}

/** Where a count stands: rows counted, and the (at_ms, id) of the last one. */
export interface CountCursor {
  n: number;
  at: number;
  id: number;
}

export class RetentionSql {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    const due = 'purged = 0 AND at_ms < @before AND (at_ms, id) > (@at, @id)';
    this.s = {
      erase: p(`UPDATE passages SET holder_name = NULL, id_masked = NULL, vehicle_plate = NULL,
        raw_preview = NULL, idn_hmac = NULL, note = NULL, personal_salt = NULL, idn_full = NULL, idn_tail = NULL,
        idn_mac = NULL, purged = 1
        WHERE id IN (SELECT id FROM passages WHERE purged = 0 AND at_ms < ? ORDER BY at_ms LIMIT ?)`),
      // The row COUNT_SLICE entries on from the cursor, if there is one: the count moves by whole slices.
      jump: p(
        `SELECT at_ms AS at, id FROM passages WHERE ${due} ORDER BY at_ms, id LIMIT 1 OFFSET ${COUNT_SLICE - 1}`,
      ),
      rest: p(`SELECT count(*) AS n FROM (SELECT 1 FROM passages WHERE ${due} LIMIT ${COUNT_SLICE})`),
      get: p('SELECT value FROM kv WHERE key = ?'),
      set: p(`INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`),
      clear: p('DELETE FROM kv WHERE key = ?'),
      // A negative page count merges every segment of the name index, so deleted entries leave it.
      merge: p(`INSERT INTO passage_names (passage_names, rank) VALUES ('merge', -${MERGE_PAGES})`),
      changes: p('SELECT total_changes() AS n'),
      wordsAfter: p(`SELECT word FROM passage_name_words WHERE word > ? ORDER BY word LIMIT ${WORDS_STEP}`),
      wordUsed: p('SELECT 1 FROM passage_names WHERE passage_names MATCH ? LIMIT 1'),
      dropWord: p('DELETE FROM passage_name_words WHERE word = ?'),
    };
  }

  /** One counting slice from `cursor`; `counted` is the total once finished. */
  countSlice(
    beforeMs: number,
    cursor: CountCursor,
  ): { cursor: CountCursor; finished: boolean; counted: number } {
    const args = { before: beforeMs, at: cursor.at, id: cursor.id };
    const row = this.s.jump.get(args) as { at: number; id: number } | undefined;
    if (row) {
      const next = { n: cursor.n + COUNT_SLICE, at: row.at, id: row.id };
      return { cursor: next, finished: false, counted: next.n };
    }
    const n = cursor.n + (this.s.rest.get(args) as { n: number }).n;
    return { cursor: { ...cursor, n }, finished: true, counted: n };
  }

  /** Erases up to `limit` of the oldest rows due; returns how many. */
  erase(beforeMs: number, limit: number): number {
    return this.s.erase.run(beforeMs, limit).changes;
  }

  /**
   * Merges the name index a few pages at a time until `enough()` says the slice is over (FTS5: a merge
   * that changed fewer than 2 rows did no work), then drops from the word list the words no passage
   * has any more, a step at a time; true when both are done.
   */
  tidySlice(enough: () => boolean, nowMs: number): boolean {
    return this.transaction(() => {
      for (;;) {
        const before = (this.s.changes.get() as { n: number }).n;
        this.s.merge.run();
        if ((this.s.changes.get() as { n: number }).n - before < 2) break;
        if (enough()) return false;
      }
      for (;;) {
        const from = (this.s.get.get(WORDS_KEY) as { value: string } | undefined)?.value ?? '';
        const words = (this.s.wordsAfter.all(from) as { word: string }[]).map((r) => r.word);
        // A word of the list is a token of the index: quoted, it is one term and never FTS syntax.
        for (const w of words) if (this.s.wordUsed.get(`"${w}"`) === undefined) this.s.dropWord.run(w);
        if (words.length < WORDS_STEP) {
          this.s.clear.run(WORDS_KEY);
          this.s.clear.run(TIDY_KEY);
          this.s.set.run(TIDIED_KEY, String(nowMs), nowMs);
          return true;
        }
        this.s.set.run(WORDS_KEY, words.at(-1) as string, nowMs);
        if (enough()) return false;
      }
    });
  }

  /** Erased rows' words wait in the name index, and its last tidying is at least `everyMs` old. */
  tidyDue(nowMs: number, everyMs: number): boolean {
    if (this.s.get.get(TIDY_KEY) === undefined) return false;
    const last = Number((this.s.get.get(TIDIED_KEY) as { value: string } | undefined)?.value ?? Number.NaN);
    return !Number.isFinite(last) || nowMs - last >= everyMs || nowMs < last;
  }

  markTidy(nowMs: number): void {
    this.s.set.run(TIDY_KEY, '1', nowMs);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  savedRun(): RunRecord | null {
    const row = this.s.get.get(RUN_KEY) as { value: string } | undefined;
    if (!row) return null;
    try {
      const r = JSON.parse(row.value) as RunRecord;
      return Number.isFinite(r.beforeMs) && Number.isFinite(r.done) ? r : null;
    } catch {
      return null;
    }
  }

  saveRun(r: RunRecord, nowMs: number): void {
    this.s.set.run(RUN_KEY, JSON.stringify(r), nowMs);
  }

  clearRun(): void {
    this.s.clear.run(RUN_KEY);
  }
}
