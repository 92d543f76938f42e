// The ID-number key outside the database: created 0600 at first start, refused when others can read it,
// missing or another database's; a database from before it migrated (key moved to the file, its kv row
// erased from the file and the WAL, old rows still found by full number and last four digits).
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { IdnKey } from '../../src/store/idn.js';
import {
  BACKFILLED_KV,
  backfillLegacyTokens,
  fileHolds,
  KEY_CHECK_KV,
  LEGACY_KEY_KV,
} from '../../src/store/idn-key-file.js';
import { openKioskDatabase } from '../../src/store/store.js';
import { writeLegacyDb } from '../fixtures/legacy-db.js';
import { T0 } from '../fixtures/permits.js';
import { type AuditKiosk, PINS, startAuditKiosk } from './audit-fixtures.js';

const dirs: string[] = [];
const kiosks: AuditKiosk[] = [];

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), 'kiosk-idn-'));
  dirs.push(d);
  return d;
}

async function start(dir: string): Promise<AuditKiosk> {
  const k = await startAuditKiosk({ dir });
  kiosks.push(k);
  return k;
}

async function refusal(dir: string): Promise<KioskError> {
  try {
    await start(dir);
  } catch (err) {
    if (err instanceof KioskError) return err;
    throw err;
  }
  throw new Error('the kiosk started');
}

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function scanAs(k: AuditKiosk, cti: string, idn: string, nam = 'Nguyễn Thị Hằng'): Promise<number> {
  const g = await k.login('canbo', PINS.guard);
  // The shift may already be open from an earlier scan of the test.
  await k.call('shift.open', {}, g).catch(() => undefined);
  k.clock.now += 60_000;
  return (await k.call('scan.submit', { text: k.permit(cti, { idn, nam }) }, g)).passageId!;
}

async function search(k: AuditKiosk, idn: string): Promise<{ id: number; idMasked: string | null }[]> {
  const sup = await k.login('giamsat', PINS.supervisor);
  return (await k.call('audit.search', { idn }, sup)).rows.map((r) => ({ id: r.id, idMasked: r.idMasked }));
}

