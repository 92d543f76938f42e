// Migration 6 (MQTT contract v2): the outbox numbers its messages. A row's `seq` is the contract's seq
// (1, 2, 3… for the life of the database, given in the transaction that writes it) and the row stays
// until a receipt from the command centre covers it. Rows written under v1 are kept in `outbox_v1` and
// renumbered into the new table when the store opens (src/store/outbox.ts): that needs the kiosk id,
// which only the configuration knows.
import type { Migration } from '../base/db.js';

export const MIGRATION_6: Migration = {
  version: 6,
  name: 'numbered outbox, kiosk instance',
  sql: `
    ALTER TABLE outbox RENAME TO outbox_v1;
    CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY,
      topic TEXT NOT NULL,
      payload TEXT NOT NULL,
      qos INTEGER NOT NULL DEFAULT 1 CHECK (qos IN (0, 1, 2)),
      created_ms INTEGER NOT NULL
    );
    -- One row: this database's instance (a UUID, never changed) and the last seq given.
    CREATE TABLE outbox_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      instance TEXT NOT NULL,
      last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
    );
  `,
};
