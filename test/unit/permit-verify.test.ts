import { deflateSync, inflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kidOf } from '../../src/contract/keys.js';
import { base45Decode, base45Encode } from '../../src/formats/base45.js';
import { cborDecode, cborEncode } from '../../src/formats/cbor.js';
import { permitHash, verifyPermit } from '../../src/formats/vnp1.js';
import { claimsToMap, issuePermit, packVnp1, signCose } from '../../src/formats/vnp1-issue.js';
import { makeIssuer, makePermit, makeTrust, permitClaims, T0S } from '../fixtures/permits.js';

const issuer = makeIssuer();
const stranger = makeIssuer();
const trust = makeTrust([{ issuer }]);

function reason(text: string, t = trust): string {
  const r = verifyPermit(text, t);
  return r.ok ? 'OK' : r.reason;
}

/** Unpacks a VNP1 text to its COSE array, lets the test change it, and packs it again validly. */
function repack(text: string, mutate: (sign1: unknown[]) => unknown): string {
  const cose = cborDecode(inflateSync(base45Decode(text.slice(5)))) as Tag;
  const sign1 = cose.value as unknown[];
  return packVnp1(cborEncode(mutate(sign1) ?? cose));
}

/** Signs an arbitrary claims map with the trusted issuer. */
function signClaims(claims: Map<number, unknown>): string {
  return packVnp1(signCose(cborEncode(claims), issuer.privateKey));
}

describe('verifyPermit: a good permit', () => {
  it('verifies and returns the claims, hash and issuer', () => {
    const r = verifyPermit(makePermit(issuer), trust);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.permit.iss).toBe('01-009');
    expect(r.permit.cti).toBe('TX-2021-000123');
    expect(r.permit.hash).toBe(permitHash('01-009', 'TX-2021-000123'));
    expect(r.permit.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.permit.nbf).toBe(r.permit.iat); // nbf defaults to iat
    expect(r.permit.kid).toBe(issuer.kid.toString('base64'));
    expect(r.permit.issuerName).toBe('Công an quận Thanh Xuân');
    expect(r.permit.permit.areas).toEqual(['01-009', '01-006']);
  });

  it('accepts trailing CR/LF, nothing else', () => {
    const text = makePermit(issuer);
    expect(reason(`${text}\r\n`)).toBe('OK');
    expect(reason(`${text}\n`)).toBe('OK');
    expect(reason(`${text}\t`)).toBe('FORMAT_INVALID');
    expect(reason(`${text.slice(0, 20)}a${text.slice(21)}`)).toBe('FORMAT_INVALID');
  });

  it('normalises names to NFC', () => {
    const nfd = 'Nguyễn Thị Hằng'.normalize('NFD');
    const r = verifyPermit(makePermit(issuer, {}, { nam: nfd }), trust);
    expect(r.ok && r.permit.permit.nam).toBe('Nguyễn Thị Hằng'.normalize('NFC'));
  });

  it('keeps an explicit nbf and optional fields', () => {
    const text = makePermit(
      issuer,
      { nbf: T0S + 100 },
      { veh: { plate: '29A-123.45', type: 'car' }, hours: ['06:00', '18:00'], dob: '1985-01-02', org: 'EVN' },
    );
    const r = verifyPermit(text, trust);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.permit.nbf).toBe(T0S + 100);
    expect(r.permit.permit.veh).toEqual({ plate: '29A-123.45', type: 'car' });
    expect(r.permit.permit.hours).toEqual(['06:00', '18:00']);
  });
});

describe('verifyPermit: transport failures are FORMAT_INVALID', () => {
  it('a truncated code', () => {
    const text = makePermit(issuer);
    expect(reason(text.slice(0, -1))).toBe('FORMAT_INVALID'); // base45 length
    expect(reason(text.slice(0, -3))).toBe('FORMAT_INVALID'); // valid base45, truncated zlib
    expect(reason(text.slice(0, 40))).toBe('FORMAT_INVALID');
    expect(reason('VNP1:')).toBe('FORMAT_INVALID');
  });

  it('binary garbage and bad base45 characters', () => {
    expect(reason('VNP1:\u0000\u0001\u00ff garbage')).toBe('FORMAT_INVALID');
    expect(reason('VNP1:abc')).toBe('FORMAT_INVALID');
    expect(reason('VNP1:NCF_OXN')).toBe('FORMAT_INVALID');
    expect(reason(`VNP1:${'A'.repeat(100_000)}`)).toBe('FORMAT_INVALID');
  });

  it('a payload that is not zlib (raw CBOR, no fallback)', () => {
    const cose = signCose(cborEncode(claimsToMap(permitClaims())), issuer.privateKey);
    expect(reason(`VNP1:${base45Encode(cose)}`)).toBe('FORMAT_INVALID');
  });

  it('a zip bomb over 16 KiB, while just under the limit passes', () => {
    // The padding stands in a key the permit rules ignore (unknown keys are forward compatibility).
    const padded = (n: number) => {
      const m = claimsToMap(permitClaims());
      (m.get(-261) as Map<string, unknown>).set('zz', 'A'.repeat(n));
      return signClaims(m);
    };
    const big = padded(17_000);
    expect(big.length).toBeLessThan(1000); // compresses well: only the inflated size refuses it
    expect(reason(big)).toBe('FORMAT_INVALID');
    expect(reason(padded(15_000))).toBe('OK');
  });

  it('zlib data that is not a COSE_Sign1', () => {
    expect(reason(`VNP1:${base45Encode(deflateSync(Buffer.from([0xff, 0x00])))}`)).toBe('FORMAT_INVALID');
    expect(reason(`VNP1:${base45Encode(deflateSync(cborEncode([1, 2, 3])))}`)).toBe('FORMAT_INVALID');
    expect(reason(`VNP1:${base45Encode(deflateSync(cborEncode(new Tag([], 18))))}`)).toBe('FORMAT_INVALID');
    const wrongTag = repack(makePermit(issuer), (s) => new Tag(s, 98));
    expect(reason(wrongTag)).toBe('FORMAT_INVALID');
  });

  it('accepts an untagged COSE_Sign1', () => {
    const text = issuePermit(permitClaims(), issuer.privateKey, { tagged: false });
    expect(reason(text)).toBe('OK');
    expect(inflateSync(base45Decode(text.slice(5)))[0]).toBe(0x84); // really an untagged array
  });
});

