// The value rules of spec/permit-format.md §1, one table row per rule and boundary, each case a permit
// validly signed by a trusted issuer: only the value rules stand between it and a verdict on content.
import { describe, expect, it } from 'vitest';
import { cborEncode } from '../../src/formats/cbor.js';
import { verifyPermit } from '../../src/formats/vnp1.js';
import { claimsToMap, packVnp1, signCose } from '../../src/formats/vnp1-issue.js';
import { makeIssuer, makeTrust, permitClaims, T0S } from '../fixtures/permits.js';

const issuer = makeIssuer();
const stranger = makeIssuer();
const trust = makeTrust([{ issuer }]);
const DAY = 86_400;

type Key = number | string;
type Edit = Partial<Record<Key, unknown>>;

/** Claims as a map with the edits applied: number keys to the CWT, text keys (`veh.plate` too) to -261. */
function claimsWith(edit: Edit): Map<number, unknown> {
  const m = claimsToMap(permitClaims());
  const permit = m.get(-261) as Map<string, unknown>;
  for (const [k, v] of Object.entries(edit)) {
    const key = /^-?\d+$/.test(k) ? Number(k) : k;
    const target: Map<Key, unknown> = typeof key === 'number' ? m : permit;
    if (typeof key === 'string' && key.startsWith('veh.')) {
      const veh = new Map(
        (permit.get('veh') as Map<string, unknown> | undefined) ?? [['plate', '29A-123.45']],
      );
      if (v === undefined) veh.delete(key.slice(4));
      else veh.set(key.slice(4), v);
      permit.set('veh', veh);
    } else if (v === undefined) target.delete(key);
    else target.set(key, v);
  }
  return m;
}

function signed(edit: Edit, key = issuer.privateKey): string {
  return packVnp1(signCose(cborEncode(claimsWith(edit)), key));
}

function verdict(edit: Edit, t = trust): string {
  const r = verifyPermit(signed(edit), t);
  return r.ok ? 'OK' : r.reason;
}

const repeat = (s: string, n: number): string => s.repeat(n);
const digits = (n: number): string => '0123456789'.repeat(10).slice(0, n);
// 200 code points with astral ones (𠀀 is 2 UTF-16 units): 100 × ('𠀀' + 'ễ') is 300 UTF-16 units.
const NAME_200 = repeat('𠀀ễ', 100);
const OK = 'OK';
const BAD = 'FORMAT_INVALID';

type Row = [string, Edit, typeof OK | typeof BAD];

