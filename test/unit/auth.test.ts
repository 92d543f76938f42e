// PINs, accounts, shifts with handover and sign-off, and attribution of passages, on a real kiosk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPin, randomPin, verifyPin } from '../../src/auth/pin.js';
import { type AuditKiosk, codeOf, PINS, startAuditKiosk } from './audit-fixtures.js';

describe('PIN hashes', () => {
  it('verifies the right PIN only, with a fresh salt each time, and never a malformed hash', async () => {
    const a = await hashPin('123456', 2 ** 10);
    const b = await hashPin('123456', 2 ** 10);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w+/=]+\$[\w+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPin('123456', a)).toBe(true);
    expect(await verifyPin('123457', a)).toBe(false);
    for (const bad of ['', 'scrypt$1$8$1$x$y', 'md5$abc', a.replace(/\$[^$]+$/, '$AAAA')]) {
      expect(await verifyPin('123456', bad)).toBe(false);
    }
  });

  it('makes random PINs of the asked length, digits only', () => {
    const pins = new Set(Array.from({ length: 50 }, () => randomPin(8)));
    for (const p of pins) expect(p).toMatch(/^\d{8}$/);
    expect(pins.size).toBeGreaterThan(45);
  });
});

describe('accounts', () => {
  let k: AuditKiosk;
  beforeEach(async () => {
    k = await startAuditKiosk();
  });
  afterEach(async () => {
    await k.close();
  });

  it('creates the configured accounts once, never storing a PIN in clear', async () => {
    const admin = await k.login('quantri', PINS.admin);
    const users = await k.call('users.list', {}, admin);
    expect(users.map((u) => u.name).sort()).toEqual(['canbo', 'canbo2', 'giamsat', 'quantri']);
    const db = new Database(k.db, { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM users').all());
    db.close();
    for (const pin of Object.values(PINS)) expect(dump).not.toContain(pin);
  });

  it('lets an admin add, lock out, reset and disable accounts, ending their sessions', async () => {
    const admin = await k.login('quantri', PINS.admin);
    const u = await k.call(
      'users.create',
      { name: 'canbo3', displayName: 'Binh nhất Vũ Văn Nam', role: 'guard', pin: '444444' },
      admin,
    );
    expect(u).toMatchObject({ name: 'canbo3', role: 'guard', disabled: false, lockedUntil: null });
    expect(
      await codeOf(
        k.call('users.create', { name: 'CANBO3', displayName: 'x', role: 'guard', pin: '444444' }, admin),
      ),
    ).toBe('USER_EXISTS');
    expect(
      await codeOf(
        k.call('users.create', { name: 'x y', displayName: 'x', role: 'guard', pin: '12' }, admin),
      ),
    ).toBe('BAD_PARAMS');
    const g = await k.login('canbo3', '444444');
    await k.call('users.update', { id: u.id, disabled: true }, admin);
    expect(await codeOf(k.call('shift.current', {}, g))).toBe('SESSION_EXPIRED');
    expect(await codeOf(k.login('canbo3', '444444'))).toBe('LOGIN_FAILED');
    await k.call('users.update', { id: u.id, disabled: false, pin: '555555' }, admin);
    expect(await codeOf(k.login('canbo3', '555555'))).toBe('OK');
    // The last admin cannot be demoted: nobody could manage accounts again.
    const me = (await k.call('users.list', {}, admin)).find((x) => x.name === 'quantri')!;
    expect(await codeOf(k.call('users.update', { id: me.id, role: 'guard' }, admin))).toBe('LAST_ADMIN');
  });

  it('an account change whose audit record cannot be written does not happen', async () => {
    const admin = await k.login('quantri', PINS.admin);
    const g = await k.login('canbo', PINS.guard);
    const canbo = (await k.call('users.list', {}, admin)).find((x) => x.name === 'canbo')!;
    const db = k.kiosk.currentStore()!.db;
    db.exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.kind LIKE 'user_%' OR NEW.kind = 'pin_change'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`);
    const attempts = [
      () =>
        k.call(
          'users.create',
          { name: 'canbo9', displayName: 'x', role: 'supervisor', pin: '444444' },
          admin,
        ),
      () => k.call('users.update', { id: canbo.id, role: 'admin' }, admin),
      () => k.call('users.update', { id: canbo.id, pin: '999999' }, admin),
      () => k.call('auth.changePin', { currentPin: PINS.guard, newPin: '777777' }, g),
    ];
    for (const attempt of attempts) expect(await codeOf(attempt())).toBe('AUDIT_FAILED');
    db.exec('DROP TRIGGER fail_audit');
    const users = await k.call('users.list', {}, admin);
    expect(users.map((u) => u.name)).not.toContain('canbo9');
    expect(users.find((x) => x.name === 'canbo')?.role).toBe('guard');
    expect(await codeOf(k.login('canbo', PINS.guard))).toBe('OK');
  });

  it('changes a PIN only with the current one', async () => {
    const g = await k.login('canbo', PINS.guard);
    expect(await codeOf(k.call('auth.changePin', { currentPin: '000000', newPin: '777777' }, g))).toBe(
      'LOGIN_FAILED',
    );
    await k.call('auth.changePin', { currentPin: PINS.guard, newPin: '777777' }, g);
    expect(await codeOf(k.login('canbo', PINS.guard))).toBe('LOGIN_FAILED');
    expect(await codeOf(k.login('canbo', '777777'))).toBe('OK');
  });
});

describe('shifts', () => {
  let k: AuditKiosk;
  beforeEach(async () => {
    k = await startAuditKiosk();
  });
  afterEach(async () => {
    await k.close();
  });

  it('opens one shift at a time, attributes every passage to it (serial scans too), hands over with notes', async () => {
    // Before any shift: a scanner scan is not a passage; the audit keeps only the permit's hash.
    const orphan = k.kiosk.scan(k.permit('P-0'), 'serial');
    expect(orphan).toMatchObject({ kind: 'no-shift', passageId: null, decision: 'ALLOW' });
    const g = await k.login('canbo', PINS.guard);
    expect(await codeOf(k.call('scan.submit', { text: k.permit('P-1') }, g))).toBe('NO_SHIFT');
    const shift = await k.call('shift.open', {}, g);
    expect(shift).toMatchObject({ guard: 'Trung sĩ Lê Văn Tám', lane: '1', closedAt: null });
    expect((await k.call('status.get', {})).shift).toMatchObject({
      id: shift.id,
      guard: 'Trung sĩ Lê Văn Tám',
    });
    const g2 = await k.login('canbo2', PINS.guard2);
    expect(await codeOf(k.call('shift.open', {}, g2))).toBe('SHIFT_ALREADY_OPEN');
    k.clock.now += 60_000;
    const viaApi = await k.call('scan.submit', { text: k.permit('P-2') }, g);
    const viaSerial = k.kiosk.scan(k.permit('P-3', { idn: '001099000777' }), 'serial');
    const db = new Database(k.db, { readonly: true });
    const rows = db.prepare('SELECT id, user_id, shift_id, idn_full FROM passages ORDER BY id').all() as {
      id: number;
      user_id: number | null;
      shift_id: number | null;
      idn_full: string | null;
    }[];
    const dump = JSON.stringify(db.prepare('SELECT * FROM passages').all());
    db.close();
    expect(rows.every((r) => r.shift_id === shift.id)).toBe(true);
    const noShift = new Database(k.db, { readonly: true })
      .prepare("SELECT details FROM audit_events WHERE kind = 'no_shift_scan'")
      .all() as { details: string }[];
    expect(noShift.map((e) => JSON.parse(e.details))).toEqual([
      { permit: orphan.permit?.hash, lane: '1', direction: 'in', source: 'serial' },
    ]);
    expect(rows.find((r) => r.id === viaApi.passageId)).toMatchObject({
      user_id: shift.userId,
      shift_id: shift.id,
    });
    expect(rows.find((r) => r.id === viaSerial.passageId)).toMatchObject({
      user_id: shift.userId,
      shift_id: shift.id,
    });
    expect(rows.every((r) => /^[0-9a-f]{32}$/.test(r.idn_full ?? ''))).toBe(true);
    // Neither the full ID number nor its last digits are anywhere in the file's rows.
    expect(dump).not.toContain('001099000777');
    expect(dump).not.toContain('*0777');
    expect(dump).not.toContain('001185004321');

    k.clock.now += 8 * 3_600_000;
    expect(await codeOf(k.call('shift.close', { notes: 'x' }, g2))).toBe('NOT_YOUR_SHIFT');
    const token = g.token;
    const closed = await k.call('shift.close', { notes: 'Đèn làn 2 hỏng; đã báo Đội.' }, g);
    expect(closed).toMatchObject({
      handoverNotes: 'Đèn làn 2 hỏng; đã báo Đội.',
      closedBy: 'Trung sĩ Lê Văn Tám',
    });
    expect(closed.closeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(closed.counts).toMatchObject({ allowed: 2, denied: 0, review: 0, people: 2 });
    // The guard's session ended with the shift: the transport forgot it, and the token is dead.
    expect(g.token).toBeNull();
    expect(await codeOf(k.call('shift.current', {}, { transport: 'ipc', token }))).toBe('SESSION_EXPIRED');
    const next = await k.call('shift.open', {}, g2);
    expect(next.previousShiftId).toBe(shift.id);
    const cur = await k.call('shift.current', {}, g2);
    expect(cur.previous?.handoverNotes).toBe('Đèn làn 2 hỏng; đã báo Đội.');
  });

  it('lets a supervisor sign off a closed shift once, sealing its chain head', async () => {
    const g = await k.login('canbo', PINS.guard);
    const shift = await k.call('shift.open', {}, g);
    await k.call('scan.submit', { text: k.permit('S-1') }, g);
    const s = await k.login('giamsat', PINS.supervisor);
    expect(await codeOf(k.call('shift.signoff', { id: shift.id }, s))).toBe('SHIFT_OPEN');
    const closed = await k.call('shift.close', { notes: '' }, g);
    const signed = await k.call('shift.signoff', { id: shift.id, note: 'Đã kiểm tra' }, s);
    expect(signed).toMatchObject({
      signedBy: 'Đại uý Nguyễn Văn Bình',
      signoffNote: 'Đã kiểm tra',
      closeHash: closed.closeHash,
    });
    expect(await codeOf(k.call('shift.signoff', { id: shift.id }, s))).toBe('SHIFT_SIGNED');
    const ev = await k.call('audit.events', { kinds: ['shift_signoff'] }, s);
    expect(ev.events[0]?.details).toMatchObject({ sealedHash: closed.closeHash });
  });

  it('refuses to sign off a shift whose rows were edited behind the kiosk, naming the row', async () => {
    const g = await k.login('canbo', PINS.guard);
    const shift = await k.call('shift.open', {}, g);
    const v = await k.call('scan.submit', { text: k.permit('T-1') }, g);
    await k.call('scan.submit', { text: k.permit('T-2') }, g);
    await k.call('shift.close', { notes: '' }, g);
    const db = new Database(k.db);
    db.prepare("UPDATE passages SET decision = 'DENY' WHERE id = ?").run(v.passageId);
    db.close();
    const s = await k.login('giamsat', PINS.supervisor);
    const err = await k
      .call('shift.signoff', { id: shift.id }, s)
      .catch((e: { code: string; vi: string; en: string }) => e);
    expect(err).toMatchObject({ code: 'CHAIN_BROKEN' });
    expect((err as { en: string }).en).toContain(`passages #${v.passageId}`);
    const verify = await k.call('audit.verify', {}, s);
    expect(verify).toMatchObject({
      ok: false,
      broken: { table: 'passages', id: v.passageId, problem: 'hash' },
    });
  });
});

describe('configuration changes', () => {
  it('records which sections changed between two starts, and nothing when none did', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-config-'));
    try {
      const kinds = async (k: AuditKiosk) => {
        const s = await k.login('giamsat', PINS.supervisor);
        return (await k.call('audit.events', { kinds: ['config_change'] }, s)).events.map((e) => e.details);
      };
      let k = await startAuditKiosk({
        dir,
        config: { serial: { path: '/dev/ttyACM0' }, http: { port: 8080 } },
      });
      expect(await kinds(k)).toEqual([{ changed: ['http', 'serial'], first: true }]);
      await k.close();
      k = await startAuditKiosk({ dir, config: { serial: { path: '/dev/ttyUSB1' }, http: { port: 8080 } } });
      expect((await kinds(k))[0]).toEqual({ changed: ['serial'], first: false });
      await k.close();
      k = await startAuditKiosk({ dir, config: { serial: { path: '/dev/ttyUSB1' }, http: { port: 8080 } } });
      expect(await kinds(k)).toHaveLength(2);
      await k.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
