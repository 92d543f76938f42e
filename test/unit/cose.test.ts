// The one COSE_Sign1 implementation (src/formats/cose.ts) that VNP1 and HC1 share: the tags each
// format allows, the header precedence, and the signature forms it accepts.
import { generateKeyPairSync } from 'node:crypto';
import { Tag } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { cborEncode } from '../../src/formats/cbor.js';
import {
  CoseError,
  headerParam,
  parseCoseSign1,
  signatureHolds,
  signEs256,
  sigStructure,
} from '../../src/formats/cose.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const protectedBytes = cborEncode(new Map([[1, -7]]));
const payload = cborEncode(new Map([[1, 'x']]));
const signature = signEs256(protectedBytes, payload, ec.privateKey);
const sign1 = [protectedBytes, new Map([[4, Buffer.from('unprot')]]), payload, signature];

function fails(bytes: Buffer, tags: number[]): string {
  try {
    parseCoseSign1(bytes, tags);
    return 'OK';
  } catch (err) {
    return err instanceof CoseError ? err.step : 'other';
  }
}

describe('parseCoseSign1', () => {
  it('each listed tag is optional, in its order, at most once; any other tag is refused', () => {
    const bare = cborEncode(sign1);
    const t18 = cborEncode(new Tag(sign1, 18));
    const t61in18 = cborEncode(new Tag(new Tag(sign1, 18), 61));
    const t18t18 = cborEncode(new Tag(new Tag(sign1, 18), 18));
    const t18in61 = cborEncode(new Tag(new Tag(sign1, 61), 18));
    // VNP1: tag 18 or none.
    expect([bare, t18, t61in18, t18t18].map((b) => fails(b, [18]))).toEqual(['OK', 'OK', 'cose', 'cose']);
    // HC1: CWT tag 61 outside, COSE tag 18 inside, each optional.
    expect([bare, t18, t61in18, t18in61].map((b) => fails(b, [61, 18]))).toEqual(['OK', 'OK', 'OK', 'cose']);
  });

  it('not CBOR, the wrong shape, a protected header that is not a map', () => {
    expect(fails(Buffer.from([0xff]), [18])).toBe('cbor');
    expect(fails(cborEncode([1, 2, 3, 4]), [18])).toBe('cose');
    expect(fails(cborEncode(sign1.slice(0, 3)), [18])).toBe('cose');
    expect(fails(cborEncode([cborEncode([1]), new Map(), payload, signature]), [18])).toBe('cose');
    expect(fails(cborEncode([Buffer.from([0xff]), new Map(), payload, signature]), [18])).toBe('cose');
    // An empty protected bstr is an empty map.
    expect(
      parseCoseSign1(cborEncode([Buffer.alloc(0), new Map(), payload, signature]), [18]).protectedHeader,
    ).toEqual(new Map());
  });

  it('the protected header wins over the unprotected one', () => {
    const cose = parseCoseSign1(cborEncode(sign1), [18]);
    expect(headerParam(cose, 1)).toBe(-7);
    expect(headerParam(cose, 4)).toEqual(Buffer.from('unprot'));
    const both = { ...cose, protectedHeader: new Map<unknown, unknown>([[4, Buffer.from('prot')]]) };
    expect(headerParam(both, 4)).toEqual(Buffer.from('prot'));
  });
});

describe('signatureHolds', () => {
  const cose = parseCoseSign1(cborEncode(sign1), [18]);

  it('ES256 over the Sig_structure, raw r || s of the curve’s length only', () => {
    expect(signatureHolds(cose, 'ES256', ec.publicKey)).toBe(true);
    expect(signatureHolds(cose, 'ES256', ec.publicKey, 96)).toBe(false);
    expect(
      signatureHolds({ ...cose, signature: cose.signature.subarray(0, 63) }, 'ES256', ec.publicKey),
    ).toBe(false);
    expect(signatureHolds({ ...cose, payload: cborEncode(new Map([[1, 'y']])) }, 'ES256', ec.publicKey)).toBe(
      false,
    );
    expect(sigStructure(protectedBytes, payload)).toEqual(
      cborEncode(['Signature1', protectedBytes, Buffer.alloc(0), payload]),
    );
  });
});