const rows: Record<string, Row[]> = {
  cti: [
    ['1 character', { 7: 'A' }, OK],
    ['64 printable ASCII characters, space included', { 7: `${repeat('X', 62)} ~` }, OK],
    ['65 characters', { 7: repeat('X', 65) }, BAD],
    ['300 characters (measured: the store refused the row)', { 7: repeat('X', 300) }, BAD],
    ['empty', { 7: '' }, BAD],
    ['only spaces', { 7: '   ' }, BAD],
    ['a non-ASCII letter', { 7: 'TX-2021-00012é' }, BAD],
    ['a tab', { 7: 'TX\t1' }, BAD],
    ['DEL', { 7: 'TX\u007f1' }, BAD],
    ['not text', { 7: 123 }, BAD],
  ],
  nam: [
    ['1 character', { nam: 'A' }, OK],
    ['200 code points, astral ones included', { nam: NAME_200 }, OK],
    ['200 code points after NFC (600 before)', { nam: repeat('ễ', 200).normalize('NFD') }, OK],
    ['201 code points', { nam: `${NAME_200}a` }, BAD],
    ['300 characters (measured: the store refused the row)', { nam: repeat('Hằng ', 60) }, BAD],
    ['empty', { nam: '' }, BAD],
    ['only spaces', { nam: '  ' }, BAD],
    ['a right-to-left override (Cf)', { nam: 'Nguyễn \u202eThị Hằng' }, BAD],
    ['a zero-width space (Cf)', { nam: 'Nguyễn\u200bThị' }, BAD],
    ['a soft hyphen (Cf)', { nam: 'Nguy\u00adễn' }, BAD],
    ['a newline (Cc)', { nam: 'Nguyễn\nThị' }, BAD],
    ['NUL (Cc)', { nam: 'Nguyễn\u0000' }, BAD],
  ],
  idn: [
    ['9 digits (CMND)', { idn: digits(9) }, OK],
    ['12 digits (CCCD)', { idn: digits(12) }, OK],
    ['5 digits (measured: ALLOWed)', { idn: digits(5) }, BAD],
    ['8 digits', { idn: digits(8) }, BAD],
    ['10 digits', { idn: digits(10) }, BAD],
    ['11 digits', { idn: digits(11) }, BAD],
    ['13 digits', { idn: digits(13) }, BAD],
    ['65 digits (measured: the store refused the row)', { idn: repeat('1', 65) }, BAD],
    ['a letter', { idn: '00118500432A' }, BAD],
    ['Arabic-Indic digits', { idn: '٠٠١١٨٥٠٠٤٣٢١' }, BAD],
    ['a space', { idn: '001185 04321' }, BAD],
    ['a number, not text', { idn: 1185004321 }, BAD],
  ],
  k: [
    ['travel', { k: 'travel' }, OK],
    ['goods', { k: 'goods' }, OK],
    ['another word', { k: 'tourism' }, BAD],
    ['another case', { k: 'Travel' }, BAD],
  ],
  pur: [
    ...['work', 'medical', 'goods', 'official', 'emergency', 'essential', 'other'].map(
      (p): Row => [p, { pur: p }, OK],
    ),
    ['spaceship (measured: ALLOWed)', { pur: 'spaceship' }, BAD],
    ['another case', { pur: 'WORK' }, BAD],
    ['empty', { pur: '' }, BAD],
  ],
  'veh.type': [
    ...['motorbike', 'car', 'truck', 'bicycle', 'other'].map((t): Row => [t, { 'veh.type': t }, OK]),
    ['missing (other)', { 'veh.type': undefined }, OK],
    ['tank (measured: ALLOWed)', { 'veh.type': 'tank' }, BAD],
    ['another case', { 'veh.type': 'Car' }, BAD],
  ],
  'veh.plate': [
    ['a car plate', { 'veh.plate': '29A-123.45' }, OK],
    ['lower case', { 'veh.plate': '29a-123.45' }, OK],
    ['16 characters', { 'veh.plate': '29A-123.45 67-89' }, OK],
    ['1 character', { 'veh.plate': 'X' }, OK],
    ['17 characters', { 'veh.plate': '29A-123.45 67-890' }, BAD],
    ['100 characters (measured: ALLOWed)', { 'veh.plate': repeat('29A-123.45', 10) }, BAD],
    ['empty', { 'veh.plate': '' }, BAD],
    ['only spaces', { 'veh.plate': '   ' }, BAD],
    ['an underscore', { 'veh.plate': '29A_12345' }, BAD],
    ['a letter outside A-Z', { 'veh.plate': '29Đ-123.45' }, BAD],
    ['ß (upper-cases to SS)', { 'veh.plate': '29ß-123.45' }, BAD],
    ['a newline', { 'veh.plate': '29A\n12345' }, BAD],
    ['missing', { 'veh.plate': undefined, 'veh.type': 'car' }, BAD],
  ],
  dob: [
    ['a date', { dob: '1985-01-02' }, OK],
    ['29 February of a leap year', { dob: '2000-02-29' }, OK],
    ['the day of issue', { dob: '2021-09-08' }, OK],
    ['the day after the day of issue', { dob: '2021-09-09' }, BAD],
    ['29 February 1900 (not a leap year)', { dob: '1900-02-29' }, BAD],
    ['29 February 2021', { dob: '2021-02-29' }, BAD],
    ['31 April', { dob: '1985-04-31' }, BAD],
    ['month 13', { dob: '1985-13-01' }, BAD],
    ['day 0', { dob: '1985-01-00' }, BAD],
    ['yesterday (measured: ALLOWed)', { dob: 'yesterday' }, BAD],
    ['without zero padding', { dob: '1985-1-2' }, BAD],
    ['with a time', { dob: '1985-01-02T00:00:00Z' }, BAD],
    ['the year only', { dob: '1985' }, BAD],
    ['not text', { dob: 19850102 }, BAD],
  ],
  hours: [
    ['the whole day', { hours: ['00:00', '23:59'] }, OK],
    ['wrapping midnight', { hours: ['22:00', '05:00'] }, OK],
    ['24:00', { hours: ['06:00', '24:00'] }, BAD],
    ['minute 60', { hours: ['06:60', '18:00'] }, BAD],
    ['one digit hour', { hours: ['6:00', '18:00'] }, BAD],
    ['seconds', { hours: ['06:00:00', '18:00'] }, BAD],
    ['one time', { hours: ['06:00'] }, BAD],
    ['three times', { hours: ['06:00', '12:00', '18:00'] }, BAD],
  ],
  areas: [
    ['a province, a district and a ward', { areas: ['01', '01-009', '01-009-00337'] }, OK],
    ['64 codes', { areas: Array.from({ length: 64 }, (_, i) => `01-${String(i).padStart(3, '0')}`) }, OK],
    ['65 codes', { areas: Array.from({ length: 65 }, () => '01-009') }, BAD],
    ['none', { areas: [] }, BAD],
    ['a code of 1 digit', { areas: ['1'] }, BAD],
    ['a district of 2 digits', { areas: ['01-09'] }, BAD],
    ['a ward of 4 digits', { areas: ['01-009-0337'] }, BAD],
    ['a name, not a code', { areas: ['Hà Nội'] }, BAD],
    ['a trailing newline', { areas: ['01-009\n'] }, BAD],
    ['full-width digits', { areas: ['０１'] }, BAD],
    ['one text, not an array', { areas: '01-009' }, BAD],
  ],
  home: [
    ['a ward', { home: '01-009-00343' }, OK],
    ['a name', { home: 'Thanh Xuân' }, BAD],
    ['a trailing dash', { home: '01-009-' }, BAD],
  ],
  'org and route': [
    ['200 characters each', { org: repeat('Đ', 200), route: repeat('→', 200) }, OK],
    ['empty', { org: '', route: '' }, OK],
    ['org of 201 characters', { org: repeat('Đ', 201) }, BAD],
    ['route of 201 characters', { route: repeat('→', 201) }, BAD],
    ['a bidi override in route', { route: 'Nhân Chính \u202e Đống Đa' }, BAD],
    ['a newline in org', { org: 'Công ty\nĐiện lực' }, BAD],
  ],
  'iat, nbf, exp': [
    ['exp equal to iat', { 4: T0S, 6: T0S }, OK],
    ['exp 400 days after iat', { 4: T0S + 400 * DAY, 6: T0S }, OK],
    ['exp 400 days and 1 second after iat', { 4: T0S + 400 * DAY + 1, 6: T0S }, BAD],
    ['exp before iat', { 4: T0S - 1, 6: T0S }, BAD],
    ['a fractional nbf', { 5: T0S + 0.5 }, BAD],
    ['a text exp', { 4: String(T0S + DAY) }, BAD],
  ],
  v: [
    ['1', { v: 1 }, OK],
    ['2', { v: 2 }, BAD],
  ],
};

