// Migration 5: ID-number search tokens made with a key kept outside the database (src/store/idn.ts).
// Rows written from now on are chain_v 4: they keep no masked number and no HMAC in clear; the chain
// commits to `has_idn`, and the tokens, which key rotation rewrites, are bound to their row by a MAC.
// Older rows get their tokens at the first start with the key (idn-key-file.ts backfillLegacyTokens).
import type { Migration } from '../base/db.js';

export const MIGRATION_5: Migration = {
  version: 5,
  name: 'ID-number search tokens under a key outside the database',
  sql: `
    ALTER TABLE passages ADD COLUMN idn_full TEXT;
    ALTER TABLE passages ADD COLUMN idn_tail TEXT;
    ALTER TABLE passages ADD COLUMN idn_mac TEXT;
    ALTER TABLE passages ADD COLUMN has_idn INTEGER NOT NULL DEFAULT 0 CHECK (has_idn IN (0, 1));
    CREATE INDEX passages_idn_full ON passages (idn_full, at_ms) WHERE idn_full IS NOT NULL;
    CREATE INDEX passages_idn_tail ON passages (idn_tail, at_ms) WHERE idn_tail IS NOT NULL;
    -- Searches go through the tokens now; these indexes only copied the legacy columns.
    DROP INDEX passages_idn;
    DROP INDEX passages_id_tail;
  `,
};
