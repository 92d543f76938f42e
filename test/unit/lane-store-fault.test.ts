// A log that stops taking writes, on a real kiosk: the verdict is "not recorded" with the fault in both
// languages (the guard writes it on paper), the status bar keeps the fault until a write succeeds, and
// the store-fault alert is queued for the command centre as soon as the outbox takes writes again.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LogSink, setLogSink } from '../../src/base/log.js';
import { KioskError } from '../../src/contract/errors.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { storeFault } from '../../src/lane/store-fault.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const issuer = makeIssuer();
let now = T0;
let kiosk: Kiosk;
let database: string;
let logged: string[] = [];
let sink: LogSink;

beforeEach(async () => {
  logged = [];
  sink = setLogSink((level, line) => logged.push(`${level}: ${line}`));
  now = T0;
  database = tempDbPath();
  kiosk = new Kiosk({
    checkpoint: checkpoint(),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: makeTrust([{ issuer }]),
    database,
    serial: null,
    // The uplink's broker is never reached; the outbox is what the test reads.
    mqtt: { urls: ['mqtt://127.0.0.1:9'], summaryWindowSeconds: 60 },
    http: false,
    now: () => now,
    pinCost: 1024,
  });
  await kiosk.start();
  await onDuty(kiosk);
});
afterEach(async () => {
  setLogSink(sink);
  await kiosk.stop();
  removeTempDirs();
});

const readOnly = (on: boolean) => kiosk.currentStore()!.db.pragma(`query_only = ${on ? 1 : 0}`);

function outboxEvents(): { kind: string }[] {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare('SELECT payload FROM outbox ORDER BY seq').all() as { payload: string }[])
      .map((r) => JSON.parse(r.payload) as { schema: string; kind: string })
      .filter((p) => p.schema === 'ckpt.event/2');
  } finally {
    db.close();
  }
}

describe('a log that refuses writes', () => {
  it('gives a not-recorded verdict, keeps the fault on the status until a write succeeds, then alerts', () => {
    readOnly(true);
    now += 1000;
    const v = kiosk.scan(makePermit(issuer, { cti: 'FAULT-1' }), 'api');
    expect(v).toMatchObject({ kind: 'not-recorded', passageId: null, decision: 'ALLOW' });
    expect(v.fault).toMatchObject({ code: 'STORE_READ_ONLY', vi: expect.stringContaining('chỉ đọc') });
    const status = kiosk.status();
    expect(status.store).toMatchObject({
      ok: false,
      fault: { code: 'STORE_READ_ONLY' },
      since: new Date(now).toISOString(),
    });
    // An unreadable scan is an audit write: it fails the same way, still a verdict.
    expect(kiosk.scan('HELLO', 'api').decision).toBe('REVIEW');
    // The alert could not be queued either (the outbox is in that log): said in the log, kept for later.
    expect(logged).toContainEqual(expect.stringMatching(/^error: alerts: could not queue store-fault/));
    expect(outboxEvents().some((e) => e.kind === 'store-fault')).toBe(false);

    readOnly(false);
    now += 1000;
    const again = kiosk.scan(makePermit(issuer, { cti: 'FAULT-1' }), 'api');
    expect(again).toMatchObject({ kind: 'passage', decision: 'ALLOW', duplicate: false });
    expect(kiosk.status().store).toEqual({ ok: true, fault: null, since: null });
    // The alert carries the time the fault began (contract v2 events carry no free text).
    const alert = outboxEvents().find((e) => e.kind === 'store-fault');
    expect(alert).toMatchObject({ at: new Date(T0 + 1000).toISOString() });
  });
});

describe('storeFault', () => {
  const sqlite = (code: string, message = 'disk I/O error') => Object.assign(new Error(message), { code });

  it('names each kind of write failure, in both languages', () => {
    expect(storeFault(sqlite('SQLITE_READONLY_DBMOVED')).code).toBe('STORE_READ_ONLY');
    expect(storeFault(sqlite('SQLITE_FULL'))).toEqual({
      code: 'STORE_FULL',
      vi: 'Ổ đĩa đã đầy',
      en: 'The disk is full',
    });
    expect(storeFault(sqlite('SQLITE_IOERR_WRITE'))).toMatchObject({
      code: 'STORE_IO',
      en: 'Disk read/write error: disk I/O error',
    });
    expect(storeFault(sqlite('SQLITE_CANTOPEN')).code).toBe('STORE_IO');
    expect(storeFault(sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE failed')).vi).toBe(
      'Sổ ghi từ chối dữ liệu: UNIQUE failed',
    );
    expect(storeFault('boom')).toEqual({
      code: 'STORE_FAILED',
      vi: 'Không ghi được vào sổ: boom',
      en: 'Could not write to the log: boom',
    });
    const own = new KioskError('CHAIN_BROKEN', 'Chuỗi bị sửa', 'The chain is broken');
    expect(storeFault(own)).toEqual({ code: 'CHAIN_BROKEN', vi: 'Chuỗi bị sửa', en: 'The chain is broken' });
  });
});
