// Mutations of valid VNP1 permits for property-based testing (fast-check), shared by the suite's
// short run (permit-fuzz.test.ts) and the long one (bench/fuzz.ts).
//
// What counts as a mutation, precisely: any scan text made from valid permits by the operators
// below. The property: the real judgeScan, with a real signed trust list, never says ALLOW to a
// mutation, EXCEPT when the mutated text still carries, byte for byte, the protected header and the
// payload of one original permit (the bytes its signature covers): a re-encoding of the transport
// (base45/zlib), of the COSE envelope (tag, array or length encodings, the unprotected map) or the
// other valid form of the same ECDSA signature (s → n − s) changes nothing anyone signed.
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import fc from 'fast-check';
import type { CheckpointConfig } from '../../src/contract/checkpoint.js';
import { kidOf, loadPublicKey } from '../../src/contract/keys.js';
import { loadTrustList, type TrustList } from '../../src/documents/trust-list.js';
import { base45Decode, base45Encode } from '../../src/formats/base45.js';
import { cborDecode, cborEncode, isBytes } from '../../src/formats/cbor.js';
import { issuePermit, type PermitToIssue } from '../../src/formats/vnp1-issue.js';
import { judgeScan } from '../../src/lane/judge.js';
import type { Judgement } from '../../src/lane/types.js';
import {
  checkpoint,
  type IssuerFixture,
  makeIssuer,
  permitClaims,
  signedTrust,
  T0,
} from '../fixtures/permits.js';

const PREFIX = 'VNP1:';
/** The order of P-256: (r, n − s) is the other valid encoding of an ECDSA signature (r, s). */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
/** The second trusted issuer's code: no mutation ever writes it into iss, so its re-signing is forgery. */
const OTHER_ISS = '01-268';

export interface CoseParts {
  protectedBytes: Buffer;
  unprotected: Map<unknown, unknown>;
  payload: Buffer;
  signature: Buffer;
}

export interface Original extends CoseParts {
  text: string;
}

export interface FuzzWorld {
  trust: TrustList;
  checkpoint: CheckpointConfig;
  originals: Original[];
  /** Keys a forger may use: two untrusted, and a trusted issuer of another area. */
  signers: { name: string; key: KeyObject }[];
  kids: { name: string; kid: Buffer }[];
  now: number;
}

function partsOf(text: string): CoseParts {
  let item = cborDecode(inflateSync(base45Decode(text.slice(PREFIX.length))));
  if (item instanceof Tag) item = item.value;
  const [protectedBytes, unprotected, payload, signature] = item as [
    Buffer,
    Map<unknown, unknown>,
    Buffer,
    Buffer,
  ];
  return { protectedBytes, unprotected, payload, signature };
}

export async function makeFuzzWorld(): Promise<FuzzWorld> {
  const root = makeIssuer();
  const issuer = makeIssuer();
  const other = makeIssuer();
  const attackers = [makeIssuer(), makeIssuer()];
  const jws = await signedTrust([{ issuer }, { issuer: other, iss: OTHER_ISS }], root.privatePem);
  const trust = await loadTrustList(jws, loadPublicKey(root.publicPem));
  const bodies: [Partial<PermitToIssue>, Partial<PermitToIssue['permit']>][] = [
    [{ cti: 'TX-2021-000001' }, {}],
    [
      { cti: 'TX-2021-000002', nbf: T0 / 1000 - 3600 },
      { nam: 'Trần Văn Đức', idn: '001090001111', pur: 'medical' },
    ],
    [
      { cti: 'TX-2021-000003' },
      { veh: { plate: '29A-123.45', type: 'motorbike' }, hours: ['06:00', '22:00'] },
    ],
    [
      { cti: 'TX-2021-000004' },
      { k: 'goods', pur: 'goods', route: 'Nguyễn Trãi – Trường Chinh', org: 'Bạch Mai' },
    ],
  ];
  const originals: Original[] = bodies.map(([c, b], i) => {
    const claims = permitClaims(c, b);
    // Both COSE forms, and the kid in either header, are valid: the originals cover them.
    const text =
      i === 1
        ? issuePermit(claims, issuer.privateKey, { tagged: false })
        : i === 2
          ? issuePermit(claims, issuer.privateKey, {
              protectedHeader: new Map([[1, -7]]),
              unprotected: new Map([[4, kidOf(issuer.privateKey)]]),
            })
          : issuePermit(claims, issuer.privateKey);
    return { text, ...partsOf(text) };
  });
  const world: FuzzWorld = {
    trust,
    checkpoint: checkpoint(),
    originals,
    signers: [
      { name: 'attacker-1', key: (attackers[0] as IssuerFixture).privateKey },
      { name: 'attacker-2', key: (attackers[1] as IssuerFixture).privateKey },
      { name: `trusted ${OTHER_ISS}`, key: other.privateKey },
    ],
    kids: [
      { name: 'issuer', kid: kidOf(issuer.privateKey) },
      { name: `trusted ${OTHER_ISS}`, kid: kidOf(other.privateKey) },
      { name: 'attacker-1', kid: kidOf((attackers[0] as IssuerFixture).privateKey) },
    ],
    now: T0,
  };
  for (const o of originals) {
    const j = judge(world, o.text);
    if (j.decision !== 'ALLOW') throw new Error(`fuzz original is not ALLOW: ${j.reasons.join(',')}`);
  }
  return world;
}

