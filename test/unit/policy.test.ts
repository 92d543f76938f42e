import { describe, expect, it } from 'vitest';
import { normalisePlate } from '../../src/contract/plate.js';
import type { Direction } from '../../src/contract/reasons.js';
import { inDailyWindow, vietnamMinuteOfDay } from '../../src/contract/time.js';
import { buildZoneMap } from '../../src/documents/zones.js';
import type { PermitBody, VerifiedPermit } from '../../src/formats/types.js';
import { permitHash } from '../../src/formats/vnp1.js';
import { evaluatePolicy, type PolicyInput } from '../../src/policy/evaluate.js';
import { checkpoint, T0, T0S } from '../fixtures/permits.js';

const DAY = 86_400;

function permit(
  body: Partial<PermitBody> = {},
  times: Partial<Pick<VerifiedPermit, 'nbf' | 'exp' | 'iat'>> = {},
) {
  const p: VerifiedPermit = {
    iss: '01-009',
    cti: 'TX-1',
    hash: permitHash('01-009', 'TX-1'),
    iat: T0S - DAY,
    nbf: times.nbf ?? times.iat ?? T0S - DAY,
    exp: T0S + DAY,
    kid: 'x',
    issuerName: null,
    ...times,
    permit: { v: 1, k: 'travel', nam: 'A', idn: '001185004321', pur: 'work', areas: ['01-009'], ...body },
  };
  return p;
}

function run(over: Partial<PolicyInput> = {}) {
  return evaluatePolicy({
    permit: permit(),
    checkpoint: checkpoint(),
    now: T0,
    direction: 'in' as Direction,
    lastDirection: null,
    ...over,
  });
}

/** An instant at HH:MM Vietnam time on 10/09/2021. */
const vn = (hhmm: string) => Date.parse(`2021-09-10T${hhmm}:00+07:00`);

describe('Vietnam time helpers', () => {
  it('minute of day is UTC+7 whatever the machine TZ', () => {
    expect(vietnamMinuteOfDay(Date.parse('2021-09-10T00:30:00Z'))).toBe(7 * 60 + 30);
    expect(vietnamMinuteOfDay(Date.parse('2021-09-10T17:00:00Z'))).toBe(0);
    expect(vietnamMinuteOfDay(Date.parse('2021-09-10T16:59:00Z'))).toBe(23 * 60 + 59);
  });

  it('windows are [from, to), may wrap midnight, from == to is all day', () => {
    expect(inDailyWindow(6 * 60, ['06:00', '18:00'])).toBe(true);
    expect(inDailyWindow(18 * 60, ['06:00', '18:00'])).toBe(false);
    expect(inDailyWindow(23 * 60, ['18:00', '06:00'])).toBe(true);
    expect(inDailyWindow(5 * 60 + 59, ['18:00', '06:00'])).toBe(true);
    expect(inDailyWindow(6 * 60, ['18:00', '06:00'])).toBe(false);
    expect(inDailyWindow(12 * 60, ['18:00', '06:00'])).toBe(false);
    expect(inDailyWindow(12 * 60, ['00:00', '00:00'])).toBe(true);
  });
});

