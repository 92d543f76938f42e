// Migration 8 (the search index follower): the scan's commit no longer writes what only searches read.
// The name index, the reasons table and the search indexes of passages (plate, ID-number tokens, permit
// id, decision) are kept by a follower in the same database (src/store/search-index.ts), a few hundred
// milliseconds behind. Those indexes cover only rows the follower has reached (`indexed = 1`): a scan's
// insert (`indexed = 0`) adds nothing to them. Rows already in the log were indexed by the triggers:
// they read as indexed (the column's default), and the follower starts after the last of them.
import type { Migration } from '../base/db.js';
import { PLATE_SQL } from './migration-audit.js';

export const MIGRATION_8: Migration = {
  version: 8,
  name: 'search indexes kept by a follower, out of the scan commit',
  sql: `
    DROP TRIGGER passages_names_ai;
    DROP TRIGGER passages_reasons_ai;
    ALTER TABLE passages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 1 CHECK (indexed IN (0, 1));
    DROP INDEX passages_plate;
    DROP INDEX passages_idn_full;
    DROP INDEX passages_idn_tail;
    DROP INDEX passages_cti;
    DROP INDEX passages_decision;
    CREATE INDEX passages_plate ON passages (${PLATE_SQL}, at_ms) WHERE indexed = 1 AND vehicle_plate IS NOT NULL;
    CREATE INDEX passages_idn_full ON passages (idn_full, at_ms) WHERE indexed = 1 AND idn_full IS NOT NULL;
    CREATE INDEX passages_idn_tail ON passages (idn_tail, at_ms) WHERE indexed = 1 AND idn_tail IS NOT NULL;
    CREATE INDEX passages_cti ON passages (cti, at_ms) WHERE indexed = 1 AND cti IS NOT NULL;
    CREATE INDEX passages_decision ON passages (decision, at_ms) WHERE indexed = 1;
    -- The follower's progress: every passage up to last_id is in the search indexes.
    CREATE TABLE search_follower (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      last_id INTEGER NOT NULL
    );
    INSERT INTO search_follower (id, last_id) SELECT 1, COALESCE(MAX(id), 0) FROM passages;
  `,
};

/** The name index's tokenizer: its words and the word list's are folded alike (migration-audit.ts). */
export const NAME_TOKENIZER = 'unicode61 remove_diacritics 2';

/** Every word of the name index into the (empty) word list: migration 11, and a bulk load of the index. */
export const NAME_WORDS_FROM_INDEX_SQL = `CREATE VIRTUAL TABLE temp.passage_names_terms USING fts5vocab(main, passage_names, row);
    INSERT INTO passage_name_words (word) SELECT term FROM temp.passage_names_terms;
    DROP TABLE temp.passage_names_terms;`;

/**
 * Migration 11: every word of the name index, once. A name's last word is typed as a prefix ("nguyen van
 * a" finds "An"); FTS5 answers a prefix by merging the whole doclist of every word it begins, 40–80 ms for
 * "nguyen*" over 5 million passages. Looked up here, the prefix becomes the few whole words it begins,
 * which FTS5 walks newest first and stops at the page's end. Seeded from the index's own vocabulary.
 */
export const MIGRATION_11: Migration = {
  version: 11,
  name: 'the name index’s words, for prefixes',
  sql: `
    CREATE TABLE passage_name_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
    ${NAME_WORDS_FROM_INDEX_SQL}
  `,
};