describe('verifyPermit: signature and algorithm', () => {
  it('a tampered payload byte is SIGNATURE_INVALID', () => {
    const text = repack(makePermit(issuer), (s) => {
      const payload = Buffer.from(s[2] as Buffer);
      const at = payload.indexOf('work');
      payload.write('WORK', at); // still valid CBOR, still valid claims: only the signature can tell
      s[2] = payload;
    });
    expect(reason(text)).toBe('SIGNATURE_INVALID');
  });

  it('a tampered payload that no longer parses is still SIGNATURE_INVALID (signature first)', () => {
    const text = repack(makePermit(issuer), (s) => {
      s[2] = Buffer.concat([s[2] as Buffer, Buffer.from([0xff])]);
    });
    expect(reason(text)).toBe('SIGNATURE_INVALID');
  });

  it('a signature by another key under a trusted kid', () => {
    const text = issuePermit(permitClaims(), stranger.privateKey, {
      protectedHeader: new Map<number, unknown>([
        [1, -7],
        [4, issuer.kid],
      ]),
    });
    expect(reason(text)).toBe('SIGNATURE_INVALID');
  });

  it('a signature that is not 64 bytes', () => {
    const text = repack(makePermit(issuer), (s) => {
      s[3] = (s[3] as Buffer).subarray(0, 63);
    });
    expect(reason(text)).toBe('SIGNATURE_INVALID');
  });

  it('any alg other than ES256, or none, is SIGNATURE_INVALID', () => {
    const kid = issuer.kid;
    const withHeader = (h: Map<number, unknown>, u = new Map<number, unknown>()) =>
      issuePermit(permitClaims(), issuer.privateKey, { protectedHeader: h, unprotected: u });
    expect(
      reason(
        withHeader(
          new Map<number, unknown>([
            [1, -35],
            [4, kid],
          ]),
        ),
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(
      reason(
        withHeader(
          new Map<number, unknown>([
            [1, -37],
            [4, kid],
          ]),
        ),
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(
      reason(
        withHeader(
          new Map<number, unknown>([
            [1, 'ES256'],
            [4, kid],
          ]),
        ),
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(reason(withHeader(new Map<number, unknown>([[4, kid]])))).toBe('SIGNATURE_INVALID');
    // alg only in the unprotected header does not count
    expect(reason(withHeader(new Map<number, unknown>([[4, kid]]), new Map([[1, -7]])))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(
      reason(
        withHeader(
          new Map(),
          new Map<number, unknown>([
            [1, -7],
            [4, kid],
          ]),
        ),
      ),
    ).toBe('SIGNATURE_INVALID');
  });

  it('kid in the unprotected header only is accepted; the protected one wins when both', () => {
    const opts = (p: Map<number, unknown>, u: Map<number, unknown>) =>
      issuePermit(permitClaims(), issuer.privateKey, { protectedHeader: p, unprotected: u });
    expect(reason(opts(new Map([[1, -7]]), new Map([[4, issuer.kid]])))).toBe('OK');
    expect(
      reason(
        opts(
          new Map<number, unknown>([
            [1, -7],
            [4, issuer.kid],
          ]),
          new Map([[4, stranger.kid]]),
        ),
      ),
    ).toBe('OK');
    expect(
      reason(
        opts(
          new Map<number, unknown>([
            [1, -7],
            [4, stranger.kid],
          ]),
          new Map([[4, issuer.kid]]),
        ),
      ),
    ).toBe('UNKNOWN_ISSUER');
    expect(reason(opts(new Map([[1, -7]]), new Map()))).toBe('UNKNOWN_ISSUER');
    expect(
      reason(
        opts(
          new Map<number, unknown>([
            [1, -7],
            [4, 'kid-as-text'],
          ]),
          new Map(),
        ),
      ),
    ).toBe('FORMAT_INVALID');
  });

  // The bits after deflate's end-of-block code, up to the byte's end, are padding that inflate ignores,
  // so a few mutations of that one byte give back the very same signed bytes: the same permit, not a
  // forgery. Every other mutation must fail.
  it('mutating any character of a valid permit never verifies anything but the same signed bytes', () => {
    const text = makePermit(issuer);
    const signed = (t: string) => inflateSync(base45Decode(t.slice(5)));
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    fc.assert(
      fc.property(fc.integer({ min: 5, max: text.length - 1 }), fc.integer({ min: 0, max: 44 }), (i, c) => {
        const ch = alphabet[c] as string;
        fc.pre(ch !== text[i]);
        const mutated = text.slice(0, i) + ch + text.slice(i + 1);
        if (verifyPermit(mutated, trust).ok) expect(signed(mutated).equals(signed(text))).toBe(true);
      }),
      { numRuns: 300, seed: 300 },
    );
  });
});

describe('verifyPermit: claims', () => {
  it('a missing required field is FORMAT_INVALID', () => {
    for (const key of [1, 4, 6, 7, -261]) {
      const m = claimsToMap(permitClaims());
      m.delete(key);
      expect(reason(signClaims(m)), `claim ${key}`).toBe('FORMAT_INVALID');
    }
    for (const key of ['v', 'k', 'nam', 'idn', 'pur', 'areas']) {
      const m = claimsToMap(permitClaims());
      (m.get(-261) as Map<string, unknown>).delete(key);
      expect(reason(signClaims(m)), `permit.${key}`).toBe('FORMAT_INVALID');
    }
  });

  it('a wrong type is FORMAT_INVALID', () => {
    const cases: [number | string, unknown][] = [
      [4, String(T0S)],
      [6, 1.5],
      [1, 9],
      [7, Buffer.from('x')],
      ['areas', '01-009'],
      ['areas', ['01-009', 7]],
      ['nam', 42],
      ['v', '1'],
      ['v', 2],
      ['hours', ['6:00', '18:00']],
      ['hours', ['06:00']],
      ['veh', 'car'],
      ['veh', new Map([['type', 'car']])],
      ['home', 1],
    ];
    for (const [key, value] of cases) {
      const m = claimsToMap(permitClaims());
      if (typeof key === 'number') m.set(key, value);
      else (m.get(-261) as Map<string, unknown>).set(key, value);
      expect(reason(signClaims(m)), `${key}=${String(value)}`).toBe('FORMAT_INVALID');
    }
  });

  it('unknown keys are ignored', () => {
    const m = claimsToMap(permitClaims());
    m.set(99, 'future');
    (m.get(-261) as Map<string, unknown>).set('zz', { a: 1 });
    expect(reason(signClaims(m))).toBe('OK');
  });

  it('a payload that is not a map is FORMAT_INVALID', () => {
    expect(reason(packVnp1(signCose(cborEncode([1, 2]), issuer.privateKey)))).toBe('FORMAT_INVALID');
    expect(reason(packVnp1(signCose(Buffer.from([0xff]), issuer.privateKey)))).toBe('FORMAT_INVALID');
  });
});

describe('verifyPermit: trust list', () => {
  it('an unknown kid is UNKNOWN_ISSUER, even with broken claims', () => {
    expect(reason(makePermit(stranger))).toBe('UNKNOWN_ISSUER');
    const m = claimsToMap(permitClaims());
    m.delete(7);
    expect(reason(packVnp1(signCose(cborEncode(m), stranger.privateKey)))).toBe('UNKNOWN_ISSUER');
  });

  it('a kid listed with a different iss is SIGNATURE_INVALID', () => {
    const t = makeTrust([{ issuer, iss: '01-004' }]);
    expect(reason(makePermit(issuer), t)).toBe('SIGNATURE_INVALID');
    expect(reason(makePermit(issuer, { iss: '01-004' }), t)).toBe('OK');
  });

  it('iat outside validFrom..validTo is ISSUER_NOT_VALID (bounds inclusive)', () => {
    const t = makeTrust([{ issuer, validFrom: T0S - 10, validTo: T0S + 10 }]);
    const at = (iat: number) => reason(makePermit(issuer, { iat, exp: iat + 86_400 }), t);
    expect(at(T0S - 11)).toBe('ISSUER_NOT_VALID');
    expect(at(T0S - 10)).toBe('OK');
    expect(at(T0S + 10)).toBe('OK');
    expect(at(T0S + 11)).toBe('ISSUER_NOT_VALID');
  });

  it('a kind the issuer may not issue is ISSUER_NOT_ALLOWED', () => {
    const t = makeTrust([{ issuer, kinds: ['goods'] }]);
    expect(reason(makePermit(issuer), t)).toBe('ISSUER_NOT_ALLOWED');
    expect(reason(makePermit(issuer, {}, { k: 'goods' }), t)).toBe('OK');
  });

  it('trust list lookups use the key-derived kid', () => {
    expect(kidOf(issuer.privateKey).equals(issuer.kid)).toBe(true);
    expect(issuer.kid.length).toBe(8);
  });
});
