// spec/policy.md, row by row: every reason of steps 1 and 2, at and around its boundary, the decision
// rule of step 3, the duplicates of step 4 and the plate normalisation. Each case is one line of a
// table so that a reader can hold it against the spec.
import { describe, expect, it } from 'vitest';
import { normalisePlate } from '../../src/contract/plate.js';
import type { Decision, Direction, ReasonCode } from '../../src/contract/reasons.js';
import { buildZoneMap } from '../../src/documents/zones.js';
import type { PermitBody, VerifiedPermit } from '../../src/formats/types.js';
import { permitHash } from '../../src/formats/vnp1.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { judgeScan } from '../../src/lane/judge.js';
import { decide, evaluatePolicy, type PolicyInput } from '../../src/policy/evaluate.js';
import { MemoryHistory } from '../fixtures/memory-history.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, permitClaims, T0, T0S } from '../fixtures/permits.js';

const DAY = 86_400;
/** An instant at HH:MM Vietnam time on 10/09/2021 (T0 is 08:00). */
const vn = (hhmm: string) => Date.parse(`2021-09-10T${hhmm}:00+07:00`);

type Times = Partial<Pick<VerifiedPermit, 'nbf' | 'exp' | 'iat'>>;
function permit(body: Partial<PermitBody> = {}, times: Times = {}): VerifiedPermit {
  return {
    iss: '01-009',
    cti: 'TX-1',
    hash: permitHash('01-009', 'TX-1'),
    iat: T0S - DAY,
    nbf: times.nbf ?? times.iat ?? T0S - DAY,
    exp: T0S + DAY,
    kid: 'k',
    issuerName: null,
    ...times,
    permit: { v: 1, k: 'travel', nam: 'A', idn: '001185004321', pur: 'work', areas: ['01-009'], ...body },
  };
}

const zones = buildZoneMap({
  version: 1,
  issued: 1,
  default: 'yellow',
  zones: { '01-009-00343': 'red', '01-009': 'green', '01-006': 'orange' },
});
const revoked = new Set([permitHash('01-009', 'TX-1')]);

interface Row {
  name: string;
  input: Partial<PolicyInput>;
  reasons: ReasonCode[];
  decision: Decision;
}
const row = (name: string, input: Partial<PolicyInput>, reasons: ReasonCode[], decision?: Decision): Row => ({
  name,
  input,
  reasons,
  decision: decision ?? (reasons.length === 0 ? 'ALLOW' : 'DENY'),
});

const lockdown = checkpoint({ kind: 'lockdown', area: '01-009-00343' });
const greenZone = checkpoint({ kind: 'green-zone', area: '01-009-00343' });
const curfew = checkpoint({}, { curfew: ['18:00', '06:00'] });

