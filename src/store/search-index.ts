// The search index follower: what only the supervisor's searches read (the name index, the reasons
// table, the search indexes of passages) is written here, after the scan's commit, not in it. It runs
// a few hundred milliseconds behind the log, many passages to a transaction. Its progress is a row of
// the database, written with the index entries, so after a crash it resumes where it stopped; a search
// first catches it up, so it sees every committed passage.
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { FOLD_D } from './migration-audit.js';
import { NAME_TOKENIZER } from './migration-search.js';

/** How long after a commit the follower runs: well within the second the design allows. */
export const FOLLOW_DELAY_MS = 200;
/**
 * SQLite's own checkpoint threshold on the kiosk's connection, in pages: a safety net only, the follower
 * checkpoints after its batches. At the default (1,000) one scan commit in a hundred paid for a checkpoint.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;
/** Passages one transaction of the follower indexes (a few milliseconds), so a scan never waits long. */
export const FOLLOW_BATCH = 500;

export interface SearchIndexOptions {
  timers?: Timers;
  /** Copies the WAL into the database after a batch (default: on this connection, now). */
  checkpoint?: () => void;
  delayMs?: number;
  batch?: number;
}

export class SearchIndex {
  private readonly s;
  private readonly timers: Timers;
  private readonly delayMs: number;
  private readonly batch: number;
  private readonly checkpoint: () => void;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly db: Db,
    opts: SearchIndexOptions = {},
  ) {
    this.timers = opts.timers ?? systemTimers;
    this.delayMs = opts.delayMs ?? FOLLOW_DELAY_MS;
    this.batch = opts.batch ?? FOLLOW_BATCH;
    this.checkpoint = opts.checkpoint ?? (() => db.pragma('wal_checkpoint(PASSIVE)'));
    // A batch's names go through a scratch index of this connection with the same tokenizer, whose
    // vocabulary then holds exactly the words the name index got: they join the word list.
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.name_batch
        USING fts5 (name, content = '', tokenize = '${NAME_TOKENIZER}');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.name_batch_terms USING fts5vocab(temp, name_batch, row);`);
    const p = (sql: string) => db.prepare(sql);
    const range = 'id > @from AND id <= @to AND indexed = 0';
    this.s = {
      cursor: p('SELECT last_id AS id FROM search_follower WHERE id = 1'),
      newest: p('SELECT MAX(id) AS id FROM passages'),
      upTo: p('SELECT MAX(id) AS id FROM (SELECT id FROM passages WHERE id > ? ORDER BY id LIMIT ?)'),
      names: p(`INSERT INTO passage_names (rowid, name) SELECT id, ${FOLD_D('holder_name')} FROM passages
        WHERE ${range} AND holder_name IS NOT NULL`),
      batch: p(`INSERT INTO temp.name_batch (name) SELECT ${FOLD_D('holder_name')} FROM passages
        WHERE ${range} AND holder_name IS NOT NULL`),
      words: p('INSERT OR IGNORE INTO passage_name_words (word) SELECT term FROM temp.name_batch_terms'),
      clearBatch: p(`INSERT INTO temp.name_batch (name_batch) VALUES ('delete-all')`),
      reasons: p(`INSERT OR IGNORE INTO passage_reasons (reason, at_ms, passage_id)
        SELECT j.value, p.at_ms, p.id FROM passages p, json_each(p.reasons) j
        WHERE p.id > @from AND p.id <= @to AND p.indexed = 0`),
      flag: p(`UPDATE passages SET indexed = 1 WHERE ${range}`),
      advance: p('UPDATE search_follower SET last_id = ? WHERE id = 1'),
    };
  }

  /** The last passage in the search indexes. */
  cursor(): number {
    return (this.s.cursor.get() as { id: number } | undefined)?.id ?? 0;
  }

  /** Passages committed and not yet in the search indexes. */
  behind(): number {
    return Math.max(0, ((this.s.newest.get() as { id: number | null }).id ?? 0) - this.cursor());
  }

  /** Indexes the next passages, at most `limit`, in one transaction; returns the ids walked. */
  step(limit = this.batch): number {
    return this.db
      .transaction(() => {
        const from = this.cursor();
        const to = (this.s.upTo.get(from, limit) as { id: number | null }).id;
        if (to === null) return 0;
        const args = { from, to };
        this.s.names.run(args);
        if (this.s.batch.run(args).changes > 0) {
          this.s.words.run();
          this.s.clearBatch.run();
        }
        this.s.reasons.run(args);
        this.s.flag.run(args);
        this.s.advance.run(to);
        return to - from;
      })
      .immediate();
  }

  /** Everything committed so far, now: what a search calls first. Returns how many were indexed. */
  catchUp(): number {
    let n = 0;
    for (let k = this.step(); k > 0; k = this.step()) n += k;
    return n;
  }

  /** A passage was committed: it is indexed within delayMs. */
  nudge(): void {
    if (this.timer || this.stopped) return;
    this.timer = this.timers.setTimeout(() => this.run(), this.delayMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.timer = null;
    if (this.stopped || !this.db.open) return;
    let next: number | null = null;
    try {
      // A full batch leaves more behind: the next one once the loop has run what waits (a scan).
      if (this.step() >= this.batch) next = 0;
      // The WAL is copied into the database after the follower's batches (by the store's checkpointer,
      // off this thread), rather than by whichever scan's commit crosses SQLite's threshold (the store
      // raises it: WAL_AUTOCHECKPOINT_PAGES).
      else this.checkpoint();
    } catch (err) {
      log.error('search index: could not index passages, retrying', err instanceof Error ? err.message : err);
      next = this.delayMs * 5;
    }
    if (next === null || this.stopped) return;
    this.timer = this.timers.setTimeout(() => this.run(), next);
    this.timer.unref?.();
  }
}
