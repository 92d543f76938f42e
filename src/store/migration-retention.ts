// Migration 7 (the retention purge in slices): the name index (FTS5, contentless_delete) no longer
// rewrites a whole segment inside the statement that deletes the row tipping it over 10 % deleted
// entries ('deletemerge'): that rewrite, a second and more for a large index, stalled scans in the middle
// of a purge. The purge tidies the index itself afterwards, a few pages per slice (src/audit/retention.ts),
// which also takes the purged names' words out of the file.
import type { Migration } from '../base/db.js';

export const MIGRATION_7: Migration = {
  version: 7,
  name: 'name index: deleted entries cleaned by the retention purge, in slices',
  sql: `INSERT INTO passage_names (passage_names, rank) VALUES ('deletemerge', 0);`,
};
