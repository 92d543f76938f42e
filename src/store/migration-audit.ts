// Migration 3: users, sessions, shifts and audit events; passages join one hash chain with the audit
// events (a shared `seq`), gain their guard, shift and an HMAC of the full ID number, and get the
// indexes the supervisor's searches need. Upgrades an existing log in place: old rows keep chain_v 1
// and seq = id, so they verify exactly as before.
import type { Migration } from '../base/db.js';

/** upper(), minus spaces, dots and hyphens: spec/policy.md's plate normalisation, in SQL for the index. */
export const PLATE_SQL = `upper(replace(replace(replace(vehicle_plate, ' ', ''), '.', ''), '-', ''))`;

/** Diacritics are folded by FTS5's tokenizer; đ/Đ has no decomposition, so it is folded here. */
export const FOLD_D = (col: string) => `replace(replace(${col}, 'đ', 'd'), 'Đ', 'D')`;

export const MIGRATION_3: Migration = {
  version: 3,
  name: 'users, sessions, shifts, audit events in the passage chain, search indexes',
  sql: `
    CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE COLLATE NOCASE,
      display_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('guard', 'supervisor', 'admin')),
      -- scrypt$N$r$p$salt$hash (src/auth/pin.ts)
      pin_hash TEXT NOT NULL,
      failed_count INTEGER NOT NULL DEFAULT 0,
      locked_until_ms INTEGER NOT NULL DEFAULT 0,
      disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
      created_ms INTEGER NOT NULL,
      updated_ms INTEGER NOT NULL
    );

    -- Only the SHA-256 of a session token is kept: a copied database file opens no session.
    CREATE TABLE sessions (
      id TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users (id),
      role TEXT NOT NULL,
      csrf TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      last_seen_ms INTEGER NOT NULL,
      expires_ms INTEGER NOT NULL,
      transport TEXT NOT NULL,
      peer TEXT
    );
    CREATE INDEX sessions_user ON sessions (user_id);

    CREATE TABLE shifts (
      id INTEGER PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users (id),
      lane TEXT NOT NULL,
      opened_ms INTEGER NOT NULL,
      previous_shift_id INTEGER REFERENCES shifts (id),
      closed_ms INTEGER,
      closed_by INTEGER REFERENCES users (id),
      handover_notes TEXT,
      close_seq INTEGER,
      close_hash TEXT,
      signed_ms INTEGER,
      signed_by INTEGER REFERENCES users (id),
      signoff_note TEXT,
      signoff_seq INTEGER
    );
    -- One kiosk, one open shift.
    CREATE UNIQUE INDEX shifts_one_open ON shifts ((0)) WHERE closed_ms IS NULL;
    CREATE INDEX shifts_opened ON shifts (opened_ms);

    CREATE TABLE audit_events (
      id INTEGER PRIMARY KEY,
      seq INTEGER NOT NULL UNIQUE,
      at_ms INTEGER NOT NULL,
      kind TEXT NOT NULL,
      user_id INTEGER,
      user_name TEXT,
      shift_id INTEGER,
      passage_id INTEGER,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX audit_events_kind_at ON audit_events (kind, at_ms);
    CREATE INDEX audit_events_at ON audit_events (at_ms);
    CREATE INDEX audit_events_passage ON audit_events (passage_id) WHERE passage_id IS NOT NULL;
    CREATE INDEX audit_events_shift ON audit_events (shift_id) WHERE shift_id IS NOT NULL;

    ALTER TABLE passages ADD COLUMN seq INTEGER;
    UPDATE passages SET seq = id;
    CREATE UNIQUE INDEX passages_seq ON passages (seq);
    ALTER TABLE passages ADD COLUMN chain_v INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE passages ADD COLUMN user_id INTEGER;
    ALTER TABLE passages ADD COLUMN shift_id INTEGER;
    -- HMAC-SHA-256 of the full ID number under a per-kiosk key: exact search, never the clear number.
    ALTER TABLE passages ADD COLUMN idn_hmac TEXT;

    CREATE INDEX passages_shift ON passages (shift_id, at_ms) WHERE shift_id IS NOT NULL;
    CREATE INDEX passages_idn ON passages (idn_hmac, at_ms) WHERE idn_hmac IS NOT NULL;
    CREATE INDEX passages_id_tail ON passages (substr(id_masked, -4), at_ms) WHERE id_masked IS NOT NULL;
    CREATE INDEX passages_plate ON passages (${PLATE_SQL}, at_ms) WHERE vehicle_plate IS NOT NULL;
    CREATE INDEX passages_cti ON passages (cti, at_ms) WHERE cti IS NOT NULL;
    CREATE INDEX passages_decision ON passages (decision, at_ms);
    -- What the retention purge still has to erase: only the last weeks, so the index stays small.
    CREATE INDEX passages_unpurged ON passages (at_ms) WHERE purged = 0;
    -- People recorded by hand and let through: overrides too (src/audit/search.ts OVERRIDDEN_SQL).
    CREATE INDEX passages_manual_through ON passages (at_ms)
      WHERE source = 'manual' AND let_through = 1 AND decision <> 'ALLOW';

    -- Reasons as rows, so "every passage with reason X" is an index range, not a scan of JSON.
    CREATE TABLE passage_reasons (
      reason TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      passage_id INTEGER NOT NULL,
      PRIMARY KEY (reason, at_ms, passage_id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO passage_reasons (reason, at_ms, passage_id)
      SELECT j.value, p.at_ms, p.id FROM passages p, json_each(p.reasons) j;
    CREATE TRIGGER passages_reasons_ai AFTER INSERT ON passages BEGIN
      INSERT OR IGNORE INTO passage_reasons (reason, at_ms, passage_id)
        SELECT value, new.at_ms, new.id FROM json_each(new.reasons);
    END;

    -- Holder names for search, accents folded; contentless, so the index holds no readable name, and
    -- the retention purge deletes a row's entry with its name.
    CREATE VIRTUAL TABLE passage_names USING fts5 (
      name, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO passage_names (rowid, name)
      SELECT id, ${FOLD_D('holder_name')} FROM passages WHERE holder_name IS NOT NULL;
    CREATE TRIGGER passages_names_ai AFTER INSERT ON passages WHEN new.holder_name IS NOT NULL BEGIN
      INSERT INTO passage_names (rowid, name) VALUES (new.id, ${FOLD_D('new.holder_name')});
    END;
    CREATE TRIGGER passages_names_purge AFTER UPDATE OF holder_name ON passages
      WHEN old.holder_name IS NOT NULL AND new.holder_name IS NULL BEGIN
      DELETE FROM passage_names WHERE rowid = old.id;
    END;
  `,
};