/** spec/policy.md step 2, one block per row of the table. */
const TABLE: Record<string, Row[]> = {
  NOT_YET_VALID: [
    row('nbf exactly now + tolerance is still valid', { permit: permit({}, { nbf: T0S + 300 }) }, []),
    row('one second later it is not', { permit: permit({}, { nbf: T0S + 301 }) }, ['NOT_YET_VALID']),
    row('nbf defaults to iat', { permit: permit({}, { iat: T0S + 301 }) }, ['NOT_YET_VALID']),
    row(
      'tolerance 0',
      { permit: permit({}, { nbf: T0S + 1 }), checkpoint: checkpoint({}, { notBeforeToleranceSeconds: 0 }) },
      ['NOT_YET_VALID'],
    ),
    row('applies leaving too', { permit: permit({}, { nbf: T0S + 3600 }), direction: 'out' }, [
      'NOT_YET_VALID',
    ]),
  ],
  EXPIRED: [
    row('a second before exp', { permit: permit({}, { exp: T0S + 1 }) }, []),
    row('at exactly exp', { permit: permit({}, { exp: T0S }) }, ['EXPIRED']),
    row('long after, leaving', { permit: permit({}, { exp: T0S - DAY }), direction: 'out' }, ['EXPIRED']),
  ],
  REVOKED: [
    row('hash in the list', { revocations: revoked }, ['REVOKED']),
    row('another hash in the list', { revocations: new Set(['0'.repeat(64)]) }, []),
    row('no list', { revocations: null }, []),
  ],
  AREA_NOT_PERMITTED: [
    row('the exact area', { permit: permit({ areas: ['01-009'] }) }, []),
    row(
      'a parent code covers its children',
      { permit: permit({ areas: ['01'] }), checkpoint: greenZone },
      [],
    ),
    row('a child does not cover its parent', { permit: permit({ areas: ['01-009-00343'] }) }, [
      'AREA_NOT_PERMITTED',
    ]),
    row('a string prefix is not a code prefix', { permit: permit({ areas: ['01-00'] }) }, [
      'AREA_NOT_PERMITTED',
    ]),
    row('any one of several codes', { permit: permit({ areas: ['01-005', '01-009'] }) }, []),
    row('only when entering', { permit: permit({ areas: ['01-005'] }), direction: 'out' }, []),
  ],
  OUTSIDE_HOURS: [
    row(
      'permit hours: the start is inside',
      { permit: permit({ hours: ['08:00', '17:00'] }), now: vn('08:00') },
      [],
    ),
    row(
      'permit hours: the end is outside',
      { permit: permit({ hours: ['06:00', '17:00'] }), now: vn('17:00') },
      ['OUTSIDE_HOURS'],
    ),
    row(
      'permit hours wrap midnight: 23:59',
      { permit: permit({ hours: ['22:00', '05:00'] }), now: vn('23:59') },
      [],
    ),
    row(
      'permit hours wrap midnight: 00:00',
      { permit: permit({ hours: ['22:00', '05:00'] }), now: vn('00:00') },
      [],
    ),
    row(
      'permit hours wrap midnight: 05:00',
      { permit: permit({ hours: ['22:00', '05:00'] }), now: vn('05:00') },
      ['OUTSIDE_HOURS'],
    ),
    row(
      'permit hours bind exempt purposes too',
      { permit: permit({ hours: ['09:00', '10:00'], pur: 'medical' }) },
      ['OUTSIDE_HOURS'],
    ),
    row('curfew wraps midnight: 17:59', { checkpoint: curfew, now: vn('17:59') }, []),
    row('curfew wraps midnight: 18:00', { checkpoint: curfew, now: vn('18:00') }, ['OUTSIDE_HOURS']),
    row('curfew wraps midnight: 02:00', { checkpoint: curfew, now: vn('02:00') }, ['OUTSIDE_HOURS']),
    row('curfew wraps midnight: 06:00', { checkpoint: curfew, now: vn('06:00') }, []),
    row(
      'curfew spares exempt purposes',
      { checkpoint: curfew, now: vn('23:00'), permit: permit({ pur: 'emergency' }) },
      [],
    ),
    row('curfew applies leaving too', { checkpoint: curfew, now: vn('23:00'), direction: 'out' }, [
      'OUTSIDE_HOURS',
    ]),
    row(
      'hours and curfew at once: listed once',
      { checkpoint: curfew, now: vn('20:00'), permit: permit({ hours: ['06:00', '12:00'] }) },
      ['OUTSIDE_HOURS'],
    ),
  ],
  ORIGIN_HIGH_RISK: [
    row('red home entering a district', { zones, permit: permit({ home: '01-009-00343' }) }, [
      'ORIGIN_HIGH_RISK',
    ]),
    row('longest listed prefix wins (01-009 green)', { zones, permit: permit({ home: '01-009-00001' }) }, []),
    row('orange by its district prefix', { zones, permit: permit({ home: '01-006-00200' }) }, [
      'ORIGIN_HIGH_RISK',
    ]),
    row('unlisted: the map default (yellow)', { zones, permit: permit({ home: '01-001-00001' }) }, []),
    row('no zone map: green', { permit: permit({ home: '01-009-00343' }) }, []),
    row('no home: nothing to check', { zones, permit: permit({}) }, []),
    row('exempt purpose', { zones, permit: permit({ home: '01-009-00343', pur: 'official' }) }, []),
    row(
      'green-zone kind too',
      { zones, permit: permit({ home: '01-006', areas: ['01-009'] }), checkpoint: greenZone },
      ['ORIGIN_HIGH_RISK'],
    ),
    row(
      'not at a lockdown checkpoint',
      { zones, permit: permit({ home: '01-006', areas: ['01'] }), checkpoint: lockdown },
      [],
    ),
    row(
      'not at a mobile checkpoint',
      { zones, permit: permit({ home: '01-006' }), checkpoint: checkpoint({ kind: 'mobile' }) },
      [],
    ),
    row('not when leaving', { zones, permit: permit({ home: '01-006' }), direction: 'out' }, []),
    row(
      'refused levels are the policy’s',
      {
        zones,
        permit: permit({ home: '01-001' }),
        checkpoint: checkpoint({}, { refuseOriginLevels: ['yellow'] }),
      },
      ['ORIGIN_HIGH_RISK'],
    ),
  ],
  LOCKDOWN_EXIT: [
    row('leaving a locked-down area', { checkpoint: lockdown, direction: 'out' }, ['LOCKDOWN_EXIT']),
    row(
      'exempt purpose may leave',
      { checkpoint: lockdown, direction: 'out', permit: permit({ pur: 'medical' }) },
      [],
    ),
    row(
      'entering a locked-down area',
      { checkpoint: lockdown, direction: 'in', permit: permit({ areas: ['01-009'] }) },
      [],
    ),
    row('leaving elsewhere', { direction: 'out' }, []),
  ],
  VEHICLE_MISMATCH: [
    row(
      'same plate after normalisation',
      { permit: permit({ veh: { plate: '29A-123.45', type: 'car' } }), plate: '29a 12345' },
      [],
    ),
    row(
      'different plate',
      { permit: permit({ veh: { plate: '29A-123.45', type: 'car' } }), plate: '29A-123.46' },
      ['VEHICLE_MISMATCH'],
      'REVIEW',
    ),
    row(
      'motorbike format',
      { permit: permit({ veh: { plate: '29-B1 123.45', type: 'motorbike' } }), plate: '29B1-12345' },
      [],
    ),
    row('nothing typed', { permit: permit({ veh: { plate: '29A-123.45', type: 'car' } }) }, []),
    row(
      'only separators typed',
      { permit: permit({ veh: { plate: '29A-123.45', type: 'car' } }), plate: ' .- ' },
      [],
    ),
    row('the permit names no vehicle', { plate: '30E-123.45' }, []),
  ],
  ALREADY_INSIDE: [
    row('review mode', { lastDirection: 'in' }, ['ALREADY_INSIDE'], 'REVIEW'),
    row(
      'deny mode',
      { lastDirection: 'in', checkpoint: checkpoint({}, { antiPassback: 'deny' }) },
      ['ALREADY_INSIDE'],
      'DENY',
    ),
    row('off', { lastDirection: 'in', checkpoint: checkpoint({}, { antiPassback: 'off' }) }, []),
    row('last passage was out', { lastDirection: 'out' }, []),
    row('no earlier passage', { lastDirection: null }, []),
    row('leaving after entering', { lastDirection: 'in', direction: 'out' }, []),
  ],
  HEALTH_PROOF_REQUIRED: [
    row(
      'required, none scanned',
      { checkpoint: checkpoint({}, { health: { required: true } }) },
      ['HEALTH_PROOF_REQUIRED'],
      'REVIEW',
    ),
    row(
      'required, a valid one scanned',
      { checkpoint: checkpoint({}, { health: { required: true } }), healthProofOk: true },
      [],
    ),
    row('not required', { healthProofOk: false }, []),
  ],
};

