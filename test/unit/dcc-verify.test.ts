// HC1 decode and verify (src/formats/hc1.ts) and the verdict of a certificate on its own
// (src/lane/judge-health.ts): every failure code with an input that only a wrong implementation would pass.
import { deflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../src/formats/base45.js';
import { cborEncode } from '../../src/formats/cbor.js';
import { verifyHc1 } from '../../src/formats/hc1.js';
import { dccSigners } from '../../src/formats/hc1-signers.js';
import { judgeHc1 } from '../../src/lane/judge-health.js';
import {
  dccTrust,
  makeHc1,
  makeSigner,
  NAM,
  NOW,
  negativeTest,
  recovery,
  type Signer,
  vaccination,
} from './dcc-fixtures.js';

const es = makeSigner();
const rsa = makeSigner({ rsa: true });
const testOnly = makeSigner({ usages: ['test'] });
const stranger = makeSigner();
const trust = dccTrust(es, rsa, testOnly);
const RULE = { testHours: 72, vaccinationDays: 14, recoveryDays: 180 };

function verdict(text: string, now = NOW) {
  return judgeHc1(text, { trust, health: RULE, now, toleranceSeconds: 300 });
}
const reason = (text: string): string => {
  const r = verifyHc1(text, trust);
  return r.ok ? 'OK' : r.reason;
};

describe('verifyHc1: authentic certificates', () => {
  it('ES256 tagged, untagged and inside the CWT tag; PS256; kid in either header', () => {
    for (const text of [
      makeHc1(es, vaccination()),
      makeHc1(es, vaccination(), { tag: 'none' }),
      makeHc1(es, vaccination(), { tag: 'cwt+cose' }),
      makeHc1(es, vaccination(), { kidIn: 'unprotected' }),
      makeHc1(rsa, negativeTest()),
      `${makeHc1(es, recovery())}\r\n`,
    ]) {
      const r = verifyHc1(text, trust);
      expect(r, text.slice(0, 30)).toMatchObject({ ok: true, dcc: { country: 'VN' } });
    }
    const r = verifyHc1(makeHc1(es, vaccination()), trust);
    expect(r.ok && r.dcc.cert).toEqual({
      ver: '1.3.0',
      nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Hằng', gnt: 'THI<HANG' },
      dob: '1985-11-18',
      entry: { type: 'vaccination', dn: 2, sd: 2, dt: '2021-08-01', co: 'VN' },
    });
  });

  it('without claim 1 the country is the trust-list entry’s', () => {
    const r = verifyHc1(makeHc1(es, vaccination(), { iss: undefined }), trust);
    expect(r.ok && r.dcc.country).toBe('VN');
    const at = verifyHc1(makeHc1(es, vaccination(), { iss: 'AT' }), trust);
    expect(at.ok && at.dcc.country).toBe('AT');
  });
});

describe('verifyHc1: FORMAT_INVALID', () => {
  const signed = makeHc1(es, vaccination());
  it('prefix, base45, zlib, CBOR and COSE shape', () => {
    expect(reason(signed.replace('HC1:', 'HC2:'))).toBe('FORMAT_INVALID');
    expect(reason(`${signed.slice(0, 40)}=${signed.slice(41)}`)).toBe('FORMAT_INVALID');
    expect(reason(`${signed} `)).toBe('FORMAT_INVALID');
    // Uncompressed, validly signed: the suite's Z2 says decompression must fail, no fallback.
    expect(reason(makeHc1(es, vaccination(), { compress: false }))).toBe('FORMAT_INVALID');
    expect(reason(`HC1:${base45Encode(deflateSync(Buffer.from([0xff, 0x00])))}`)).toBe('FORMAT_INVALID');
    expect(reason(`HC1:${base45Encode(deflateSync(cborEncode(new Tag([1, 2, 3], 18))))}`)).toBe(
      'FORMAT_INVALID',
    );
    expect(reason(`HC1:${base45Encode(deflateSync(cborEncode(new Tag([], 98))))}`)).toBe('FORMAT_INVALID');
    expect(reason('HC1:')).toBe('FORMAT_INVALID');
  });

  it('a zip bomb is refused before it is inflated past the bound', () => {
    const bomb = `HC1:${base45Encode(deflateSync(Buffer.alloc(10_000_000)))}`;
    expect(bomb.length).toBeLessThan(32_768);
    expect(reason(bomb)).toBe('FORMAT_INVALID');
  });

  it('authentic but not a certificate: each is validly signed, so skipping the check would ALLOW it', () => {
    const bad = [
      { ...vaccination(), t: negativeTest().t }, // two kinds of statement
      { ...vaccination(), v: null }, // no statement
      { ...vaccination(), nam: { ...NAM, fnt: 'Nguyen' } }, // not ICAO transliteration
      { ...vaccination(), nam: { fn: 'Nguyễn' } }, // fnt missing
      vaccination({ dt: '2021-02-30' }),
      negativeTest({ sc: '2021-09-09T08:00:00' }), // no time zone: depends on the machine's
      vaccination({ dn: '2' }),
      { ...vaccination(), dob: '18/11/1985' },
      { ...vaccination(), ver: undefined },
    ];
    for (const hcert of bad) {
      expect(reason(makeHc1(es, hcert)), JSON.stringify(hcert).slice(0, 80)).toBe('FORMAT_INVALID');
    }
    // Claims: no -260, an exp that is not a NumericDate.
    expect(
      reason(
        makeHc1(es, null, {
          claims: new Map<number, unknown>([
            [4, 1],
            [6, 1],
          ]),
        }),
      ),
    ).toBe('FORMAT_INVALID');
    const claims = new Map<number, unknown>([
      [4, 'soon'],
      [6, 1],
      [-260, new Map([[1, vaccination()]])],
    ]);
    expect(reason(makeHc1(es, null, { claims }))).toBe('FORMAT_INVALID');
  });
});

describe('verifyHc1: UNKNOWN_ISSUER and SIGNATURE_INVALID', () => {
  it('an unlisted signer, a missing kid, and the protected kid winning over the unprotected one', () => {
    expect(reason(makeHc1(stranger, vaccination()))).toBe('UNKNOWN_ISSUER');
    expect(reason(makeHc1(es, vaccination(), { kidIn: 'none' }))).toBe('UNKNOWN_ISSUER');
    // A known kid in the unprotected header must not rescue an unknown protected one (suite CO22)...
    expect(reason(makeHc1(es, vaccination(), { kid: stranger.kid, unprotectedKid: es.kid }))).toBe(
      'UNKNOWN_ISSUER',
    );
    // ...and a wrong unprotected kid does not spoil a right protected one (CO21).
    expect(reason(makeHc1(es, vaccination(), { unprotectedKid: stranger.kid }))).toBe('OK');
  });

  it('a forged signature under a trusted kid; a tampered payload', () => {
    expect(reason(makeHc1(es, vaccination(), { signWith: stranger.privateKey }))).toBe('SIGNATURE_INVALID');
    const tampered = makeHc1(es, vaccination(), {
      tamper: (cose) => {
        const i = cose.indexOf(Buffer.from('NGUYEN'));
        const copy = Buffer.from(cose);
        copy[i] = 'M'.charCodeAt(0);
        return copy;
      },
    });
    expect(reason(tampered)).toBe('SIGNATURE_INVALID');
    for (const change of [
      (s: Buffer) => s.subarray(0, 63),
      (s: Buffer) => Buffer.concat([s, s]),
      () => Buffer.alloc(0),
    ]) {
      expect(reason(makeHc1(es, vaccination(), { signature: change }))).toBe('SIGNATURE_INVALID');
      expect(reason(makeHc1(rsa, vaccination(), { signature: change }))).toBe('SIGNATURE_INVALID');
    }
  });

  it('alg: missing, unsupported, or not the key’s (no algorithm confusion)', () => {
    expect(reason(makeHc1(es, vaccination(), { alg: undefined }))).toBe('SIGNATURE_INVALID');
    expect(reason(makeHc1(es, vaccination(), { alg: -35 }))).toBe('SIGNATURE_INVALID');
    expect(reason(makeHc1(es, vaccination(), { alg: -37 }))).toBe('SIGNATURE_INVALID');
    expect(reason(makeHc1(rsa, vaccination(), { alg: -7 }))).toBe('SIGNATURE_INVALID');
    // PS256 means PSS: a PKCS#1 v1.5 signature by the right key is not one.
    expect(reason(makeHc1(rsa, vaccination(), { rsaPkcs1: true }))).toBe('SIGNATURE_INVALID');
  });

  it('a signer whose key usage is tests only cannot vouch for a vaccination or a recovery', () => {
    expect(reason(makeHc1(testOnly, negativeTest()))).toBe('OK');
    expect(reason(makeHc1(testOnly, vaccination()))).toBe('SIGNATURE_INVALID');
    expect(reason(makeHc1(testOnly, recovery()))).toBe('SIGNATURE_INVALID');
  });

  it('a trust-list certificate that cannot be used is left out and named, not a crash', () => {
    const broken: Signer = { ...es, cert: Buffer.from('not a certificate') };
    const t = dccTrust(broken);
    expect(dccSigners(t).problems).toHaveLength(1);
    expect(verifyHc1(makeHc1(es, vaccination()), t)).toMatchObject({ ok: false, reason: 'UNKNOWN_ISSUER' });
  });
});

describe('judgeHc1: the verdict of a certificate on its own', () => {
  it('ALLOW when authentic, unexpired and meeting the rule', () => {
    expect(verdict(makeHc1(es, vaccination()))).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(verdict(makeHc1(rsa, negativeTest()))).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(verdict(makeHc1(es, recovery()))).toMatchObject({ decision: 'ALLOW', reasons: [] });
  });

  it('EXPIRED after exp (exp itself still valid, as the EU suite validates), before the health rule', () => {
    const exp = NOW / 1000;
    expect(verdict(makeHc1(es, vaccination(), { exp }), NOW)).toMatchObject({ decision: 'ALLOW' });
    expect(verdict(makeHc1(es, vaccination(), { exp }), NOW + 1000)).toMatchObject({
      decision: 'DENY',
      reasons: ['EXPIRED'],
    });
    // Expired and also failing the rule: exactly one reason, EXPIRED.
    expect(verdict(makeHc1(es, vaccination({ dn: 1 }), { exp: exp - 1 }))).toMatchObject({
      reasons: ['EXPIRED'],
    });
  });

  it('issued in the future beyond the tolerance: HEALTH_PROOF_INVALID; within it: ALLOW', () => {
    const iat = NOW / 1000;
    expect(verdict(makeHc1(es, vaccination(), { iat: iat + 300 }))).toMatchObject({ decision: 'ALLOW' });
    expect(verdict(makeHc1(es, vaccination(), { iat: iat + 301 }))).toMatchObject({
      decision: 'DENY',
      reasons: ['HEALTH_PROOF_INVALID'],
    });
  });

  it('authentic but not meeting the rule: HEALTH_PROOF_INVALID with the certificate kept', () => {
    const j = verdict(makeHc1(es, negativeTest({ tr: '260373001' })));
    expect(j).toMatchObject({ decision: 'DENY', reasons: ['HEALTH_PROOF_INVALID'] });
    expect(j.dcc?.cert.nam.fnt).toBe('NGUYEN');
    expect(j.detail).toMatch(/not negative/);
  });

  it('the failures before the content carry no certificate', () => {
    for (const [text, code] of [
      [makeHc1(stranger, vaccination()), 'UNKNOWN_ISSUER'],
      [makeHc1(es, vaccination(), { signWith: stranger.privateKey }), 'SIGNATURE_INVALID'],
      ['HC1:%%%', 'FORMAT_INVALID'],
    ] as const) {
      expect(verdict(text)).toMatchObject({ decision: 'DENY', reasons: [code], dcc: null });
    }
  });
});
