// spec/permit-format.md §3: an authentic certificate is judged on its content, never refused as
// FORMAT_INVALID for its age or shape (every schema version, null for absent groups, a birth date with
// a time or only a year, several entries of one kind judged by the newest); a signer whose extended key
// usage names DCC types may sign only those. Each certificate here is validly signed.
import { describe, expect, it } from 'vitest';
import { verifyHc1 } from '../../src/formats/hc1.js';
import { judgeHc1 } from '../../src/lane/judge-health.js';
import {
  dccTrust,
  makeHc1,
  makeSigner,
  NAM,
  NOW,
  negativeTest,
  recovery,
  vaccination,
} from './dcc-fixtures.js';

const es = makeSigner();
const RULE = { testHours: 72, vaccinationDays: 14, recoveryDays: 180 };
const trust = dccTrust(es);

const verify = (hcert: unknown, t = trust) => verifyHc1(makeHc1(es, hcert), t);
const judge = (hcert: unknown) =>
  judgeHc1(makeHc1(es, hcert), { trust, health: RULE, now: NOW, toleranceSeconds: 300 });
const entriesOf = (c: Record<string, unknown>, g: 'v' | 't' | 'r') => c[g] as Record<string, unknown>[];

/** A vaccination entry of the fixture with these fields changed. */
const dose = (over: Record<string, unknown>) => ({ ...entriesOf(vaccination(), 'v')[0], ...over });
const sample = (over: Record<string, unknown>) => ({ ...entriesOf(negativeTest(), 't')[0], ...over });
const positive = (fr: string) => ({ ...entriesOf(recovery(), 'r')[0], fr });

describe('every released schema version and its ways of writing', () => {
  it.each(['1.0.0', '1.0.4', '1.1.0', '1.2.1', '1.3.0', '1.3.2'])('ver %s', (ver) => {
    for (const c of [vaccination(), negativeTest(), recovery()]) {
      expect(verify({ ...c, ver })).toMatchObject({ ok: true });
    }
  });

  it('schema 1.0.0 as its generators wrote it: absent groups and optional fields as null, dob with a time', () => {
    const v100 = {
      ver: '1.0.0',
      nam: { fn: null, fnt: 'NGUYEN', gn: 'Thị Hằng', gnt: 'THI<HANG' },
      dob: '1985-11-18T00:00:00',
      v: entriesOf(vaccination(), 'v'),
      t: null,
      r: null,
    };
    const r = verify(v100);
    expect(r).toMatchObject({ ok: true, dcc: { cert: { dob: '1985-11-18', nam: { fn: null } } } });
    expect(judge(v100)).toMatchObject({ decision: 'ALLOW' });
    const t100 = {
      ...v100,
      v: null,
      t: [sample({ nm: null, ma: null, tc: null, dr: '2021-09-09T10:00:00Z' })],
    };
    expect(judge(t100)).toMatchObject({ decision: 'ALLOW' });
    const r100 = { ...v100, v: null, r: [{ ...positive('2021-07-01'), df: null, du: null }] };
    expect(judge(r100)).toMatchObject({ decision: 'ALLOW' });
  });

  it.each([
    ['1985-11-18T00:00:00Z', '1985-11-18'],
    ['1985-11-18 00:00:00', '1985-11-18'],
    ['1985-11', '1985-11'],
    ['1985', '1985'],
    ['', ''],
    [new Date('1985-11-18T00:00:00Z'), '1985-11-18'],
  ])('date of birth %j is read as %j', (dob, read) => {
    expect(verify({ ...vaccination(), dob })).toMatchObject({ ok: true, dcc: { cert: { dob: read } } });
  });

  it('an empty group states nothing, like an absent one', () => {
    expect(verify({ ...vaccination(), t: [], r: null })).toMatchObject({ ok: true });
  });

  it('still FORMAT_INVALID: no entry at all, or entries of two kinds (the EU rule)', () => {
    for (const c of [
      { ver: '1.0.0', nam: NAM, dob: '1985-11-18', v: null, t: null, r: null },
      { ...vaccination(), t: entriesOf(negativeTest(), 't') },
      { ...negativeTest(), r: entriesOf(recovery(), 'r') },
      { ...vaccination(), dob: '18/11/1985' },
      { ...vaccination(), dob: null },
    ]) {
      expect(verify(c), JSON.stringify(c).slice(0, 90)).toMatchObject({
        ok: false,
        reason: 'FORMAT_INVALID',
      });
    }
  });
});

