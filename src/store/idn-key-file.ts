// The ID-number key's file (src/store/idn.ts), outside the database: created at first start with mode
// 0600, refused when others can read it, required once the database holds tokens made with it. A
// database from before the key left it is migrated here: the old HMAC key moves from the kv table to
// the file (it still finds the old rows), its kv row is overwritten and deleted, and the file is
// rebuilt so that no free page or WAL frame keeps a copy.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { readPrivateFile, writePrivateFile } from '../base/secret-file.js';
import { KioskError } from '../contract/errors.js';
import { IdnKey, legacyFullToken } from './idn.js';

/** Where the key used to be: the kv table of the database it protects. */
export const LEGACY_KEY_KV = 'audit.idnHmacKey';
/** The key's fingerprint (IdnKey.check): tells a wrong key file from the right one. */
export const KEY_CHECK_KV = 'audit.idnKeyCheck';
/**
 * Set once every passage written before the tokens (chain_v < 4) has them: none is written since, so
 * later starts skip the look for them, a walk over every unpurged passage (7 s over 5 million).
 */
export const BACKFILLED_KV = 'audit.idnTokensBackfilled';

const WHAT_VI = 'tệp khoá số giấy tờ';
const WHAT_EN = 'ID-number key file';

export interface OpenIdnKeyOptions {
  /** The key file; null for an in-memory database (a key that lives as long as it does). */
  keyFile: string | null;
  /** The database file, for the check that no copy of a migrated key is left in it. */
  dbFile: string | null;
}

export interface OpenedIdnKey {
  key: IdnKey;
  /** What happened: a new key, a key moved out of the database, or an existing file. */
  how: 'created' | 'migrated' | 'opened' | 'ephemeral';
}

function kvGet(db: Db, key: string): string | null {
  return (
    (db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: string } | undefined)?.value ??
    null
  );
}

function kvSet(db: Db, key: string, value: string): void {
  db.prepare(`INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`).run(
    key,
    value,
    Date.now(),
  );
}

/** Whether any passage still holds a token or legacy HMAC only the key can make sense of. */
export function hasIdnTokens(db: Db): boolean {
  return (
    db
      .prepare(`SELECT 1 FROM passages WHERE purged = 0 AND (idn_full IS NOT NULL OR idn_tail IS NOT NULL
        OR idn_hmac IS NOT NULL) LIMIT 1`)
      .get() !== undefined
  );
}

function hasLegacyRows(db: Db): boolean {
  return (
    db.prepare('SELECT 1 FROM passages WHERE purged = 0 AND idn_hmac IS NOT NULL LIMIT 1').get() !== undefined
  );
}

export function missingKeyError(path: string): KioskError {
  return new KioskError(
    'IDN_KEY_MISSING',
    `Thiếu ${WHAT_VI} ${path}, mà cơ sở dữ liệu đã có lượt qua được tìm theo khoá đó. Hãy chép lại tệp khoá ` +
      `từ bản sao lưu (hoặc sửa "idnKeyFile" trong kiosk.json); không tạo khoá mới, vì như vậy không tìm được ` +
      'các lượt qua cũ theo số giấy tờ.',
    `The ${WHAT_EN} ${path} is missing, but the database already holds passages searchable only with it. ` +
      'Restore the key file from its backup (or fix "idnKeyFile" in kiosk.json); no new key is made, since ' +
      'old passages could no longer be found by ID number.',
  );
}

function wrongKeyError(path: string): KioskError {
  return new KioskError(
    'IDN_KEY_MISMATCH',
    `${WHAT_VI} ${path} không phải khoá của cơ sở dữ liệu này (dấu kiểm khác). Hãy dùng đúng tệp khoá ` +
      '(nếu lệnh `kiosk idn-key rotate` bị gián đoạn, chạy lại lệnh đó để hoàn tất).',
    `The ${WHAT_EN} ${path} is not this database's key (its check value differs). Use the right key file ` +
      '(after an interrupted `kiosk idn-key rotate`, run it again: it finishes).',
  );
}

/** Opens (or creates, or migrates to) the key file of a database just opened and migrated. */
export function openIdnKey(db: Db, o: OpenIdnKeyOptions): OpenedIdnKey {
  const legacyText = kvGet(db, LEGACY_KEY_KV);
  const legacy = legacyText ? Buffer.from(legacyText, 'base64') : null;
  const check = kvGet(db, KEY_CHECK_KV);
  let key: IdnKey;
  let how: OpenedIdnKey['how'];
  if (o.keyFile === null) {
    key = IdnKey.generate(legacy);
    how = 'ephemeral';
  } else {
    const text = readPrivateFile(o.keyFile, WHAT_VI, WHAT_EN);
    if (text) {
      key = IdnKey.parse(text.toString('utf8'));
      if (check !== null && check !== key.check) throw wrongKeyError(o.keyFile);
      if (check === null && hasIdnTokens(db) && !legacy) throw wrongKeyError(o.keyFile);
      how = 'opened';
      if (legacy && !key.material.legacy?.equals(legacy)) {
        // A migration cut short after the file was written holds the same legacy key; a key file that
        // knows another one belongs to another database.
        if (key.material.legacy) throw wrongKeyError(o.keyFile);
        key = new IdnKey({ key: key.material.key, legacy });
        writePrivateFile(o.keyFile, key.serialise(), { whatVi: WHAT_VI, whatEn: WHAT_EN });
        how = 'migrated';
      }
    } else {
      if (check !== null || (!legacy && hasIdnTokens(db))) throw missingKeyError(o.keyFile);
      key = IdnKey.generate(legacy);
      writePrivateFile(o.keyFile, key.serialise(), { exclusive: true, whatVi: WHAT_VI, whatEn: WHAT_EN });
      how = legacy ? 'migrated' : 'created';
    }
  }
  if (check === null) kvSet(db, KEY_CHECK_KV, key.check);
  attachSqlFunctions(db, key);
  backfillLegacyTokens(db, key);
  if (legacy) {
    scrubLegacyKey(db, legacyText!, legacy, o.dbFile);
    if (how === 'opened') how = 'migrated';
  }
  if (key.material.legacy && !hasLegacyRows(db) && o.keyFile !== null) {
    // The last row that needed the old key has been purged: the file forgets it too.
    key = key.withoutLegacy();
    writePrivateFile(o.keyFile, key.serialise(), { whatVi: WHAT_VI, whatEn: WHAT_EN });
    attachSqlFunctions(db, key);
  }
  if (how === 'migrated') log.info(`idn key: moved out of the database to ${o.keyFile}`);
  if (how === 'created') log.info(`idn key: created ${o.keyFile}`);
  return { key, how };
}

