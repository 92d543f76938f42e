// A stolen copy of kiosk.db: copied with its WAL from a running kiosk to a fresh folder, nothing in it
// recomputes a stored ID-number token, neither the HMAC of rows from before the key left the database
// nor the tokens of new ones, while the running kiosk still finds both by full number and last four.
// The same method run on a database of the previous version finds its key at once (the control).
import { createCipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../src/lane/permit-view.js';
import { IdnKey } from '../../src/store/idn.js';
import { fileHolds } from '../../src/store/idn-key-file.js';
import { writeLegacyDb } from '../fixtures/legacy-db.js';
import { T0 } from '../fixtures/permits.js';
import { type AuditKiosk, PINS, startAuditKiosk } from './audit-fixtures.js';

const OLD = [
  { name: 'Phạm Văn Cũ', idn: '001085009876' },
  { name: 'Vũ Thị Xưa', idn: '123456789' },
];
const NEW = ['001085009876', '036095003333', '001190002222'];
const ALL = [...new Set([...OLD.map((p) => p.idn), ...NEW])];

let dir: string;
let k: AuditKiosk;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-theft-'));
  writeLegacyDb(join(dir, 'kiosk.db'), OLD, T0 - 86_400_000);
  k = await startAuditKiosk({ dir });
  const g = await k.login('canbo', PINS.guard);
  await k.call('shift.open', {}, g);
  for (const [i, idn] of NEW.entries()) {
    k.clock.now += 60_000;
    await k.call('scan.submit', { text: k.permit(`N-${i}`, { idn }) }, g);
  }
  // A manual entry too: typed ID numbers take the same path.
  await k.call(
    'manual.record',
    {
      name: 'Đỗ Văn Tay',
      idNumber: '001077004455',
      purpose: 'work',
      reason: 'Không mang giấy',
      letThrough: false,
    },
    g,
  );
  ALL.push('001077004455');
});

afterAll(async () => {
  await k?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every value of every table (shadow tables of the name index included), as candidate key bytes. */
function candidates(dbFile: string): Buffer[] {
  const db = new Database(dbFile, { readonly: true });
  const out = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    if (b.length > 0) out.set(b.toString('hex'), b);
  };
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  for (const { name } of tables) {
    let rows: unknown[][];
    try {
      rows = db.prepare(`SELECT * FROM "${name}"`).raw().all() as unknown[][];
    } catch {
      continue; // virtual tables whose module reads no rows this way
    }
    for (const row of rows) {
      for (const v of row) {
        if (Buffer.isBuffer(v)) add(v);
        else if (typeof v === 'string') {
          add(Buffer.from(v, 'utf8'));
          if (/^[A-Za-z0-9+/=]{16,}$/.test(v)) add(Buffer.from(v, 'base64'));
          if (/^[0-9a-f]{32,}$/i.test(v)) add(Buffer.from(v, 'hex'));
        } else if (typeof v === 'number' || typeof v === 'bigint') add(Buffer.from(String(v)));
      }
    }
  }
  db.close();
  return [...out.values()];
}

interface Stored {
  hmac: Set<string>;
  full: Set<string>;
  tail: Set<string>;
  mac: Set<string>;
}

function stored(dbFile: string): Stored {
  const db = new Database(dbFile, { readonly: true });
  const cols = db
    .prepare('SELECT name FROM pragma_table_info(?)')
    .all('passages')
    .map((c) => (c as { name: string }).name);
  const has = (c: string) => cols.includes(c);
  const rows = db
    .prepare(
      `SELECT idn_hmac, ${has('idn_full') ? 'idn_full, idn_tail, idn_mac' : 'NULL AS idn_full, NULL AS idn_tail, NULL AS idn_mac'} FROM passages`,
    )
    .all() as Record<string, string | null>[];
  db.close();
  const set = (c: string) => new Set(rows.map((r) => r[c]).filter((v): v is string => v !== null));
  return { hmac: set('idn_hmac'), full: set('idn_full'), tail: set('idn_tail'), mac: set('idn_mac') };
}

const sub = (key: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `checkpoint-kiosk/idn/${info}`, 32));

function aes(key: Buffer, block: Buffer): string {
  return createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(block).toString('hex');
}