describe('several entries of one kind: the newest is judged', () => {
  const first = dose({ dn: 1, sd: 2, dt: '2021-06-01' });
  const second = dose({ dn: 2, sd: 2, dt: '2021-07-01' });

  it('vaccinations by date, whatever their order', () => {
    for (const v of [
      [first, second],
      [second, first],
    ]) {
      const j = judge({ ...vaccination(), v });
      expect(j).toMatchObject({ decision: 'ALLOW', dcc: { cert: { entry: { dn: 2, dt: '2021-07-01' } } } });
    }
    // A later first dose of a new series: the newest is incomplete.
    const restart = dose({ dn: 1, sd: 2, dt: '2021-08-20' });
    expect(judge({ ...vaccination(), v: [second, restart] })).toMatchObject({
      decision: 'DENY',
      reasons: ['HEALTH_PROOF_INVALID'],
      detail: 'vaccination not complete (dose 1 of 2)',
    });
  });

  it('vaccinations of one date: the higher dose', () => {
    const same = [dose({ dn: 2, sd: 2, dt: '2021-07-01' }), dose({ dn: 1, sd: 2, dt: '2021-07-01' })];
    expect(judge({ ...vaccination(), v: same })).toMatchObject({ dcc: { cert: { entry: { dn: 2 } } } });
  });

  it('tests by sample time: a newer positive test is not hidden by an older negative one', () => {
    const older = sample({ sc: '2021-09-08T08:00:00+07:00' });
    const newer = sample({ sc: '2021-09-09T20:00:00+07:00' });
    const positiveNewer = { ...newer, tr: '260373001' };
    expect(judge({ ...negativeTest(), t: [positiveNewer, older] })).toMatchObject({
      decision: 'DENY',
      reasons: ['HEALTH_PROOF_INVALID'],
    });
    expect(judge({ ...negativeTest(), t: [{ ...older, tr: '260373001' }, newer] })).toMatchObject({
      decision: 'ALLOW',
      dcc: { cert: { entry: { sc: Date.parse('2021-09-09T20:00:00+07:00') } } },
    });
  });

  it('recoveries by first positive test', () => {
    const old = positive('2020-10-01');
    const recent = positive('2021-07-01');
    expect(judge({ ...recovery(), r: [recent, old] })).toMatchObject({
      decision: 'ALLOW',
      dcc: { cert: { entry: { fr: '2021-07-01' } } },
    });
  });
});

describe('a signer limited by its extended key usage', () => {
  const ORG = '1.3.6.1.4.1.1847.2021.1';
  const ORG0 = '1.3.6.1.4.1.0.1847.2021.1';
  const cases: [string, string[], Record<string, boolean>][] = [
    ['test only', [`${ORG}.1`], { test: true, vaccination: false, recovery: false }],
    ['vaccination only', [`${ORG}.2`], { test: false, vaccination: true, recovery: false }],
    ['recovery only', [`${ORG}.3`], { test: false, vaccination: false, recovery: true }],
    ['test only, .0 variant', [`${ORG0}.1`], { test: true, vaccination: false, recovery: false }],
    ['vaccination only, .0 variant', [`${ORG0}.2`], { test: false, vaccination: true, recovery: false }],
    ['recovery only, .0 variant', [`${ORG0}.3`], { test: false, vaccination: false, recovery: true }],
    [
      'test and recovery, mixed forms',
      [`${ORG}.1`, `${ORG0}.3`],
      { test: true, vaccination: false, recovery: true },
    ],
    [
      'no DCC usage named (serverAuth only)',
      ['1.3.6.1.5.5.7.3.1'],
      { test: true, vaccination: true, recovery: true },
    ],
  ];
  const certs = { test: negativeTest(), vaccination: vaccination(), recovery: recovery() };

  it.each(cases)('%s', (_name, usageOids, allowed) => {
    const signer = makeSigner({ usageOids });
    const t = dccTrust(signer);
    for (const [type, ok] of Object.entries(allowed)) {
      const r = verifyHc1(makeHc1(signer, certs[type as keyof typeof certs]), t);
      expect(r.ok ? 'OK' : r.reason, type).toBe(ok ? 'OK' : 'SIGNATURE_INVALID');
    }
  });

  it('several entries of an allowed kind are still that kind', () => {
    const signer = makeSigner({ usageOids: [`${ORG0}.2`] });
    const v = [dose({ dn: 1, dt: '2021-06-01' }), dose({ dn: 2, dt: '2021-07-01' })];
    expect(verifyHc1(makeHc1(signer, { ...vaccination(), v }), dccTrust(signer))).toMatchObject({ ok: true });
  });
});
