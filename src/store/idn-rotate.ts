// `kiosk idn-key rotate`: a new ID-number key, every search token re-keyed in one transaction with an
// audit event, then the old key file overwritten and replaced. Run with the kiosk stopped (a kiosk left
// running refuses to record passages with an ID number until restarted: src/store/store.ts).
//
// Order, so that an interruption never loses the key the database needs: the new key is written
// beside the old one (<file>.new), the database commits, the old file is zeroed and the new one renamed
// over it. Run again after an interruption, it finishes the rename.
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import type { Db } from '../base/db.js';
import { readPrivateFile, writePrivateFile } from '../base/secret-file.js';
import { KioskError } from '../contract/errors.js';
import { AuditChain } from './chain-log.js';
import { IdnKey, idnTokenCheck } from './idn.js';
import { attachSqlFunctions, fileHolds, KEY_CHECK_KV } from './idn-key-file.js';

export interface RotateResult {
  /** Passages whose tokens were re-keyed. */
  rekeyed: number;
  /** The audit event recording it. */
  eventId: number;
  /** Old and new key fingerprints (the first 16 hex digits of their check values). */
  from: string;
  to: string;
  /** Old tokens still found in the database file afterwards (expected: 0). */
  leftInFile: number;
  tookMs: number;
}

const BATCH = 5000;

function kvCheck(db: Db): string | null {
  return (
    (db.prepare('SELECT value FROM kv WHERE key = ?').get(KEY_CHECK_KV) as { value: string } | undefined)
      ?.value ?? null
  );
}

/** Overwrites a file's bytes with zeros in place (its old blocks then hold nothing of the key). */
function zeroFile(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size), 0, size, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function finish(keyFile: string): void {
  const pending = `${keyFile}.new`;
  if (existsSync(keyFile)) zeroFile(keyFile);
  renameSync(pending, keyFile);
}

interface TokenRow {
  id: number;
  chain_v: number;
  has_idn: number;
  id_masked: string | null;
  idn_hmac: string | null;
  idn_full: string | null;
  idn_tail: string | null;
  idn_mac: string | null;
  purged: number;
}

/**
 * Finishes a rotation interrupted after its commit (the database already holds the new key's check, the
 * new key waits in <file>.new): returns the new key's fingerprint, or null when there was none.
 */
export function resumeRotation(db: Db, keyFile: string): string | null {
  const pendingPath = `${keyFile}.new`;
  if (!existsSync(pendingPath)) return null;
  const text = readPrivateFile(pendingPath, 'khoá mới', 'new key');
  if (!text) return null;
  const pending = IdnKey.parse(text.toString('utf8'));
  if (pending.check !== kvCheck(db)) return null;
  finish(keyFile);
  return pending.check.slice(0, 16);
}

/**
 * Re-keys every token of the database opened as `db` (already migrated, its key at `keyFile`). Every
 * row's tokens are checked with the old key first: rotation must not re-sign tokens edited behind the
 * kiosk's back.
 */
export function rotateIdnKey(
  db: Db,
  o: { keyFile: string; dbFile: string | null; nowMs: number; by: string },
): RotateResult {
  const t0 = performance.now();
  const pendingPath = `${o.keyFile}.new`;
  const check = kvCheck(db);
  const oldText = readPrivateFile(o.keyFile, 'tệp khoá số giấy tờ', 'ID-number key file');
  if (!oldText) {
    throw new KioskError(
      'IDN_KEY_MISSING',
      `Thiếu tệp khoá ${o.keyFile}`,
      `The key file ${o.keyFile} is missing`,
    );
  }
  const old = IdnKey.parse(oldText.toString('utf8'));
  if (check !== old.check) {
    throw new KioskError(
      'IDN_KEY_MISMATCH',
      `${o.keyFile} không phải khoá của cơ sở dữ liệu này`,
      `${o.keyFile} is not this database's key`,
    );
  }
  const next = IdnKey.generate(old.material.legacy);
  writePrivateFile(pendingPath, next.serialise(), { whatVi: 'khoá mới', whatEn: 'new key' });
  const verifyOld = idnTokenCheck(old);
  const rekey = (t: string | null): string | null => {
    if (t === null) return null;
    const block = old.open(t);
    if (!block) throw tampered();
    return next.seal(block);
  };
  const select =
    db.prepare(`SELECT id, chain_v, has_idn, id_masked, idn_hmac, idn_full, idn_tail, idn_mac, purged
    FROM passages WHERE id > ? AND purged = 0 AND (idn_full IS NOT NULL OR idn_tail IS NOT NULL OR has_idn = 1)
    ORDER BY id LIMIT ${BATCH}`);
  const update = db.prepare('UPDATE passages SET idn_full = ?, idn_tail = ?, idn_mac = ? WHERE id = ?');
  const samples: string[] = [];
  let committed: { rekeyed: number; eventId: number };
  try {
    committed = db
      .transaction(() => {
        let after = 0;
        let n = 0;
        for (;;) {
          const rows = select.all(after) as TokenRow[];
          for (const r of rows) {
            if (!verifyOld(r as never)) throw tampered(r.id);
            const full = rekey(r.idn_full);
            const tail = rekey(r.idn_tail);
            const mac = r.chain_v === 4 && r.has_idn === 1 ? next.mac(r.id, full, tail) : null;
            update.run(full, tail, mac, r.id);
            if (samples.length < 100 && r.idn_full) samples.push(r.idn_full);
            n++;
          }
          if (rows.length < BATCH) break;
          after = rows[rows.length - 1]!.id;
        }
        db.prepare('UPDATE kv SET value = ?, updated_ms = ? WHERE key = ?').run(
          next.check,
          o.nowMs,
          KEY_CHECK_KV,
        );
        const event = new AuditChain(db).append({
          atMs: o.nowMs,
          kind: 'idn_key_rotate',
          userName: o.by,
          details: { rekeyed: n, from: old.check.slice(0, 16), to: next.check.slice(0, 16) },
        });
        return { rekeyed: n, eventId: event.id };
      })
      .immediate();
  } catch (err) {
    rmSync(pendingPath, { force: true });
    throw err;
  }
  const { rekeyed, eventId } = committed;
  attachSqlFunctions(db, next);
  // The old tokens' pages leave the WAL (secure_delete zeroed the old cells in the main file).
  db.pragma('wal_checkpoint(TRUNCATE)');
  finish(o.keyFile);
  const leftInFile =
    o.dbFile === null
      ? 0
      : samples.filter(
          (t) => fileHolds(o.dbFile!, [Buffer.from(t)]) || fileHolds(`${o.dbFile}-wal`, [Buffer.from(t)]),
        ).length;
  return {
    rekeyed,
    eventId,
    from: old.check.slice(0, 16),
    to: next.check.slice(0, 16),
    leftInFile,
    tookMs: Math.round(performance.now() - t0),
  };
}

function tampered(id?: number): KioskError {
  const where = id === undefined ? '' : ` (lượt qua / passage ${id})`;
  return new KioskError(
    'IDN_TOKENS_TAMPERED',
    `Mã tìm kiếm số giấy tờ không khớp với khoá cũ${where}: không đổi khoá. Hãy chạy "kiểm tra sổ" để tìm dòng bị sửa.`,
    `ID-number tokens do not match the old key${where}: the key is not rotated. Run "verify log" to find the edited row.`,
  );
}

/** For tests and the CLI's report: the key file's fingerprint. */
export function keyFingerprint(keyFile: string): string {
  return IdnKey.parse(readFileSync(keyFile, 'utf8')).check.slice(0, 16);
}
