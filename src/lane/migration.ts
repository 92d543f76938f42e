// Migration 4 (the guard's lane): a passage's passengers, the guard's note (an override's or a manual
// entry's reason), and overrides as rows of their own that point at the passage they let through.
// Rows written from now on are chain_v 3 (src/store/chain.ts), which hashes these columns too.
import type { Migration } from '../store/migrations.js';

export const MIGRATION_4: Migration = {
  version: 4,
  name: 'passengers, guard notes, overrides as chained passages',
  sql: `
    -- People in the vehicle besides the person checked (people = 1 + passengers).
    ALTER TABLE passages ADD COLUMN passengers INTEGER NOT NULL DEFAULT 0 CHECK (passengers BETWEEN 0 AND 99);
    -- An override: a new passage, keeping the original decision and reasons, that lets it through.
    ALTER TABLE passages ADD COLUMN override_of INTEGER REFERENCES passages (id);
    -- Why: an override's reason, or why a person was recorded by hand. Personal: purged with the name.
    ALTER TABLE passages ADD COLUMN note TEXT;
    -- One override per passage.
    CREATE UNIQUE INDEX passages_override_of ON passages (override_of) WHERE override_of IS NOT NULL;
  `,
};