describe('evaluatePolicy', () => {
  it('a good permit at a district entry is ALLOW with no reasons', () => {
    expect(run()).toEqual({ decision: 'ALLOW', reasons: [] });
  });

  it('NOT_YET_VALID honours the tolerance (nbf defaults to iat)', () => {
    const tol = 300;
    expect(run({ permit: permit({}, { iat: T0S + tol }) }).reasons).toEqual([]);
    expect(run({ permit: permit({}, { iat: T0S + tol + 1 }) })).toEqual({
      decision: 'DENY',
      reasons: ['NOT_YET_VALID'],
    });
    expect(run({ permit: permit({}, { iat: T0S - DAY, nbf: T0S + 3600 }) }).reasons).toEqual([
      'NOT_YET_VALID',
    ]);
    const strict = checkpoint({}, { notBeforeToleranceSeconds: 0 });
    expect(run({ permit: permit({}, { iat: T0S + 1 }), checkpoint: strict }).reasons).toEqual([
      'NOT_YET_VALID',
    ]);
  });

  it('EXPIRED at exactly exp', () => {
    expect(run({ permit: permit({}, { exp: T0S }) })).toEqual({ decision: 'DENY', reasons: ['EXPIRED'] });
    expect(run({ permit: permit({}, { exp: T0S + 1 }) }).reasons).toEqual([]);
  });

  it('REVOKED by hash', () => {
    const p = permit();
    expect(run({ revocations: new Set([p.hash]) }).reasons).toEqual(['REVOKED']);
    expect(run({ revocations: new Set(['0'.repeat(64)]) }).reasons).toEqual([]);
  });

  it('AREA_NOT_PERMITTED: coverage by code hierarchy, only when entering', () => {
    const ward = checkpoint({ area: '01-009-00337', kind: 'green-zone' });
    expect(run({ checkpoint: ward }).reasons).toEqual([]); // 01-009 covers its wards
    expect(run({ permit: permit({ areas: ['01-009-00343'] }), checkpoint: ward }).reasons).toEqual([
      'AREA_NOT_PERMITTED',
    ]);
    expect(run({ permit: permit({ areas: ['01-009-00337'] }) }).reasons).toEqual(['AREA_NOT_PERMITTED']); // ward ≠ district
    expect(run({ permit: permit({ areas: ['01-00'] }) }).reasons).toEqual(['AREA_NOT_PERMITTED']); // string prefix
    expect(run({ permit: permit({ areas: ['01'] }) }).reasons).toEqual([]);
    expect(run({ permit: permit({ areas: ['01-005'] }), direction: 'out' }).reasons).toEqual([]);
  });

  it('OUTSIDE_HOURS: permit hours, wrapping midnight', () => {
    const day = permit({ hours: ['06:00', '18:00'] });
    expect(run({ permit: day, now: vn('17:59') }).reasons).toEqual([]);
    expect(run({ permit: day, now: vn('18:00') })).toEqual({ decision: 'DENY', reasons: ['OUTSIDE_HOURS'] });
    const night = permit({ hours: ['22:00', '05:00'] });
    expect(run({ permit: night, now: vn('23:30') }).reasons).toEqual([]);
    expect(run({ permit: night, now: vn('04:59') }).reasons).toEqual([]);
    expect(run({ permit: night, now: vn('12:00') }).reasons).toEqual(['OUTSIDE_HOURS']);
  });

  it('OUTSIDE_HOURS: curfew wrapping midnight, exempt purposes pass', () => {
    const cp = checkpoint({}, { curfew: ['18:00', '06:00'] });
    expect(run({ checkpoint: cp, now: vn('17:59') }).reasons).toEqual([]);
    expect(run({ checkpoint: cp, now: vn('18:00') }).reasons).toEqual(['OUTSIDE_HOURS']);
    expect(run({ checkpoint: cp, now: vn('00:00') }).reasons).toEqual(['OUTSIDE_HOURS']);
    expect(run({ checkpoint: cp, now: vn('05:59') }).reasons).toEqual(['OUTSIDE_HOURS']);
    expect(run({ checkpoint: cp, now: vn('06:00') }).reasons).toEqual([]);
    expect(run({ checkpoint: cp, now: vn('23:00'), permit: permit({ pur: 'medical' }) }).reasons).toEqual([]);
    // both at once still give the reason once
    const p = permit({ hours: ['06:00', '12:00'] });
    expect(run({ checkpoint: cp, now: vn('20:00'), permit: p }).reasons).toEqual(['OUTSIDE_HOURS']);
  });

  it('ORIGIN_HIGH_RISK: home zone level, entering district/green checkpoints, exempt purposes', () => {
    const zones = buildZoneMap({
      version: 1,
      issued: 1,
      zones: { '01-009-00343': 'red', '01-006': 'orange', '01-004': 'yellow' },
    });
    const red = permit({ home: '01-009-00343' });
    expect(run({ zones, permit: red })).toEqual({ decision: 'DENY', reasons: ['ORIGIN_HIGH_RISK'] });
    expect(run({ zones, permit: permit({ home: '01-006-00200' }) }).reasons).toEqual(['ORIGIN_HIGH_RISK']);
    expect(run({ zones, permit: permit({ home: '01-004-00100' }) }).reasons).toEqual([]);
    expect(run({ zones, permit: permit({ home: '01-009-00343', pur: 'emergency' }) }).reasons).toEqual([]);
    expect(run({ zones, permit: red, direction: 'out' }).reasons).toEqual([]);
    expect(run({ zones, permit: red, checkpoint: checkpoint({ kind: 'mobile' }) }).reasons).toEqual([]);
    expect(run({ zones, permit: red, checkpoint: checkpoint({ kind: 'green-zone' }) }).reasons).toEqual([
      'ORIGIN_HIGH_RISK',
    ]);
    expect(run({ permit: red }).reasons).toEqual([]); // no zone map: green
    expect(run({ zones, permit: permit({ home: undefined }) }).reasons).toEqual([]);
    const yellowRefused = checkpoint({}, { refuseOriginLevels: ['yellow'] });
    expect(run({ zones, checkpoint: yellowRefused, permit: permit({ home: '01-004' }) }).reasons).toEqual([
      'ORIGIN_HIGH_RISK',
    ]);
  });

  it('LOCKDOWN_EXIT: leaving a locked-down area without an exempt purpose', () => {
    const lock = checkpoint({ kind: 'lockdown', area: '01-009-00337' });
    expect(run({ checkpoint: lock, direction: 'out' })).toEqual({
      decision: 'DENY',
      reasons: ['LOCKDOWN_EXIT'],
    });
    expect(run({ checkpoint: lock, direction: 'out', permit: permit({ pur: 'official' }) }).reasons).toEqual(
      [],
    );
    expect(run({ checkpoint: lock, direction: 'in' }).reasons).toEqual([]);
    expect(run({ checkpoint: checkpoint(), direction: 'out' }).reasons).toEqual([]);
  });

  it('VEHICLE_MISMATCH after normalisation is REVIEW', () => {
    expect(normalisePlate('29a-123.45 ')).toBe('29A12345');
    const car = permit({ veh: { plate: '29A-123.45', type: 'car' } });
    expect(run({ permit: car, plate: '29a 12345' }).reasons).toEqual([]);
    expect(run({ permit: car, plate: '29A-123.46' })).toEqual({
      decision: 'REVIEW',
      reasons: ['VEHICLE_MISMATCH'],
    });
    expect(run({ permit: car }).reasons).toEqual([]);
    expect(run({ permit: car, plate: ' - ' }).reasons).toEqual([]);
    expect(run({ plate: '30A-99999' }).reasons).toEqual([]); // the permit names no vehicle
  });

  it('ALREADY_INSIDE per antiPassback mode, entering only', () => {
    expect(run({ lastDirection: 'in' })).toEqual({ decision: 'REVIEW', reasons: ['ALREADY_INSIDE'] });
    expect(run({ lastDirection: 'out' }).reasons).toEqual([]);
    expect(run({ lastDirection: 'in', direction: 'out' }).reasons).toEqual([]);
    expect(run({ lastDirection: 'in', checkpoint: checkpoint({}, { antiPassback: 'deny' }) }).decision).toBe(
      'DENY',
    );
    expect(run({ lastDirection: 'in', checkpoint: checkpoint({}, { antiPassback: 'off' }) }).reasons).toEqual(
      [],
    );
  });

  it('HEALTH_PROOF_REQUIRED unless a valid proof was scanned', () => {
    const cp = checkpoint({}, { health: { required: true } });
    expect(run({ checkpoint: cp })).toEqual({ decision: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'] });
    expect(run({ checkpoint: cp, healthProofOk: true }).reasons).toEqual([]);
  });

  it('lists every reason in the spec order; DENY beats REVIEW', () => {
    const zones = buildZoneMap({ version: 1, issued: 1, zones: { '01-009': 'red' } });
    const p = permit(
      {
        areas: ['01-005'],
        home: '01-009-00343',
        hours: ['06:00', '07:00'],
        veh: { plate: '29A-1', type: 'car' },
      },
      { iat: T0S + DAY, exp: T0S - 1 },
    );
    const r = run({
      permit: p,
      zones,
      revocations: new Set([p.hash]),
      plate: '30B-2',
      lastDirection: 'in',
      checkpoint: checkpoint({}, { health: { required: true } }),
    });
    expect(r).toEqual({
      decision: 'DENY',
      reasons: [
        'NOT_YET_VALID',
        'EXPIRED',
        'REVOKED',
        'AREA_NOT_PERMITTED',
        'OUTSIDE_HOURS',
        'ORIGIN_HIGH_RISK',
        'VEHICLE_MISMATCH',
        'ALREADY_INSIDE',
        'HEALTH_PROOF_REQUIRED',
      ],
    });
    expect(
      run({ plate: 'X', permit: permit({ veh: { plate: 'Y', type: 'car' } }), lastDirection: 'in' }),
    ).toEqual({
      decision: 'REVIEW',
      reasons: ['VEHICLE_MISMATCH', 'ALREADY_INSIDE'],
    });
  });
});