describe('VNP1 value rules (validly signed permits)', () => {
  for (const [field, cases] of Object.entries(rows)) {
    it.each(cases)(`${field}: %s`, (_name, edit, expected) => {
      expect(verdict(edit)).toBe(expected);
    });
  }

  it.each([
    ['01', 'a province'],
    ['01-009', 'a district'],
    ['01-009-00337', 'a ward'],
  ])('iss %s (%s) is an area code', (iss) => {
    expect(verdict({ 1: iss }, makeTrust([{ issuer, iss }]))).toBe(OK);
  });

  it.each(['1', '001', '01-09', '01-009-0033', '01-009-003370', 'VN-HN', '01-009 '])(
    'iss %j is not an area code: the permit fails, and a trust list that writes it so is refused',
    (iss) => {
      expect(verdict({ 1: iss })).toBe(BAD);
      expect(() => makeTrust([{ issuer, iss }])).toThrow(/DOCUMENT_INVALID|area code|mã địa bàn/);
    },
  );

  it('iss empty or not text', () => {
    expect(verdict({ 1: '' })).toBe(BAD);
    expect(verdict({ 1: 1 })).toBe(BAD);
  });

  it('dob is compared with the day of issue in Vietnam time, not UTC', () => {
    // Issued 00:30 on 8 September in Hà Nội, still 7 September in UTC.
    const iat = Date.parse('2021-09-08T00:30:00+07:00') / 1000;
    const at = (dob: string) => verdict({ 4: iat + 10 * DAY, 6: iat, dob });
    expect(at('2021-09-08')).toBe(OK);
    expect(at('2021-09-09')).toBe(BAD);
    // Issued 23:30 on 8 September in Hà Nội: the next day is still after it.
    const late = Date.parse('2021-09-08T23:30:00+07:00') / 1000;
    expect(verdict({ 4: late + 10 * DAY, 6: late, dob: '2021-09-09' })).toBe(BAD);
  });

  it('what passes is what the kiosk uses: NFC name, upper-case plate', () => {
    const r = verifyPermit(
      signed({ nam: 'Nguyễn Thị Hằng'.normalize('NFD'), 'veh.plate': '29a-123.45', 'veh.type': 'car' }),
      trust,
    );
    expect(r.ok && r.permit.permit.nam).toBe('Nguyễn Thị Hằng'.normalize('NFC'));
    expect(r.ok && r.permit.permit.veh).toEqual({ plate: '29A-123.45', type: 'car' });
  });

  it('the signature is checked first: a bad value under a bad signature or an unknown kid', () => {
    const bad = { idn: digits(5), pur: 'spaceship' };
    expect(verifyPermit(signed(bad, stranger.privateKey), trust)).toMatchObject({ reason: 'UNKNOWN_ISSUER' });
    const forged = packVnp1(
      signCose(cborEncode(claimsWith(bad)), stranger.privateKey, {
        protectedHeader: new Map<number, unknown>([
          [1, -7],
          [4, issuer.kid],
        ]),
      }),
    );
    expect(verifyPermit(forged, trust)).toMatchObject({ reason: 'SIGNATURE_INVALID' });
  });
});