/** The SQL functions that need the key: the masked number a tail token stands for. */
export function attachSqlFunctions(db: Db, key: IdnKey): void {
  db.function('idn_masked', { deterministic: true }, (tail: unknown) =>
    typeof tail === 'string' ? key.maskedOf(tail) : null,
  );
}

/**
 * Rows written before the tokens existed get them from what they hold: the full token wraps their
 * legacy HMAC, the tail token encrypts their masked number. Their chained columns are left as they
 * are (the chain commits to them) until the retention purge erases them.
 */
export function backfillLegacyTokens(db: Db, key: IdnKey): number {
  if (kvGet(db, BACKFILLED_KV) !== null) return 0;
  db.function('idn_wrap_legacy', { deterministic: true }, (h: unknown) =>
    typeof h === 'string' ? legacyFullToken(key, h) : null,
  );
  db.function('idn_tail_of', { deterministic: true }, (m: unknown) =>
    typeof m === 'string' ? key.tail(m) : null,
  );
  const t0 = performance.now();
  const n = db
    .prepare(`UPDATE passages SET idn_full = idn_wrap_legacy(idn_hmac), idn_tail = idn_tail_of(id_masked)
      WHERE purged = 0 AND chain_v < 4 AND idn_full IS NULL AND idn_tail IS NULL
      AND (idn_hmac IS NOT NULL OR id_masked IS NOT NULL)`)
    .run().changes;
  if (n > 0)
    log.info(`idn key: search tokens for ${n} older passages in ${Math.round(performance.now() - t0)} ms`);
  kvSet(db, BACKFILLED_KV, '1');
  return n;
}

/**
 * Overwrites then deletes the old key's kv row with secure_delete on, checkpoints the WAL into the main
 * file and truncates it, then rebuilds the file (VACUUM): pages freed before secure_delete was on may
 * still hold a copy of the row, and of personal data purged back then.
 */
function scrubLegacyKey(db: Db, text: string, raw: Buffer, dbFile: string | null): void {
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    db.prepare('UPDATE kv SET value = ? WHERE key = ?').run('0'.repeat(text.length), LEGACY_KEY_KV);
    db.prepare('DELETE FROM kv WHERE key = ?').run(LEGACY_KEY_KV);
  }).immediate();
  if (dbFile === null) return;
  const t0 = performance.now();
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    log.error(
      'idn key: could not rebuild the database after moving the key out (copies of the old key may remain in free pages):',
      err instanceof Error ? err.message : err,
    );
    return;
  }
  const left =
    fileHolds(dbFile, [Buffer.from(text, 'latin1'), raw]) ||
    fileHolds(`${dbFile}-wal`, [Buffer.from(text, 'latin1'), raw]);
  const ms = Math.round(performance.now() - t0);
  if (left) log.error(`idn key: the old key is still readable in ${dbFile} after VACUUM`);
  else log.info(`idn key: old key erased from ${dbFile} (checkpoint + VACUUM in ${ms} ms)`);
}

/** Whether a file contains any of the needles (read in chunks, overlapping by the longest needle). */
export function fileHolds(path: string, needles: Buffer[]): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  const overlap = Math.max(...needles.map((n) => n.length)) - 1;
  const chunk = Buffer.alloc(4 << 20);
  const fd = openSync(path, 'r');
  try {
    let pos = 0;
    let carry = Buffer.alloc(0);
    while (pos < size) {
      const n = readSync(fd, chunk, 0, chunk.length, pos);
      if (n <= 0) break;
      const window = Buffer.concat([carry, chunk.subarray(0, n)]);
      if (needles.some((needle) => window.includes(needle))) return true;
      carry = Buffer.from(window.subarray(Math.max(0, window.length - overlap)));
      pos += n;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * Where a kiosk's key file is: `idnKeyFile` of kiosk.json (default idn.key beside it), else beside the
 * database file; none for an in-memory database.
 */
export function idnKeyLocation(o: { database: string; idnKeyFile?: string | undefined }): OpenIdnKeyOptions {
  if (o.database === ':memory:') return { keyFile: null, dbFile: null };
  return { keyFile: o.idnKeyFile ?? join(dirname(o.database), 'idn.key'), dbFile: o.database };
}
