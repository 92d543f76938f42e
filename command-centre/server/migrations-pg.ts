// The command centre's schema on PostgreSQL: the same tables as SQLite's live ones (migrations.ts),
// for aggregators on several machines. Append new migrations at the end, never edit one that has shipped.
import type { Migration } from '../../src/base/db.js';

const COUNTERS = `
  in_allowed BIGINT NOT NULL DEFAULT 0, in_denied BIGINT NOT NULL DEFAULT 0,
  in_review BIGINT NOT NULL DEFAULT 0, in_overridden BIGINT NOT NULL DEFAULT 0,
  out_allowed BIGINT NOT NULL DEFAULT 0, out_denied BIGINT NOT NULL DEFAULT 0,
  out_review BIGINT NOT NULL DEFAULT 0, out_overridden BIGINT NOT NULL DEFAULT 0,
  people BIGINT NOT NULL DEFAULT 0`;

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'command centre on PostgreSQL: kiosk instances, seq ranges held, counts, events, acks, passages',
    sql: `
      -- One row per kiosk instance. A transaction storing its messages locks this row first (in a fixed
      -- order), so two aggregators never add the same seq to its ranges.
      CREATE TABLE kiosks (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        kiosk TEXT NOT NULL,
        instance TEXT NOT NULL,
        lane TEXT,
        online INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
        status TEXT,
        last_status_ms BIGINT,
        changed_ms BIGINT,
        first_seen_ms BIGINT NOT NULL,
        last_seen_ms BIGINT NOT NULL,
        summaries BIGINT NOT NULL DEFAULT 0,
        events BIGINT NOT NULL DEFAULT 0,
        passages BIGINT NOT NULL DEFAULT 0,
        acks BIGINT NOT NULL DEFAULT 0,
        duplicates BIGINT NOT NULL DEFAULT 0,
        ${COUNTERS},
        UNIQUE (district, checkpoint, kiosk, instance)
      );

      -- The seq each instance sent that the database holds, as closed ranges that never overlap or touch.
      CREATE TABLE held (
        kiosk_id BIGINT NOT NULL REFERENCES kiosks (id),
        lo BIGINT NOT NULL,
        hi BIGINT NOT NULL CHECK (hi >= lo),
        PRIMARY KEY (kiosk_id, lo)
      );

      CREATE TABLE kiosk_hours (
        hour_ms BIGINT NOT NULL,
        kiosk_id BIGINT NOT NULL REFERENCES kiosks (id),
        ${COUNTERS},
        PRIMARY KEY (hour_ms, kiosk_id)
      );

      CREATE TABLE events (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL,
        district TEXT NOT NULL,
        checkpoint TEXT NOT NULL,
        kiosk TEXT,
        instance TEXT,
        kiosk_seq BIGINT,
        at_ms BIGINT NOT NULL,
        received_ms BIGINT NOT NULL,
        kind TEXT NOT NULL,
        decision TEXT,
        reasons TEXT NOT NULL,
        permit TEXT,
        direction TEXT,
        lane TEXT,
        detail TEXT
      );
      -- A second guard besides the ranges held: one event per (instance, seq).
      CREATE UNIQUE INDEX events_instance_seq ON events (district, checkpoint, kiosk, instance, kiosk_seq);
      CREATE INDEX events_at ON events (at_ms);

      CREATE TABLE kiosk_acks (
        kiosk_id BIGINT NOT NULL REFERENCES kiosks (id),
        typ TEXT NOT NULL,
        version TEXT NOT NULL,
        applied INTEGER NOT NULL CHECK (applied IN (0, 1)),
        error TEXT,
        at_ms BIGINT NOT NULL,
        received_ms BIGINT NOT NULL,
        PRIMARY KEY (kiosk_id, typ, version)
      );
      CREATE INDEX kiosk_acks_received ON kiosk_acks (received_ms);

      CREATE TABLE passages (
        kiosk_id BIGINT NOT NULL REFERENCES kiosks (id),
        seq BIGINT NOT NULL,
        id TEXT NOT NULL,
        area TEXT NOT NULL,
        permit TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        let_through INTEGER NOT NULL CHECK (let_through IN (0, 1)),
        at_ms BIGINT NOT NULL,
        received_ms BIGINT NOT NULL,
        PRIMARY KEY (kiosk_id, seq)
      );
      CREATE INDEX passages_area_permit ON passages (area, permit, at_ms);
      CREATE INDEX passages_at ON passages (at_ms);

      CREATE TABLE published (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        typ TEXT NOT NULL,
        version BIGINT NOT NULL,
        topic TEXT NOT NULL,
        retained INTEGER NOT NULL,
        at_ms BIGINT NOT NULL,
        sha256 TEXT NOT NULL
      );
      CREATE INDEX published_topic ON published (topic, version);

      CREATE TABLE rejected (
        reason TEXT PRIMARY KEY,
        count BIGINT NOT NULL,
        last_topic TEXT,
        last_ms BIGINT
      );

      CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE revoked (hash TEXT PRIMARY KEY);

      -- Advanced after every commit that changed something: the dashboards' "anything new?".
      CREATE SEQUENCE ledger_changes;
    `,
  },
  {
    version: 2,
    name: 'command centre: operator accounts, sessions, audit chain, four-eyes approvals, alert acks',
    sql: `
      -- scope: 'city', or a JSON array of district codes. Names are unique whatever their case.
      CREATE TABLE cc_accounts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'publisher', 'admin')),
        scope TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        failed_count INTEGER NOT NULL DEFAULT 0,
        locked_until_ms BIGINT NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_ms BIGINT NOT NULL,
        updated_ms BIGINT NOT NULL
      );
      CREATE UNIQUE INDEX cc_accounts_name ON cc_accounts (lower(name));
      -- Only the SHA-256 of a session's token: a copied database opens no session.
      CREATE TABLE cc_sessions (
        id TEXT PRIMARY KEY,
        account_id BIGINT NOT NULL REFERENCES cc_accounts (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_ms BIGINT NOT NULL,
        last_seen_ms BIGINT NOT NULL,
        peer TEXT
      );
      CREATE INDEX cc_sessions_account ON cc_sessions (account_id);
      -- One hash chain, hashed as the kiosk's audit events are (src/store/chain.ts). details is the
      -- exact JSON text that was hashed (JSONB would reorder its keys). Appends take a transaction-level
      -- advisory lock, so that aggregators sharing the database extend one chain, never fork it.
      CREATE TABLE cc_audit (
        id BIGINT PRIMARY KEY,
        at_ms BIGINT NOT NULL,
        kind TEXT NOT NULL,
        user_id BIGINT,
        user_name TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL
      );
      CREATE TABLE cc_approvals (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind TEXT NOT NULL,
        request TEXT NOT NULL,
        requested_by BIGINT NOT NULL,
        requested_name TEXT NOT NULL,
        requested_ms BIGINT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'published', 'rejected', 'failed')),
        decided_by BIGINT,
        decided_name TEXT,
        decided_ms BIGINT,
        outcome TEXT
      );
      CREATE TABLE cc_alert_acks (
        seq BIGINT PRIMARY KEY,
        account_id BIGINT NOT NULL,
        user_name TEXT NOT NULL,
        at_ms BIGINT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'shared history: who is inside each area, late passbacks raised once',
    sql: `
      CREATE TABLE presence (
        area TEXT NOT NULL,
        permit TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        at_ms BIGINT NOT NULL,
        passage TEXT NOT NULL,
        PRIMARY KEY (area, permit)
      );
      CREATE INDEX presence_inside ON presence (area) WHERE direction = 'in';
      INSERT INTO presence (area, permit, direction, at_ms, passage)
        SELECT DISTINCT ON (area, permit) area, permit, direction, at_ms, id FROM passages
        WHERE let_through = 1 ORDER BY area, permit, at_ms DESC, seq DESC;
      CREATE INDEX passages_id ON passages (id);
      CREATE TABLE passbacks (first TEXT NOT NULL, second TEXT NOT NULL, PRIMARY KEY (first, second));
    `,
  },
];
