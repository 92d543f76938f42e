// Test fixtures for HC1 health certificates made with code: self-signed Document Signer Certificates
// (real X.509, DER written here since Node can parse but not build certificates) and certificates
// signed exactly as the EU specification says, or broken in one precise way.
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { buildTrustList, type TrustList } from '../../src/documents/trust-list.js';
import { base45Encode } from '../../src/formats/base45.js';
import { cborEncode } from '../../src/formats/cbor.js';
import { certificateKid } from '../../src/formats/hc1-signers.js';
import type { DccType } from '../../src/formats/hc1-types.js';

// --- DER, just enough for a certificate ---
function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 255]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => der(0x31, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
const utc = (d: Date): Buffer =>
  der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`, 'ascii'));
const name = (cn: string): Buffer => seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(cn, 'utf8')))));

export const USAGE_OID: Record<DccType, string> = {
  test: '1.3.6.1.4.1.1847.2021.1.1',
  vaccination: '1.3.6.1.4.1.1847.2021.1.2',
  recovery: '1.3.6.1.4.1.1847.2021.1.3',
};

export interface Signer {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** DER X.509. */
  cert: Buffer;
  kid: Buffer;
  alg: -7 | -37;
}

/**
 * A self-signed DSC: P-256 (ES256) or RSA 2048 (PS256), with the DCC usages given (none: all), or with
 * exactly these extended key usage OIDs (`usageOids`: the `.0` variants, or no DCC usage at all).
 */
export function makeSigner(
  opts: { rsa?: boolean; usages?: DccType[]; usageOids?: string[]; cn?: string } = {},
): Signer {
  const { privateKey, publicKey } = opts.rsa
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sigAlg = opts.rsa
    ? seq(oid('1.2.840.113549.1.1.11'), der(0x05, Buffer.alloc(0)))
    : seq(oid('1.2.840.10045.4.3.2'));
  const oids = opts.usageOids ?? (opts.usages ?? []).map((u) => USAGE_OID[u]);
  const extensions = oids.length
    ? [der(0xa3, seq(seq(oid('2.5.29.37'), der(0x04, seq(...oids.map((o) => oid(o)))))))]
    : [];
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([1, 2, 3, 4])),
    sigAlg,
    name(opts.cn ?? 'DSC test'),
    seq(utc(new Date('2021-01-01T00:00:00Z')), utc(new Date('2031-01-01T00:00:00Z'))),
    name(opts.cn ?? 'DSC test'),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, sigAlg, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return { privateKey, publicKey, cert, kid: certificateKid(cert), alg: opts.rsa ? -37 : -7 };
}

/** A trust list whose `dcc` entries are these signers (and no permit issuers). */
export function dccTrust(...signers: Signer[]): TrustList {
  return buildTrustList(dccTrustPayload(...signers));
}

export function dccTrustPayload(...signers: Signer[]): Record<string, unknown> {
  return {
    version: 1,
    issued: 0,
    issuers: [],
    dcc: signers.map((s) => ({
      kid: s.kid.toString('base64'),
      country: 'VN',
      cert: s.cert.toString('base64'),
    })),
  };
}

/** 10/09/2021 08:00 Vietnam time, the permits' T0. */
export const NOW = Date.parse('2021-09-10T08:00:00+07:00');
const NOW_S = NOW / 1000;
const DAY_S = 86_400;

export const NAM = { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Hằng', gnt: 'THI<HANG' };
const ENTRY = { tg: '840539006', co: 'VN', is: 'Bộ Y tế', ci: 'URN:UVCI:01:VN:TEST#1' };

export function vaccination(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: '1.3.0',
    nam: NAM,
    dob: '1985-11-18',
    v: [
      {
        ...ENTRY,
        vp: 'J07BX03',
        mp: 'EU/1/20/1528',
        ma: 'ORG-100030215',
        dn: 2,
        sd: 2,
        dt: '2021-08-01',
        ...over,
      },
    ],
  };
}

export function negativeTest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: '1.3.0',
    nam: NAM,
    dob: '1985-11-18',
    t: [
      {
        ...ENTRY,
        tt: 'LP6464-4',
        sc: '2021-09-09T08:00:00+07:00',
        tr: '260415000',
        tc: 'BV Bạch Mai',
        ...over,
      },
    ],
  };
}

export function recovery(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ver: '1.3.0',
    nam: NAM,
    dob: '1985-11-18',
    r: [{ ...ENTRY, fr: '2021-07-01', df: '2021-07-12', du: '2021-12-28', ...over }],
  };
}

export interface Hc1Options {
  iss?: string | undefined;
  iat?: number;
  exp?: number;
  /** Where the kid goes; 'none' leaves it out. */
  kidIn?: 'protected' | 'unprotected' | 'none';
  kid?: Buffer;
  /** A kid in the unprotected header as well (the protected one must win). */
  unprotectedKid?: Buffer;
  alg?: number | undefined;
  tag?: 'cose' | 'cwt+cose' | 'none';
  /** Replaces the CWT payload map entirely. */
  claims?: Map<number, unknown>;
  /** Signs with this key instead of the signer's (same kid). */
  signWith?: KeyObject;
  /** PS256 signed with PKCS#1 v1.5 instead of PSS. */
  rsaPkcs1?: boolean;
  compress?: boolean;
  tamper?: (cose: Buffer) => Buffer;
  /** Rewrites the signature bytes (wrong length, zeros...). */
  signature?: (sig: Buffer) => Buffer;
}

/** An HC1 text signed by `signer`, broken only as the options say. */
export function makeHc1(signer: Signer, hcert: unknown, o: Hc1Options = {}): string {
  const alg = 'alg' in o ? o.alg : signer.alg;
  const kid = o.kid ?? signer.kid;
  const protectedMap = new Map<number, unknown>();
  if (alg !== undefined) protectedMap.set(1, alg);
  if ((o.kidIn ?? 'protected') === 'protected') protectedMap.set(4, kid);
  const unprotected = new Map<number, unknown>(
    o.kidIn === 'unprotected' ? [[4, kid]] : o.unprotectedKid ? [[4, o.unprotectedKid]] : [],
  );
  const protectedBytes = cborEncode(protectedMap);
  const claims =
    o.claims ??
    new Map<number, unknown>([
      ...(o.iss === undefined && 'iss' in o ? [] : [[1, o.iss ?? 'VN'] as [number, unknown]]),
      [4, o.exp ?? NOW_S + 300 * DAY_S],
      [6, o.iat ?? NOW_S - 2 * DAY_S],
      [-260, new Map([[1, hcert]])],
    ]);
  const payload = cborEncode(claims);
  const tbs = cborEncode(['Signature1', protectedBytes, Buffer.alloc(0), payload]);
  const key = o.signWith ?? signer.privateKey;
  const signature =
    key.asymmetricKeyType === 'rsa'
      ? sign('sha256', tbs, {
          key,
          padding: o.rsaPkcs1 ? constants.RSA_PKCS1_PADDING : constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 32,
        })
      : sign('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' });
  const array = [protectedBytes, unprotected, payload, o.signature ? o.signature(signature) : signature];
  const tag = o.tag ?? 'cose';
  const item = tag === 'none' ? array : tag === 'cose' ? new Tag(array, 18) : new Tag(new Tag(array, 18), 61);
  let cose = cborEncode(item);
  if (o.tamper) cose = o.tamper(cose);
  return `HC1:${base45Encode(o.compress === false ? cose : deflateSync(cose))}`;
}