function run(over: Partial<PolicyInput>) {
  return evaluatePolicy({
    permit: permit(),
    checkpoint: checkpoint(),
    now: T0,
    direction: 'in' as Direction,
    lastDirection: null,
    ...over,
  });
}

describe('spec/policy.md step 2: every row of the table', () => {
  for (const [reason, rows] of Object.entries(TABLE)) {
    describe(reason, () => {
      it.each(rows)('$name', ({ input, reasons, decision }) => {
        expect(run(input)).toEqual({ decision, reasons });
      });
    });
  }

  it('the table covers every reason of step 2', () => {
    expect(Object.keys(TABLE)).toEqual([
      'NOT_YET_VALID',
      'EXPIRED',
      'REVOKED',
      'AREA_NOT_PERMITTED',
      'OUTSIDE_HOURS',
      'ORIGIN_HIGH_RISK',
      'LOCKDOWN_EXIT',
      'VEHICLE_MISMATCH',
      'ALREADY_INSIDE',
      'HEALTH_PROOF_REQUIRED',
    ]);
  });

  it('lists all that apply, in the order of the table', () => {
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
      revocations: revoked,
      plate: '30B-2',
      lastDirection: 'in',
      checkpoint: checkpoint({}, { health: { required: true } }),
    });
    expect(r.reasons).toEqual([
      'NOT_YET_VALID',
      'EXPIRED',
      'REVOKED',
      'AREA_NOT_PERMITTED',
      'OUTSIDE_HOURS',
      'ORIGIN_HIGH_RISK',
      'VEHICLE_MISMATCH',
      'ALREADY_INSIDE',
      'HEALTH_PROOF_REQUIRED',
    ]);
    // LOCKDOWN_EXIT sits between ORIGIN_HIGH_RISK and VEHICLE_MISMATCH (they cannot both apply).
    const out = run({
      permit: p,
      checkpoint: lockdown,
      direction: 'out',
      plate: '30B-2',
      revocations: revoked,
    });
    expect(out.reasons).toEqual([
      'NOT_YET_VALID',
      'EXPIRED',
      'REVOKED',
      'OUTSIDE_HOURS',
      'LOCKDOWN_EXIT',
      'VEHICLE_MISMATCH',
    ]);
  });

  it('is deterministic: the same inputs give the same verdict, whatever the machine time zone', () => {
    const input = { checkpoint: curfew, now: vn('23:30'), zones, permit: permit({ home: '01-006' }) };
    const first = run(input);
    for (let i = 0; i < 5; i++) expect(run(input)).toEqual(first);
    expect(first.reasons).toEqual(['OUTSIDE_HOURS', 'ORIGIN_HIGH_RISK']);
  });
});

