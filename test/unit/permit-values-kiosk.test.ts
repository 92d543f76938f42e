// The value rules seen from the lane: on a real Kiosk (SQLite on disk, a guard on duty) a validly signed
// permit outside the rules ends in exactly one verdict, FORMAT_INVALID, and one that passes them, with
// every value as long as the rules allow, is recorded as a passage (the store refuses none of it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/contract/api.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { parsePassage } from '../../src/lane/passage.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0, T0S } from '../fixtures/permits.js';
import { passage, removeTempDirs, tempDbPath } from './store-fixtures.js';

const issuer = makeIssuer();
let kiosk: Kiosk;
const verdicts: Verdict[] = [];
let serial = 0;

beforeAll(async () => {
  kiosk = new Kiosk({
    // No duplicate window: each scan is judged on its own, whatever came before it.
    checkpoint: checkpoint({}, { duplicateWindowSeconds: 0 }),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: makeTrust([{ issuer }]),
    database: tempDbPath(),
    serial: null,
    mqtt: null,
    http: false,
    now: () => T0,
    pinCost: 1024,
  });
  await kiosk.start();
  await onDuty(kiosk);
  kiosk.subscribe((event, payload) => {
    if (event === 'verdict') verdicts.push(payload as Verdict);
  });
});

afterAll(async () => {
  await kiosk.stop();
  removeTempDirs();
});

function count(sql: string): number {
  const db = kiosk.currentStore()?.db;
  if (!db) throw new Error('no store');
  return (db.prepare(sql).get() as { n: number }).n;
}

/** Scans a permit; returns its verdict, checking it was the one verdict shown for the scan. */
function scanOnce(text: string) {
  const before = {
    shown: verdicts.length,
    passages: count('SELECT count(*) AS n FROM passages'),
    unreadable: count("SELECT count(*) AS n FROM audit_events WHERE kind = 'unreadable'"),
  };
  const v = kiosk.scan(text, 'serial');
  expect(verdicts.slice(before.shown)).toEqual([v]);
  return {
    v,
    passages: count('SELECT count(*) AS n FROM passages') - before.passages,
    unreadable: count("SELECT count(*) AS n FROM audit_events WHERE kind = 'unreadable'") - before.unreadable,
  };
}

const permit = (body: Record<string, unknown>, claims: Record<string, unknown> = {}) =>
  makePermit(issuer, { cti: `KV-${++serial}`, ...claims }, body);

describe('value rules at the lane', () => {
  it.each([
    ['a name of 300 characters', { nam: 'Nguyễn Thị Hằng '.repeat(19) }, {}],
    ['an ID of 65 digits', { idn: '1'.repeat(65) }, {}],
    ['a serial of 300 characters', {}, { cti: 'S'.repeat(300) }],
    ['an ID of 5 digits', { idn: '12345' }, {}],
    ['purpose spaceship', { pur: 'spaceship' }, {}],
    ['vehicle type tank', { veh: { plate: '29A-123.45', type: 'tank' } }, {}],
    ['date of birth "yesterday"', { dob: 'yesterday' }, {}],
    ['a plate of 100 characters', { veh: { plate: '29A-123.45'.repeat(10), type: 'car' } }, {}],
  ])('%s: one verdict, FORMAT_INVALID, unreadable, no passage', (_name, body, claims) => {
    const { v, passages, unreadable } = scanOnce(permit(body, claims));
    expect(v).toMatchObject({
      kind: 'unreadable',
      decision: 'DENY',
      reasons: ['FORMAT_INVALID'],
      permit: null,
    });
    expect(passages).toBe(0);
    expect(unreadable).toBe(1);
  });

  const NAME_200 = '𠀀ễ'.repeat(100);
  const areas = ['01-009', ...Array.from({ length: 63 }, (_, i) => `01-${String(i + 100).padStart(3, '0')}`)];
  it.each([
    ['a name of 200 code points (300 UTF-16 units)', { nam: NAME_200 }, {}],
    ['a serial of 64 characters', {}, { cti: `${'C'.repeat(63)}~` }],
    ['a plate of 16 characters', { veh: { plate: '29A-123.45 67-89', type: 'car' } }, {}],
    ['org and route of 200 characters', { org: 'Đ'.repeat(200), route: '→'.repeat(200) }, {}],
    ['64 areas', { areas }, {}],
    ['a 9-digit ID, born the day of issue', { idn: '012345678', dob: '2021-09-08' }, {}],
    [
      'all of them at once, valid for 400 days',
      {
        nam: NAME_200,
        veh: { plate: '29a-123.45 67-89', type: 'truck' },
        org: 'Đ'.repeat(200),
        route: '→'.repeat(200),
        areas,
        hours: ['00:00', '23:59'],
        dob: '2021-09-08',
      },
      { cti: `${'Z'.repeat(63)}!`, iat: T0S - 60, exp: T0S - 60 + 400 * 86_400 },
    ],
  ])('%s: recorded as a passage', (_name, body, claims) => {
    const { v, passages } = scanOnce(permit(body, claims));
    expect(v.kind).toBe('passage');
    expect(v.reasons).not.toContain('FORMAT_INVALID');
    expect(passages).toBe(1);
    const row = kiosk.currentStore()?.getPassage(v.passageId ?? 0);
    expect(row?.holderName).toBe(('nam' in body ? body.nam : 'Nguyễn Thị Hằng') as string);
    expect(row?.cti).toBe(v.permit?.cti);
  });

  it('the longest valid permit is allowed through, not only recorded', () => {
    const v = kiosk.scan(permit({ nam: NAME_200, areas, hours: ['00:00', '23:59'] }), 'serial');
    expect(v).toMatchObject({ kind: 'passage', decision: 'ALLOW', reasons: [] });
  });
});

describe('the store bounds a holder name as the rules do', () => {
  const permit = passage().permit;
  const named = (holderName: string) => passage({ permit: permit && { ...permit, holderName } });

  it('200 astral code points (400 UTF-16 units) pass, 201 do not', () => {
    expect(parsePassage(named('𠀀'.repeat(200))).permit?.holderName).toHaveLength(400);
    expect(() => parsePassage(named('𠀀'.repeat(201)))).toThrow(/at most 200 characters/);
  });
});
