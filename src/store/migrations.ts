// Versioned schema. Append new migrations at the end; never edit one that has shipped, since kiosks in
// the field have already applied it. Each runs in its own transaction at open.
import type { Migration } from '../base/db.js';
import { MIGRATION_3 } from './migration-audit.js';
import { MIGRATION_5 } from './migration-idn.js';
import { MIGRATION_4 } from './migration-lane.js';
import { MIGRATION_6 } from './migration-outbox.js';
import { MIGRATION_7 } from './migration-retention.js';
import { MIGRATION_8, MIGRATION_11 } from './migration-search.js';
import { MIGRATION_9 } from './peer-passages.js';

export type { Migration } from '../base/db.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'passages, outbox, summary windows, kv',
    sql: `
      CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        checkpoint_id TEXT NOT NULL,
        area TEXT NOT NULL,
        lane TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        source TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('ALLOW', 'DENY', 'REVIEW')),
        reasons TEXT NOT NULL,
        permit_hash TEXT,
        iss TEXT,
        cti TEXT,
        purpose TEXT,
        vehicle_type TEXT,
        people INTEGER NOT NULL DEFAULT 1,
        let_through INTEGER NOT NULL CHECK (let_through IN (0, 1)),
        -- Personal fields: hashed into the chain through personal_hash (salted) so that the retention
        -- purge can erase them, salt included, without breaking the chain.
        holder_name TEXT,
        id_masked TEXT,
        vehicle_plate TEXT,
        raw_preview TEXT,
        personal_salt TEXT,
        personal_hash TEXT NOT NULL,
        purged INTEGER NOT NULL DEFAULT 0 CHECK (purged IN (0, 1)),
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      -- Duplicate-window lookup (recentVerdict).
      CREATE INDEX passages_permit_at ON passages (permit_hash, at_ms) WHERE permit_hash IS NOT NULL;
      -- Anti-passback lookup (lastDirection): only let-through passages matter.
      CREATE INDEX passages_permit_area_through ON passages (permit_hash, area, at_ms) WHERE let_through = 1;
      -- Time ranges: audit, shift counts, retention.
      CREATE INDEX passages_at ON passages (at_ms);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        topic TEXT NOT NULL,
        payload TEXT NOT NULL,
        qos INTEGER NOT NULL DEFAULT 1 CHECK (qos IN (0, 1, 2)),
        created_ms INTEGER NOT NULL
      );

      CREATE TABLE summary_windows (
        window_start_ms INTEGER PRIMARY KEY,
        window_ms INTEGER NOT NULL,
        data TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
      );
      CREATE INDEX summary_windows_closed ON summary_windows (closed, window_start_ms);

      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'signed documents: held versions, revocation buckets, document log',
    sql: `
      -- One row per held document: trust, revocations, zones, config:* and config:<checkpoint id>.
      -- Small documents keep their JWS and are verified again at every start.
      CREATE TABLE documents (
        slot TEXT PRIMARY KEY,
        typ TEXT NOT NULL,
        version INTEGER NOT NULL,
        issued INTEGER NOT NULL,
        digest TEXT NOT NULL,
        jws TEXT,
        -- Revocations: the generation of revocation_buckets in use, its size, the last full list's digest.
        generation INTEGER,
        entries INTEGER,
        full_digest TEXT,
        applied_ms INTEGER NOT NULL
      );
      -- The revocation set as 4096 sorted runs of 32-byte hashes (by their first 12 bits). A full list
      -- is written as a new generation and switched to in one small transaction.
      CREATE TABLE revocation_buckets (
        generation INTEGER NOT NULL,
        bucket INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 4095),
        data BLOB NOT NULL,
        PRIMARY KEY (generation, bucket)
      );
      -- Every document received, applied or refused, with why.
      CREATE TABLE document_log (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        typ TEXT NOT NULL,
        version INTEGER,
        applied INTEGER NOT NULL CHECK (applied IN (0, 1)),
        error_code TEXT,
        error_vi TEXT,
        error_en TEXT,
        digest TEXT
      );
      CREATE INDEX document_log_at ON document_log (at_ms);
    `,
  },
  MIGRATION_3,
  MIGRATION_4,
  MIGRATION_5,
  MIGRATION_6,
  MIGRATION_7,
  MIGRATION_8,
  MIGRATION_9,
  {
    version: 10,
    name: 'one index for a permit’s passages',
    // Anti-passback reads a permit's passages through passages_permit_at (its let-through test reads
    // overrides and amendments, which no partial index can express), so this one was never used, and
    // cost every scan's commit a random page.
    sql: 'DROP INDEX passages_permit_area_through;',
  },
  MIGRATION_11,
];
