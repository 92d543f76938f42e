// Opening the database: durability pragmas and versioned migrations.
import Database from 'better-sqlite3';
import { KioskError } from '../contract/errors.js';

export type Db = Database.Database;

/** One schema step. Append new ones at the end; never edit one that has shipped. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Opens (creating if needed) a database with WAL, synchronous=FULL and the schema up to date. */
export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new KioskError(
      'STORE_OPEN_FAILED',
      `Không mở được cơ sở dữ liệu ${path}: ${(err as Error).message}`,
      `Cannot open the database ${path}: ${(err as Error).message}`,
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before recordPassage returns, so a verdict shown is never lost.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Deleted and purged content is overwritten with zeros, not left in free space for a copied disk.
    db.pragma('secure_delete = ON');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies every migration newer than the database, each in its own transaction. Returns the version. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`);
  const current = (
    db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }
  ).v;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new KioskError(
      'STORE_TOO_NEW',
      `Cơ sở dữ liệu ở phiên bản ${current}, mới hơn phần mềm (${latest}): hãy cập nhật phần mềm`,
      `The database is at version ${current}, newer than this software (${latest}): update the software`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)');
  let previous = 0;
  for (const m of migrations) {
    if (m.version <= previous) throw new Error(`migrations out of order at version ${m.version}`);
    previous = m.version;
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}