describe('spec/policy.md step 3: the decision', () => {
  const deny = new Set<ReasonCode>(['EXPIRED']);
  it.each<[ReasonCode[], Decision]>([
    [[], 'ALLOW'],
    [['VEHICLE_MISMATCH'], 'REVIEW'],
    [['EXPIRED'], 'DENY'],
    [['VEHICLE_MISMATCH', 'EXPIRED'], 'DENY'],
  ])('%j → %s', (reasons, decision) => {
    expect(decide(reasons, deny)).toBe(decision);
  });

  it('ALREADY_INSIDE is DENY or REVIEW as antiPassback says, beside a REVIEW reason', () => {
    const both = {
      lastDirection: 'in' as Direction,
      plate: 'X1',
      permit: permit({ veh: { plate: 'Y1', type: 'car' } }),
    };
    expect(run(both).decision).toBe('REVIEW');
    expect(run({ ...both, checkpoint: checkpoint({}, { antiPassback: 'deny' }) }).decision).toBe('DENY');
  });
});

describe('spec/policy.md steps 1 and 4 through the scan pipeline', () => {
  const issuer = makeIssuer();
  const other = makeIssuer();
  const trust = makeTrust([
    { issuer },
    { issuer: other, iss: '01-009', validFrom: T0S - 100 * DAY, validTo: T0S - 50 * DAY, kinds: ['goods'] },
  ]);
  // The issuer's key signs, but the header names the other trusted key.
  const forged = () =>
    issuePermit(permitClaims(), issuer.privateKey, {
      protectedHeader: new Map<number, unknown>([
        [1, -7],
        [4, other.kid],
      ]),
    });
  const strictCp = checkpoint({}, { health: { required: true }, curfew: ['00:00', '00:00'] });
  const session = (cp = strictCp) => {
    const history = new MemoryHistory();
    return (text: string, now = T0, direction: Direction = 'in') => {
      const j = judgeScan({ text, now, direction }, { checkpoint: cp, trust, history });
      history.record(j, now, direction, cp.checkpoint.area);
      return j;
    };
  };

  it.each<[string, () => string, ReasonCode]>([
    ['broken base45', () => `${makePermit(issuer).slice(0, -2)}~~`, 'FORMAT_INVALID'],
    ['signed by one key, naming another', () => forged(), 'SIGNATURE_INVALID'],
    ['an unknown key', () => makePermit(makeIssuer()), 'UNKNOWN_ISSUER'],
    ['issued after the key expired', () => makePermit(other, {}, { k: 'goods' }), 'ISSUER_NOT_VALID'],
    [
      'a kind the key may not issue',
      () => makePermit(other, { iat: T0S - 60 * DAY }, { k: 'travel' }),
      'ISSUER_NOT_ALLOWED',
    ],
  ])('%s: DENY with exactly %s, no policy reason after it', (_name, make, reason) => {
    const j = session()(make());
    expect(j).toMatchObject({ decision: 'DENY', reasons: [reason], permit: null });
  });

  it('no known prefix: REVIEW with UNRECOGNISED only', () => {
    expect(session()('https://example.com/qr')).toMatchObject({
      decision: 'REVIEW',
      reasons: ['UNRECOGNISED'],
    });
  });

  it('duplicates: the earlier verdict with DUPLICATE_SCAN, at the window edge and past it', () => {
    const cp = checkpoint({}, { duplicateWindowSeconds: 30 });
    const scan = session(cp);
    const text = makePermit(issuer);
    expect(scan(text).decision).toBe('ALLOW');
    const dup = scan(text, T0 + 30_000);
    expect(dup).toMatchObject({ decision: 'ALLOW', reasons: ['DUPLICATE_SCAN'] });
    expect(dup.duplicateOf?.passageId).toBe(1);
    // A duplicate is not a passage: past the window the anti-passback sees only the first entry.
    expect(scan(text, T0 + 30_001)).toMatchObject({ decision: 'REVIEW', reasons: ['ALREADY_INSIDE'] });
  });

  it('plate normalisation: upper case, spaces, dots and hyphens removed', () => {
    expect(normalisePlate('29A-123.45')).toBe('29A12345');
    expect(normalisePlate(' 29-b1 123.45 ')).toBe('29B112345');
    expect(normalisePlate('80ng-123.45')).toBe('80NG12345');
  });
});