describe('the ID-number key file', () => {
  it('is created at first start, mode 0600, and the database keeps only its check value', async () => {
    const dir = folder();
    const k = await start(dir);
    const file = join(dir, 'idn.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = IdnKey.parse(readFileSync(file, 'utf8'));
    const id = await scanAs(k, 'A-1', '001085001234');
    const db = new Database(k.db, { readonly: true });
    const kv = db.prepare('SELECT key, value FROM kv').all() as { key: string; value: string }[];
    const row = db.prepare('SELECT * FROM passages WHERE id = ?').get(id) as Record<string, unknown>;
    db.close();
    expect(kv.find((r) => r.key === LEGACY_KEY_KV)).toBeUndefined();
    expect(kv.find((r) => r.key === KEY_CHECK_KV)?.value).toBe(key.check);
    expect(row).toMatchObject({
      id_masked: null,
      idn_hmac: null,
      has_idn: 1,
      idn_full: key.full('001085001234'),
    });
    expect(await search(k, '001085001234')).toEqual([{ id, idMasked: '********1234' }]);
    expect(await search(k, '1234')).toEqual([{ id, idMasked: '********1234' }]);
    expect(await search(k, '001085001235')).toEqual([]);
  });

  it('refuses to start when others can read it, in both languages', async () => {
    const dir = folder();
    await (await start(dir)).close();
    kiosks.length = 0;
    chmodSync(join(dir, 'idn.key'), 0o644);
    const err = await refusal(dir);
    expect(err.code).toBe('SECRET_FILE_EXPOSED');
    expect(err.vi).toContain('chmod 600');
    expect(err.en).toContain('others can read it');
  });

  it('refuses to start without it once passages need it, and with another database’s key', async () => {
    const dir = folder();
    const k = await start(dir);
    await scanAs(k, 'A-1', '001085001234');
    await k.close();
    kiosks.length = 0;
    const file = join(dir, 'idn.key');
    const saved = readFileSync(file);
    rmSync(file);
    const missing = await refusal(dir);
    expect(missing.code).toBe('IDN_KEY_MISSING');
    expect(missing.vi).toContain('Thiếu tệp khoá');
    expect(missing.en).toContain('is missing');
    writeFileSync(file, IdnKey.generate().serialise(), { mode: 0o600 });
    expect((await refusal(dir)).code).toBe('IDN_KEY_MISMATCH');
    writeFileSync(file, saved, { mode: 0o600 });
    const back = await start(dir);
    expect((await search(back, '001085001234')).map((r) => r.idMasked)).toEqual(['********1234']);
  });

  it('migrates a database that kept the key in kv: moved to the file, erased from the database and WAL', async () => {
    const dir = folder();
    const people = [
      { name: 'Phạm Văn Cũ', idn: '001085009876' },
      { name: 'Vũ Thị Xưa', idn: '123456789' },
    ];
    const old = writeLegacyDb(join(dir, 'kiosk.db'), people, T0 - 3 * 86_400_000);
    expect(fileHolds(join(dir, 'kiosk.db'), [Buffer.from(old.kvText)])).toBe(true);
    const k = await start(dir);
    const key = IdnKey.parse(readFileSync(join(dir, 'idn.key'), 'utf8'));
    expect(key.material.legacy?.equals(old.key)).toBe(true);
    expect(statSync(join(dir, 'idn.key')).mode & 0o777).toBe(0o600);
    for (const f of ['kiosk.db', 'kiosk.db-wal']) {
      expect(fileHolds(join(dir, f), [Buffer.from(old.kvText), old.key])).toBe(false);
    }
    const db = new Database(k.db, { readonly: true });
    expect(db.prepare('SELECT value FROM kv WHERE key = ?').get(LEGACY_KEY_KV)).toBeUndefined();
    db.close();
    // Old rows and new ones alike, by full number and by last four digits.
    const newer = await scanAs(k, 'N-1', '001085009876', 'Phạm Văn Cũ');
    expect(await search(k, '001085009876')).toEqual([
      { id: newer, idMasked: '********9876' },
      { id: 1, idMasked: '********9876' },
    ]);
    expect(await search(k, '6789')).toEqual([{ id: 2, idMasked: '*****6789' }]);
    const sup = await k.login('giamsat', PINS.supervisor);
    expect(await k.call('audit.verify', {}, sup)).toMatchObject({ done: true, ok: true });
    // A second start finds nothing left to migrate.
    await k.close();
    kiosks.length = 0;
    const again = await start(dir);
    expect((await search(again, '123456789')).map((r) => r.id)).toEqual([2]);
  });

  it('gives older rows their tokens once: later starts do not walk the log for them again', () => {
    const dir = folder();
    const path = join(dir, 'kiosk.db');
    const old = writeLegacyDb(path, [{ name: 'Phạm Văn Cũ', idn: '001085009876' }], T0 - 86_400_000);
    const db = openKioskDatabase(path);
    try {
      const key = IdnKey.generate(old.key);
      expect(backfillLegacyTokens(db, key)).toBe(1);
      expect(db.prepare('SELECT value FROM kv WHERE key = ?').get(BACKFILLED_KV)).toEqual({ value: '1' });
      // No row of this version lacks them; one made to would not be looked for (a walk of 7 s over 5M).
      db.exec('UPDATE passages SET idn_full = NULL, idn_tail = NULL');
      expect(backfillLegacyTokens(db, key)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('"verify log" with the key names a row whose tokens were copied from another row', async () => {
    const dir = folder();
    const k = await start(dir);
    const a = await scanAs(k, 'A-1', '001085001234');
    const b = await scanAs(k, 'B-1', '001085005678', 'Lê Văn Tám');
    const db = new Database(k.db);
    db.prepare(`UPDATE passages SET idn_full = (SELECT idn_full FROM passages WHERE id = ?),
      idn_tail = (SELECT idn_tail FROM passages WHERE id = ?), idn_mac = (SELECT idn_mac FROM passages WHERE id = ?)
      WHERE id = ?`).run(a, a, a, b);
    db.close();
    const sup = await k.login('giamsat', PINS.supervisor);
    expect((await k.call('audit.verify', {}, sup)).broken).toMatchObject({
      table: 'passages',
      id: b,
      problem: 'id_tokens',
    });
  });
});