const NO_HISTORY = { recentVerdict: () => null, lastLetThrough: () => null };

/** The real pipeline, no history (so DUPLICATE_SCAN never hides a verdict). */
export function judge(world: FuzzWorld, text: string): Judgement {
  return judgeScan(
    { text, now: world.now, direction: 'in' },
    { checkpoint: world.checkpoint, trust: world.trust, history: NO_HISTORY },
  );
}

/** True when the text still carries exactly the signed bytes of an original (see the header). */
export function carriesOriginalSignedBytes(world: FuzzWorld, text: string): boolean {
  let parts: CoseParts;
  try {
    const t = text.replace(/[\r\n]+$/, '');
    if (!t.startsWith(PREFIX)) return false;
    parts = partsOf(t);
  } catch {
    return false;
  }
  if (!isBytes(parts.protectedBytes) || !isBytes(parts.payload)) return false;
  return world.originals.some(
    (o) => o.protectedBytes.equals(parts.protectedBytes) && o.payload.equals(parts.payload),
  );
}

// ---- CBOR by hand, for encodings cbor-x never writes (non-minimal lengths, indefinite arrays) ----

function head(major: number, n: number, width: 0 | 1 | 2 | 4): Buffer {
  const w = width === 0 ? (n < 24 ? 0 : n < 256 ? 1 : n < 65536 ? 2 : 4) : width;
  if (w === 0) return Buffer.from([(major << 5) | n]);
  const b = Buffer.alloc(1 + w);
  b[0] = (major << 5) | (w === 1 ? 24 : w === 2 ? 25 : 26);
  b.writeUIntBE(n, 1, w);
  return b;
}
const bstr = (b: Buffer, width: 0 | 1 | 2 | 4) => Buffer.concat([head(2, b.length, width), b]);

export interface Envelope {
  tagged: boolean;
  indefinite: boolean;
  widths: [0 | 1 | 2 | 4, 0 | 1 | 2 | 4, 0 | 1 | 2 | 4];
  level: number;
}
const PLAIN: Envelope = { tagged: true, indefinite: false, widths: [0, 0, 0], level: 9 };

export function encodeCose(p: CoseParts, env: Envelope = PLAIN): Buffer {
  const [wp, wl, ws] = env.widths;
  const body = Buffer.concat([
    env.indefinite ? Buffer.from([0x9f]) : head(4, 4, 0),
    bstr(p.protectedBytes, wp),
    cborEncode(p.unprotected),
    bstr(p.payload, wl),
    bstr(p.signature, ws),
    env.indefinite ? Buffer.from([0xff]) : Buffer.alloc(0),
  ]);
  return env.tagged ? Buffer.concat([Buffer.from([0xd2]), body]) : body;
}

// ---- Mutation operators on the COSE parts ----

type Step = (p: CoseParts, w: FuzzWorld) => CoseParts;