/** How many stored values a candidate key recomputes, every way the kiosk ever derived them. */
function recomputed(c: Buffer, s: Stored): number {
  let hits = 0;
  for (const idn of ALL) {
    if (s.hmac.has(createHmac('sha256', c).update(idn).digest('hex'))) hits++;
    if (c.length !== 32) continue;
    const inner = createHash('sha256').update(`vn-idn\u0000${idn}`).digest().subarray(0, 16);
    const tail = Buffer.alloc(16);
    tail.write(maskIdNumber(idn), 'latin1');
    // As the kiosk derives it (HKDF), or the candidate taken as the AES key itself.
    for (const k2 of [sub(c, 'tokens'), c]) {
      if (s.full.has(aes(k2, inner))) hits++;
      if (s.tail.has(aes(k2, tail))) hits++;
    }
  }
  return hits;
}

/** A copy of the database and its WAL, as a thief would take them, in a fresh folder. */
function steal(): string {
  const to = mkdtempSync(join(tmpdir(), 'kiosk-copy-'));
  copyFileSync(join(dir, 'kiosk.db'), join(to, 'kiosk.db'));
  copyFileSync(join(dir, 'kiosk.db-wal'), join(to, 'kiosk.db-wal'));
  return to;
}

describe('a copied kiosk.db with its WAL', () => {
  it('holds nothing that recomputes a stored ID-number token or HMAC', () => {
    const to = steal();
    try {
      const copy = join(to, 'kiosk.db');
      // The WAL holds the latest passages: copied while the kiosk runs, it is part of what was taken.
      expect(statSync(`${copy}-wal`).size).toBeGreaterThan(0);
      const raw = { db: readFileSync(copy), wal: readFileSync(`${copy}-wal`) };
      const s = stored(copy);
      expect(s.hmac.size).toBe(2);
      expect(s.full.size).toBeGreaterThanOrEqual(5);
      const cands = candidates(copy);
      expect(cands.length).toBeGreaterThan(200);
      expect(cands.filter((c) => recomputed(c, s) > 0)).toEqual([]);
      // Nor do the key's bytes, or any key derived from it, stand anywhere in the files, in any encoding.
      const key = IdnKey.parse(readFileSync(join(dir, 'idn.key'), 'utf8'));
      const secrets = [
        key.material.key,
        key.material.legacy!,
        sub(key.material.key, 'tokens'),
        sub(key.material.key, 'row-mac'),
      ];
      const needles = secrets.flatMap((b) => [
        b,
        Buffer.from(b.toString('base64')),
        Buffer.from(b.toString('hex')),
      ]);
      for (const f of [copy, `${copy}-wal`]) expect(fileHolds(f, needles)).toBe(false);
      // The control: with the key file too, the same method does recompute them.
      expect(recomputed(key.material.legacy!, s)).toBe(2);
      expect(recomputed(key.material.key, s)).toBeGreaterThanOrEqual(8);
      // No digit of a new passage's ID number is in clear either; the old rows' masked numbers stay
      // (their chain commits to them) until the retention purge.
      for (const idn of NEW.filter((n) => !OLD.some((p) => p.idn === n))) {
        expect(raw.db.includes(maskIdNumber(idn)) || raw.wal.includes(maskIdNumber(idn))).toBe(false);
      }
    } finally {
      rmSync(to, { recursive: true, force: true });
    }
  });

  it('while the running kiosk finds old and new passages by full number and by last four digits', async () => {
    const sup = await k.login('giamsat', PINS.supervisor);
    const find = async (idn: string) =>
      (await k.call('audit.search', { idn }, sup)).rows.map((r) => [r.holderName, r.idMasked]);
    expect(await find('001085009876')).toEqual([
      ['Nguyễn Thị Hằng', '********9876'],
      ['Phạm Văn Cũ', '********9876'],
    ]);
    expect(await find('9876')).toHaveLength(2);
    expect(await find('123456789')).toEqual([['Vũ Thị Xưa', '*****6789']]);
    expect(await find('6789')).toEqual([['Vũ Thị Xưa', '*****6789']]);
    expect(await find('036095003333')).toEqual([['Nguyễn Thị Hằng', '********3333']]);
    expect(await find('4455')).toEqual([['Đỗ Văn Tay', '********4455']]);
  });

  it('of the previous version gives its key away: the control of the method', () => {
    const old = mkdtempSync(join(tmpdir(), 'kiosk-old-'));
    try {
      const file = join(old, 'kiosk.db');
      const { key } = writeLegacyDb(file, OLD, T0);
      const s = stored(file);
      const found = candidates(file).filter((c) => recomputed(c, s) > 0);
      expect(found.map((c) => c.toString('base64'))).toEqual([key.toString('base64')]);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
