// The checkpoint's health rule (src/policy/health-rule.ts) at its boundaries, with the clock as an
// argument. Calendar dates count in Vietnam time: the cases near midnight catch a UTC implementation.
import { describe, expect, it } from 'vitest';
import { vietnamDayNumber } from '../../src/contract/time.js';
import type { HealthCertificate, HealthEntry } from '../../src/formats/hc1-types.js';
import { healthRuleProblem, validityProblem } from '../../src/policy/health-rule.js';

const RULE = { testHours: 72, vaccinationDays: 14, recoveryDays: 180 };
const HOUR = 3_600_000;
const cert = (entry: HealthEntry): HealthCertificate => ({
  ver: '1.3.0',
  nam: { fn: null, fnt: 'NGUYEN', gn: null, gnt: 'THI<HANG' },
  dob: '1985-11-18',
  entry,
});
const vn = (local: string): number => Date.parse(`${local}+07:00`);

describe('negative test within testHours', () => {
  const sc = vn('2021-09-07T08:00:00');
  const test = (over: Partial<Extract<HealthEntry, { type: 'test' }>> = {}) =>
    cert({ type: 'test', tr: '260415000', sc, co: 'VN', ...over });

  it('counts up to exactly 72 hours after the sample, not a millisecond more', () => {
    expect(healthRuleProblem(test(), RULE, sc + 72 * HOUR)).toBeNull();
    expect(healthRuleProblem(test(), RULE, sc + 72 * HOUR + 1)).toMatch(/older than 72 hours/);
    expect(healthRuleProblem(test(), { ...RULE, testHours: 24 }, sc + 25 * HOUR)).toMatch(/24 hours/);
  });

  it('only "not detected" is negative; a sample from the future is not a proof', () => {
    expect(healthRuleProblem(test({ tr: '260373001' }), RULE, sc + HOUR)).toMatch(/not negative/);
    expect(healthRuleProblem(test({ tr: 'NEGATIVO' }), RULE, sc + HOUR)).toMatch(/not negative/);
    expect(healthRuleProblem(test(), RULE, sc - 1)).toMatch(/future/);
    // Within the clock tolerance, a sample a little ahead of the kiosk's clock is accepted.
    expect(healthRuleProblem(test(), RULE, sc - 60_000, 300)).toBeNull();
  });
});

describe('completed vaccination at least vaccinationDays ago', () => {
  const v = (over: Partial<Extract<HealthEntry, { type: 'vaccination' }>> = {}) =>
    cert({ type: 'vaccination', dn: 2, sd: 2, dt: '2021-08-27', co: 'VN', ...over });

  it('counts from the 14th day after the vaccination date, in Vietnam’s calendar', () => {
    // 10/09 00:30 in Hà Nội is still 09/09 in UTC: a UTC calendar would say 13 days.
    expect(healthRuleProblem(v(), RULE, vn('2021-09-10T00:30:00'))).toBeNull();
    expect(healthRuleProblem(v(), RULE, vn('2021-09-09T23:59:59'))).toMatch(/13 days ago, fewer than 14/);
    expect(vietnamDayNumber(vn('2021-09-10T00:30:00')) - vietnamDayNumber(vn('2021-09-09T23:59:59'))).toBe(1);
  });

  it('an incomplete series never counts; a booster beyond the series does', () => {
    expect(healthRuleProblem(v({ dn: 1, sd: 2 }), RULE, vn('2022-01-01T12:00:00'))).toMatch(/not complete/);
    expect(healthRuleProblem(v({ dn: 3, sd: 2 }), RULE, vn('2021-09-10T12:00:00'))).toBeNull();
    expect(healthRuleProblem(v({ dn: 1, sd: 1 }), RULE, vn('2021-09-10T12:00:00'))).toBeNull();
    expect(healthRuleProblem(v(), { ...RULE, vaccinationDays: 0 }, vn('2021-08-27T06:00:00'))).toBeNull();
  });
});

describe('recovery within recoveryDays of the first positive test, and within df..du', () => {
  const r = (over: Partial<Extract<HealthEntry, { type: 'recovery' }>> = {}) =>
    cert({ type: 'recovery', fr: '2021-03-14', df: null, du: null, co: 'VN', ...over });

  it('counts up to exactly 180 days after fr, in Vietnam’s calendar', () => {
    // 2021-03-14 + 180 days = 2021-09-10.
    expect(healthRuleProblem(r(), RULE, vn('2021-09-10T23:59:00'))).toBeNull();
    expect(healthRuleProblem(r(), RULE, vn('2021-09-11T00:01:00'))).toMatch(/181 days ago, more than 180/);
    expect(healthRuleProblem(r({ fr: '2021-09-11' }), RULE, vn('2021-09-10T12:00:00'))).toMatch(/future/);
  });

  it('df and du bound it too, inclusive', () => {
    const at = vn('2021-06-01T12:00:00');
    expect(healthRuleProblem(r({ df: '2021-06-01', du: '2021-06-01' }), RULE, at)).toBeNull();
    expect(healthRuleProblem(r({ df: '2021-06-02' }), RULE, at)).toMatch(/only from 2021-06-02/);
    expect(healthRuleProblem(r({ du: '2021-05-31' }), RULE, at)).toMatch(/only until 2021-05-31/);
  });
});

describe('validityProblem: the CWT window', () => {
  const claims = { iat: 1_000, exp: 2_000 };
  it('exp is the last valid second; iat may be ahead of the clock by the tolerance only', () => {
    expect(validityProblem(claims, 2_000_000)).toBeNull();
    expect(validityProblem(claims, 2_000_001)).toBe('EXPIRED');
    expect(validityProblem(claims, 999_999)).toBe('NOT_YET_VALID');
    expect(validityProblem(claims, 700_000, 300)).toBeNull();
    expect(validityProblem(claims, 699_999, 300)).toBe('NOT_YET_VALID');
  });
});