function signWith(p: CoseParts, key: KeyObject): Buffer {
  const tbs = cborEncode(['Signature1', p.protectedBytes, Buffer.alloc(0), p.payload]);
  return cryptoSign('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' });
}

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }).filter((s) => s !== OTHER_ISS),
  fc.constantFrom('Nguyễn Thị Hằng', '001185004321', '01-009', '01', 'work', 'goods', 'travel', '', '06:00'),
  fc.integer({ min: -5, max: 2 ** 40 }),
  fc.constantFrom(T0 / 1000 - 86_400, T0 / 1000 + 86_400 * 30, 2 ** 53, -1, 0, 1.5),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 9 }).map((b) => Buffer.from(b)),
  fc.array(fc.constantFrom('01-009', '01', 7, ''), { maxLength: 3 }),
  fc.constant(
    new Map([
      ['plate', '29A-1'],
      ['type', 'car'],
    ]),
  ),
);

const claimEdit: fc.Arbitrary<Step> = fc
  .record({
    key: fc.constantFrom<number | string>(
      1,
      4,
      5,
      6,
      7,
      -261,
      99,
      'v',
      'k',
      'nam',
      'idn',
      'pur',
      'areas',
      'home',
      'veh',
      'hours',
      'zz',
    ),
    value: fc.option(anyValue, { nil: undefined }),
  })
  .map(({ key, value }) => (p: CoseParts) => {
    const claims = cborDecode(p.payload) as Map<unknown, unknown>;
    const target = typeof key === 'number' ? claims : (claims.get(-261) as Map<unknown, unknown>);
    if (!(target instanceof Map)) return p;
    if (value === undefined) target.delete(key);
    else target.set(key, value);
    return { ...p, payload: cborEncode(claims) };
  });

/** The same claims written differently: other key order, or one integer in a longer form. */
const payloadReencode: fc.Arbitrary<Step> = fc.nat().map((seed) => (p: CoseParts) => {
  const claims = [...(cborDecode(p.payload) as Map<unknown, unknown>)];
  const rotated = claims.slice(seed % claims.length).concat(claims.slice(0, seed % claims.length));
  return { ...p, payload: cborEncode(new Map(seed % 2 ? rotated.reverse() : rotated)) };
});

const swap: fc.Arbitrary<Step> = fc
  .record({ from: fc.nat(), what: fc.constantFrom('payload', 'protected', 'signature', 'claim') })
  .map(({ from, what }) => (p: CoseParts, w: FuzzWorld) => {
    const o = w.originals[from % w.originals.length] as Original;
    if (what === 'payload') return { ...p, payload: o.payload };
    if (what === 'protected') return { ...p, protectedBytes: o.protectedBytes, unprotected: o.unprotected };
    if (what === 'signature') return { ...p, signature: o.signature };
    // One claim of another permit put into this one's payload.
    const mine = cborDecode(p.payload) as Map<unknown, unknown>;
    const theirs = cborDecode(o.payload) as Map<unknown, unknown>;
    const keys = [...theirs.keys()];
    const k = keys[from % keys.length];
    mine.set(k, theirs.get(k));
    return { ...p, payload: cborEncode(mine) };
  });

const ALGS = [-7, -35, -36, -37, -8, 0, 'ES256', null] as const;
const header: fc.Arbitrary<Step> = fc
  .record({
    alg: fc.option(fc.constantFrom(...ALGS), { nil: undefined }),
    algUnprotected: fc.boolean(),
    kid: fc.constantFrom('keep', 'issuer', 'other', 'attacker', 'short', 'text', 'unprotected', 'none'),
    emptyProtected: fc.boolean(),
  })
  .map(({ alg, algUnprotected, kid, emptyProtected }) => (p: CoseParts, w: FuzzWorld) => {
    const prot = (p.protectedBytes.length ? cborDecode(p.protectedBytes) : new Map()) as Map<
      unknown,
      unknown
    >;
    const unprot = new Map(p.unprotected);
    const oldKid = prot.get(4) ?? unprot.get(4);
    if (alg === undefined) prot.delete(1);
    else (algUnprotected ? unprot : prot).set(1, alg);
    const kids: Record<string, unknown> = {
      issuer: w.kids[0]?.kid,
      other: w.kids[1]?.kid,
      attacker: w.kids[2]?.kid,
      short: Buffer.alloc(7, 1),
      text: 'issuer',
    };
    if (kid === 'unprotected' || kid === 'none') {
      prot.delete(4);
      if (kid === 'unprotected') unprot.set(4, oldKid);
      else unprot.delete(4);
    } else if (kid !== 'keep') prot.set(4, kids[kid]);
    const protectedBytes = emptyProtected && prot.size === 0 ? Buffer.alloc(0) : cborEncode(prot);
    return { ...p, protectedBytes, unprotected: unprot };
  });

