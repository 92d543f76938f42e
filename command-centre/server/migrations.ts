// The command centre's own database (not a kiosk's): append new migrations at the end, never edit one
// that has shipped. Several aggregators may share this file (see README: they must, to de-duplicate
// across a shared subscription).
import type { Migration } from '../../src/base/db.js';

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
];
