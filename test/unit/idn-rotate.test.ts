// `kiosk idn-key rotate`: every token re-keyed in one audited transaction, the old key file zeroed and
// replaced, searches unchanged after a restart; tokens edited behind the kiosk's back stop it; a kiosk
// left running refuses to write tokens under the old key.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { IdnKey } from '../../src/store/idn.js';
import { fileHolds } from '../../src/store/idn-key-file.js';
import { resumeRotation, rotateIdnKey } from '../../src/store/idn-rotate.js';
import { openKioskDatabase } from '../../src/store/store.js';
import { runCliHere } from '../fixtures/cli-here.js';
import { writeLegacyDb } from '../fixtures/legacy-db.js';
import { T0 } from '../fixtures/permits.js';
import { type AuditKiosk, PINS, startAuditKiosk } from './audit-fixtures.js';

const dirs: string[] = [];
const kiosks: AuditKiosk[] = [];

afterEach(async () => {
  for (const k of kiosks.splice(0)) await k.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string): Promise<AuditKiosk> {
  const k = await startAuditKiosk({ dir });
  kiosks.push(k);
  return k;
}

async function stop(k: AuditKiosk): Promise<void> {
  await k.close();
  kiosks.splice(kiosks.indexOf(k), 1);
}

/** A kiosk folder: a legacy database migrated by a first start, then two passages under the new scheme. */
async function folder(): Promise<{ dir: string; config: string; k: AuditKiosk }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-rotate-'));
  dirs.push(dir);
  writeLegacyDb(join(dir, 'kiosk.db'), [{ name: 'Phạm Văn Cũ', idn: '001085009876' }], T0 - 86_400_000);
  const config = join(dir, 'kiosk.json');
  // Only the database and key paths matter to the rotation.
  writeFileSync(
    config,
    JSON.stringify({ checkpoint: 'c.json', rootKey: 'r.pem', trustList: 't.jws', database: 'kiosk.db' }),
  );
  const k = await start(dir);
  const g = await k.login('canbo', PINS.guard);
  await k.call('shift.open', {}, g);
  for (const [cti, idn] of [
    ['N-1', '001085009876'],
    ['N-2', '036095003333'],
  ] as const) {
    k.clock.now += 60_000;
    await k.call('scan.submit', { text: k.permit(cti, { idn }) }, g);
  }
  return { dir, config, k };
}

function tokens(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  const rows = db.prepare('SELECT idn_full, idn_tail FROM passages ORDER BY id').all() as {
    idn_full: string;
    idn_tail: string;
  }[];
  db.close();
  return rows.flatMap((r) => [r.idn_full, r.idn_tail]);
}

async function searchIds(k: AuditKiosk, idn: string): Promise<number[]> {
  const sup = await k.login('giamsat', PINS.supervisor);
  return (await k.call('audit.search', { idn }, sup)).rows.map((r) => r.id);
}

describe('kiosk idn-key rotate', () => {
  it('re-keys every token in one audited transaction and replaces the key file', async () => {
    const { dir, config, k } = await folder();
    const before = await searchIds(k, '001085009876');
    expect(before).toHaveLength(2);
    await stop(k);
    const keyFile = join(dir, 'idn.key');
    const oldText = readFileSync(keyFile, 'utf8');
    const oldTokens = tokens(join(dir, 'kiosk.db'));

    const run = await runCliHere(['idn-key', 'rotate', '-c', config]);
    expect(run.stderr).toContain('key rotated, 3 passages re-keyed');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ keyFile, rekeyed: 3, leftInFile: 0 });
    const newText = readFileSync(keyFile, 'utf8');
    expect(newText).not.toBe(oldText);
    // The old rows still need the legacy key: it moves to the new file.
    expect(IdnKey.parse(newText).material.legacy?.equals(IdnKey.parse(oldText).material.legacy!)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    const newTokens = tokens(join(dir, 'kiosk.db'));
    expect(newTokens.filter((t) => oldTokens.includes(t))).toEqual([]);
    for (const f of ['kiosk.db', 'kiosk.db-wal']) {
      expect(
        fileHolds(
          join(dir, f),
          oldTokens.map((t) => Buffer.from(t)),
        ),
      ).toBe(false);
    }

    const again = await start(dir);
    expect(await searchIds(again, '001085009876')).toEqual(before);
    expect(await searchIds(again, '9876')).toEqual(before);
    expect(await searchIds(again, '036095003333')).toHaveLength(1);
    const sup = await again.login('giamsat', PINS.supervisor);
    expect(await again.call('audit.verify', {}, sup)).toMatchObject({ done: true, ok: true });
    const events = await again.call('audit.events', { kinds: ['idn_key_rotate'] }, sup);
    expect(events.events).toEqual([
      expect.objectContaining({ kind: 'idn_key_rotate', details: expect.objectContaining({ rekeyed: 3 }) }),
    ]);
  });

  it('refuses to re-sign tokens edited behind the kiosk’s back, and keeps the old key', async () => {
    const { dir, config, k } = await folder();
    await stop(k);
    const db = new Database(join(dir, 'kiosk.db'));
    db.exec('UPDATE passages SET idn_full = (SELECT idn_full FROM passages WHERE id = 1) WHERE id = 3');
    db.close();
    const keyText = readFileSync(join(dir, 'idn.key'), 'utf8');
    const run = await runCliHere(['idn-key', 'rotate', '-c', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IDN_TOKENS_TAMPERED');
    expect(run.stderr).toContain('passage 3');
    expect(readFileSync(join(dir, 'idn.key'), 'utf8')).toBe(keyText);
    expect(existsSync(join(dir, 'idn.key.new'))).toBe(false);
  });

  it('finishes a rotation interrupted between its commit and the file swap', async () => {
    const { dir, k } = await folder();
    await stop(k);
    const keyFile = join(dir, 'idn.key');
    const db = openKioskDatabase(join(dir, 'kiosk.db'));
    // The swap is what an interruption skips: redo it by hand, then put the old file back.
    const oldText = readFileSync(keyFile, 'utf8');
    rotateIdnKey(db, { keyFile, dbFile: join(dir, 'kiosk.db'), nowMs: T0, by: 'test' });
    writeFileSync(`${keyFile}.new`, readFileSync(keyFile), { mode: 0o600 });
    writeFileSync(keyFile, oldText, { mode: 0o600 });
    expect(resumeRotation(db, keyFile)).toMatch(/^[0-9a-f]{16}$/);
    db.close();
    expect(existsSync(`${keyFile}.new`)).toBe(false);
    const again = await start(dir);
    expect(await searchIds(again, '036095003333')).toHaveLength(1);
  });

  it('a kiosk left running refuses to write tokens under the replaced key', async () => {
    const { dir, k } = await folder();
    const db = openKioskDatabase(join(dir, 'kiosk.db'));
    rotateIdnKey(db, { keyFile: join(dir, 'idn.key'), dbFile: null, nowMs: T0, by: 'test' });
    db.close();
    const g = await k.login('canbo', PINS.guard);
    k.clock.now += 60_000;
    const v = await k.call('scan.submit', { text: k.permit('N-3', { idn: '001085001111' }) }, g);
    expect(v).toMatchObject({ kind: 'not-recorded', fault: { code: 'IDN_KEY_CHANGED' } });
  });
});
