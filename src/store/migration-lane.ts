// Migration 4 (the guard's lane): a passage's passengers and the guard's note (why a person was
// recorded by hand). Rows written from now on are chain_v 3 (src/store/chain.ts), which hashes them
// too. Overrides need no column: each is an `override` audit event in the same chain that names the
// passage it lets through (src/store/lane-records.ts), so the passage keeps its decision and reasons.
import type { Migration } from '../base/db.js';

export const MIGRATION_4: Migration = {
  version: 4,
  name: 'passengers and guard notes on passages',
  sql: `
    -- People in the vehicle besides the person checked (people = 1 + passengers).
    ALTER TABLE passages ADD COLUMN passengers INTEGER NOT NULL DEFAULT 0 CHECK (passengers BETWEEN 0 AND 99);
    -- Why a person was recorded by hand. Personal (it may name people): purged with the name.
    ALTER TABLE passages ADD COLUMN note TEXT;
  `,
};
