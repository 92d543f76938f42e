// The command centre's own database (not a kiosk's): append new migrations at the end, never edit one
// that has shipped. Several aggregators may share this file (see README: they must, to de-duplicate
// across a shared subscription, and so that the receipts they publish are one truth).
import type { Migration } from '../../src/base/db.js';
import { PRESENCE_MIGRATION } from './presence.js';

const COUNTERS = `
  in_allowed INTEGER NOT NULL DEFAULT 0, in_denied INTEGER NOT NULL DEFAULT 0,
  in_review INTEGER NOT NULL DEFAULT 0, in_overridden INTEGER NOT NULL DEFAULT 0,
  out_allowed INTEGER NOT NULL DEFAULT 0, out_denied INTEGER NOT NULL DEFAULT 0,
  out_review INTEGER NOT NULL DEFAULT 0, out_overridden INTEGER NOT NULL DEFAULT 0,
  people INTEGER NOT NULL DEFAULT 0`;

export const CC_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'command centre: processed ids, checkpoints, totals, hours, events, acks, published',
    sql: `
      -- Every counted summary and event, by the kiosk's own id, scoped by its topic. seq is the order of
      -- arrival. A row here and the counts it added commit together: a restart neither loses nor
      -- double-counts.
      CREATE TABLE processed (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('summary', 'event')),
        at_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        UNIQUE (district, checkpoint, id)
      );
      CREATE INDEX processed_at ON processed (at_ms);

      CREATE TABLE checkpoints (
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        online INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
        status TEXT,
        last_seen_ms INTEGER,
        changed_ms INTEGER,
        summaries INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        ${COUNTERS},
        PRIMARY KEY (district, checkpoint)
      );

      CREATE TABLE hourly (
        hour_ms INTEGER NOT NULL,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        ${COUNTERS},
        PRIMARY KEY (hour_ms, district, checkpoint)
      );

      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        decision TEXT,
        reasons TEXT NOT NULL,
        permit TEXT,
        direction TEXT,
        lane TEXT
      );
      CREATE INDEX events_received ON events (received_ms);

      -- Acks carry no id: the latest answer per kiosk, document type and version is kept.
      CREATE TABLE acks (
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        typ TEXT NOT NULL,
        version TEXT NOT NULL,
        applied INTEGER NOT NULL CHECK (applied IN (0, 1)),
        error TEXT,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (district, checkpoint, typ, version)
      );
      CREATE INDEX acks_received ON acks (received_ms);

      CREATE TABLE published (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        typ TEXT NOT NULL,
        version INTEGER NOT NULL,
        topic TEXT NOT NULL,
        retained INTEGER NOT NULL,
        at_ms INTEGER NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX published_topic ON published (topic, version);

      -- Messages dropped as invalid, counted by reason.
      CREATE TABLE rejected (
        reason TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        last_topic TEXT,
        last_ms INTEGER
      );

      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'contract v2: kiosk instances, the seq ranges held per instance, counts per kiosk, passages',
    sql: `
      -- v1's processed, checkpoints, hourly and acks tables stay as they were and are no longer read:
      -- v1 is retired, and its counts cannot be split between the kiosks of a checkpoint.

      -- One row per kiosk instance (a kiosk database): a kiosk id claimed by two instances is two rows,
      -- both counted. Its counts, and online/offline from its own status and Will.
      CREATE TABLE kiosks (
        id INTEGER PRIMARY KEY,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        kiosk TEXT NOT NULL,
        instance TEXT NOT NULL,
        lane TEXT,
        online INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
        -- The last online status (JSON), kept for display after the kiosk went offline.
        status TEXT,
        -- The last status heard (birth, change or heartbeat): silence is measured from it.
        last_status_ms INTEGER,
        changed_ms INTEGER,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        summaries INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        passages INTEGER NOT NULL DEFAULT 0,
        acks INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        ${COUNTERS},
        UNIQUE (district, checkpoint, kiosk, instance)
      );

      -- The seq each instance sent that this database holds, as closed ranges that never overlap or
      -- touch: a handful of rows per instance, so a receipt is read, and a seq added, inside the
      -- transaction that stores the message.
      CREATE TABLE held (
        kiosk_id INTEGER NOT NULL REFERENCES kiosks (id),
        lo INTEGER NOT NULL,
        hi INTEGER NOT NULL CHECK (hi >= lo),
        PRIMARY KEY (kiosk_id, lo)
      ) WITHOUT ROWID;

      CREATE TABLE kiosk_hours (
        hour_ms INTEGER NOT NULL,
        kiosk_id INTEGER NOT NULL REFERENCES kiosks (id),
        ${COUNTERS},
        PRIMARY KEY (hour_ms, kiosk_id)
      ) WITHOUT ROWID;

      -- Events name their kiosk; detail holds what a command-centre alert adds (the instances of a
      -- kiosk id claimed twice).
      ALTER TABLE events ADD COLUMN kiosk TEXT;
      ALTER TABLE events ADD COLUMN instance TEXT;
      ALTER TABLE events ADD COLUMN kiosk_seq INTEGER;
      ALTER TABLE events ADD COLUMN detail TEXT;

      -- The latest answer per kiosk instance, document type and version.
      CREATE TABLE kiosk_acks (
        kiosk_id INTEGER NOT NULL REFERENCES kiosks (id),
        typ TEXT NOT NULL,
        version TEXT NOT NULL,
        applied INTEGER NOT NULL CHECK (applied IN (0, 1)),
        error TEXT,
        at_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, typ, version)
      );
      CREATE INDEX kiosk_acks_received ON kiosk_acks (received_ms);

      -- Every passage with a permit (ckpt.passage/1): the shared history of an area, by permit.
      CREATE TABLE passages (
        kiosk_id INTEGER NOT NULL REFERENCES kiosks (id),
        seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        area TEXT NOT NULL,
        permit TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        let_through INTEGER NOT NULL CHECK (let_through IN (0, 1)),
        at_ms INTEGER NOT NULL,
        received_ms INTEGER NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
      );
      CREATE INDEX passages_area_permit ON passages (area, permit, at_ms);
      CREATE INDEX passages_at ON passages (at_ms);

      -- The current full revocation list, kept so that every delta can be folded into a new full list.
      CREATE TABLE revoked (hash TEXT PRIMARY KEY) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'command centre: operator accounts, sessions, audit chain, four-eyes approvals, alert acks',
    sql: `
      -- scope: 'city', or a JSON array of district codes.
      CREATE TABLE cc_accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'publisher', 'admin')),
        scope TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until_ms INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      -- Only the SHA-256 of a session's token: a copied database opens no session.
      CREATE TABLE cc_sessions (
        id TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES cc_accounts (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        peer TEXT
      );
      -- One hash chain, hashed as the kiosk's audit events are (src/store/chain.ts).
      CREATE TABLE cc_audit (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        user_id INTEGER,
        user_name TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TABLE cc_approvals (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        request TEXT NOT NULL,
        requested_by INTEGER NOT NULL,
        requested_name TEXT NOT NULL,
        requested_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'published', 'rejected', 'failed')),
        decided_by INTEGER,
        decided_name TEXT,
        decided_ms INTEGER,
        outcome TEXT
      );
      CREATE TABLE cc_alert_acks (
        seq INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL,
        user_name TEXT NOT NULL,
        at_ms INTEGER NOT NULL
      );
    `,
  },
  PRESENCE_MIGRATION,
];