const resign: fc.Arbitrary<Step> = fc
  .record({ signer: fc.nat(), kidOf: fc.constantFrom('signer', 'issuer') })
  .map(({ signer, kidOf: which }) => (p: CoseParts, w: FuzzWorld) => {
    const s = w.signers[signer % w.signers.length] as { key: KeyObject };
    const prot = (p.protectedBytes.length ? cborDecode(p.protectedBytes) : new Map()) as Map<
      unknown,
      unknown
    >;
    prot.set(1, -7);
    prot.set(4, which === 'issuer' ? w.kids[0]?.kid : kidOf(s.key));
    const next = { ...p, protectedBytes: cborEncode(prot) };
    return { ...next, signature: signWith(next, s.key) };
  });

/** (r, n − s) for a 64-byte r || s; any other length has no such form and is left as it is. */
export function malleate(signature: Buffer): Buffer {
  if (signature.length !== 64) return signature;
  // s mod n first: a random s ≥ n would otherwise give a negative n − s.
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`) % P256_N;
  const other = (P256_N - s) % P256_N;
  return Buffer.concat([signature.subarray(0, 32), Buffer.from(other.toString(16).padStart(64, '0'), 'hex')]);
}

export const SIGNATURE_EDITS = ['malleate', 'zero', 'random', 'short', 'long', 'der'] as const;

/** One edit of the signature bytes, whatever their length (earlier steps may have cut or grown them). */
export function editSignature(
  p: CoseParts,
  how: (typeof SIGNATURE_EDITS)[number],
  bytes: Uint8Array,
): CoseParts {
  const r = p.signature.subarray(0, 32);
  const s = p.signature.subarray(32);
  if (how === 'malleate') return { ...p, signature: malleate(p.signature) };
  if (how === 'zero') return { ...p, signature: Buffer.alloc(64) };
  if (how === 'random') return { ...p, signature: Buffer.from(bytes) };
  if (how === 'short')
    return { ...p, signature: p.signature.subarray(0, Math.max(0, p.signature.length - 1)) };
  if (how === 'long') return { ...p, signature: Buffer.concat([p.signature, Buffer.from([0])]) };
  const int = (b: Buffer) =>
    b.length > 0 && (b[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  const ri = int(r);
  const si = int(s);
  const der = Buffer.concat([
    Buffer.from([0x30, (ri.length + si.length + 4) & 0xff, 2, ri.length & 0xff]),
    ri,
    Buffer.from([2, si.length & 0xff]),
    si,
  ]);
  return { ...p, signature: der };
}

const signature: fc.Arbitrary<Step> = fc
  .record({
    how: fc.constantFrom(...SIGNATURE_EDITS),
    bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  })
  .map(
    ({ how, bytes }) =>
      (p: CoseParts) =>
        editSignature(p, how, bytes),
  );

const unprotectedJunk: fc.Arbitrary<Step> = fc
  .record({ key: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.string({ maxLength: 4 })), value: anyValue })
  .map(({ key, value }) => (p: CoseParts) => ({
    ...p,
    unprotected: new Map([...p.unprotected, [key, value]]),
  }));

const step: fc.Arbitrary<{ name: string; apply: Step }> = fc.oneof(
  claimEdit.map((apply) => ({ name: 'claim', apply })),
  payloadReencode.map((apply) => ({ name: 'reencode-payload', apply })),
  swap.map((apply) => ({ name: 'swap', apply })),
  header.map((apply) => ({ name: 'header', apply })),
  resign.map((apply) => ({ name: 'resign', apply })),
  signature.map((apply) => ({ name: 'signature', apply })),
  unprotectedJunk.map((apply) => ({ name: 'unprotected', apply })),
);

// ---- Byte and text edits on the encoded layers ----

const byteEdits = fc.array(
  fc.record({
    op: fc.constantFrom('flip', 'cut', 'insert', 'delete'),
    at: fc.nat(),
    bit: fc.nat(7),
    byte: fc.nat(255),
  }),
  { maxLength: 3 },
);
type ByteEdit = { op: string; at: number; bit: number; byte: number };

function editBytes(b: Buffer, edits: ByteEdit[]): Buffer {
  let out = Buffer.from(b);
  for (const e of edits) {
    if (out.length === 0) break;
    const at = e.at % out.length;
    if (e.op === 'flip') out[at] = (out[at] as number) ^ (1 << e.bit);
    else if (e.op === 'cut') out = out.subarray(0, at);
    else if (e.op === 'insert')
      out = Buffer.concat([out.subarray(0, at), Buffer.from([e.byte]), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
  }
  return out;
}

const TEXT_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a\n\u00e9\u0000';
const textEdits = fc.array(
  fc.record({
    op: fc.constantFrom('set', 'cut', 'insert', 'delete', 'suffix'),
    at: fc.nat(),
    ch: fc.nat(TEXT_CHARS.length - 1),
  }),
  { maxLength: 2 },
);

function editText(t: string, edits: { op: string; at: number; ch: number }[]): string {
  let out = t;
  for (const e of edits) {
    const at = PREFIX.length + (e.at % Math.max(1, out.length - PREFIX.length));
    const c = TEXT_CHARS[e.ch] as string;
    if (e.op === 'set') out = out.slice(0, at) + c + out.slice(at + 1);
    else if (e.op === 'cut') out = out.slice(0, at);
    else if (e.op === 'insert') out = out.slice(0, at) + c + out.slice(at);
    else if (e.op === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else out += c;
  }
  return out;
}

const envelope: fc.Arbitrary<Envelope> = fc.record({
  tagged: fc.boolean(),
  indefinite: fc.boolean(),
  widths: fc.tuple(
    fc.constantFrom<0 | 1 | 2 | 4>(0, 1, 2, 4),
    fc.constantFrom<0 | 1 | 2 | 4>(0, 2, 4),
    fc.constantFrom<0 | 1 | 2 | 4>(0, 1, 2),
  ),
  level: fc.integer({ min: 0, max: 9 }),
});

export interface Mutant {
  /** Operators applied, for the report and for counting. */
  ops: string[];
  text: string;
}

/** The arbitrary in `tenths` of the cases, else nothing: layers of damage stay rare enough that
 * most mutants reach the signature check. */
function sometimes<T>(arb: fc.Arbitrary<T>, tenths: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 10 - tenths, arbitrary: fc.constant(undefined) },
    { weight: tenths, arbitrary: arb },
  );
}

/** A mutant: structural steps on one original, then envelope, byte and text edits. */
export function mutantArb(world: FuzzWorld): fc.Arbitrary<Mutant> {
  return fc
    .record({
      original: fc.nat(world.originals.length - 1),
      steps: fc.array(step, { minLength: 1, maxLength: 3 }),
      envelope: sometimes(envelope, 3),
      coseEdits: sometimes(byteEdits, 1),
      zlibEdits: sometimes(byteEdits, 1),
      textEdits: sometimes(textEdits, 1),
    })
    .map((m) => {
      const o = world.originals[m.original] as Original;
      let parts: CoseParts = o;
      for (const s of m.steps) parts = s.apply(parts, world);
      const cose = editBytes(encodeCose(parts, m.envelope ?? PLAIN), m.coseEdits ?? []);
      const zlib = editBytes(deflateSync(cose, { level: m.envelope?.level ?? 9 }), m.zlibEdits ?? []);
      const text = editText(PREFIX + base45Encode(zlib), m.textEdits ?? []);
      const ops = [
        ...m.steps.map((s) => s.name),
        ...(m.envelope ? ['envelope'] : []),
        ...(m.coseEdits ?? []).map((e) => `cose-${e.op}`),
        ...(m.zlibEdits ?? []).map((e) => `zlib-${e.op}`),
        ...(m.textEdits ?? []).map((e) => `text-${e.op}`),
      ];
      return { ops, text };
    });
}

/** The property for one mutant; returns a description of the violation, or null. */
export function checkMutant(
  world: FuzzWorld,
  m: Mutant,
  judgeWith: (w: FuzzWorld, text: string) => Pick<Judgement, 'decision'> = judge,
): string | null {
  const j = judgeWith(world, m.text);
  if (j.decision !== 'ALLOW') return null;
  if (carriesOriginalSignedBytes(world, m.text)) return null;
  return `ALLOW for a mutation (${m.ops.join(' → ')}): ${m.text.slice(0, 80)}…`;
}
