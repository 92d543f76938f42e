// Property: no mutation of a valid permit is ever ALLOW through the real pipeline (definition of a
// mutation and of the one allowed exception in permit-mutations.ts). A short run here, with a fixed
// seed so that every run tries the same mutants; the long run (≥ 100,000 cases, any seed) is
// `npm run fuzz` (bench/fuzz.ts). FUZZ_RUNS and FUZZ_SEED change this one, to explore.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { signatureHolds } from '../../src/formats/cose.js';
import {
  carriesOriginalSignedBytes,
  checkMutant,
  editSignature,
  type FuzzWorld,
  judge,
  makeFuzzWorld,
  malleate,
  mutantArb,
  SIGNATURE_EDITS,
} from './permit-mutations.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_210_910);
let world: FuzzWorld;

beforeAll(async () => {
  world = await makeFuzzWorld();
});

describe('permit fuzzing', () => {
  it(`no mutation is ALLOW (${RUNS} mutants, seed ${SEED})`, () => {
    const reasons = new Map<string, number>();
    let allowed = 0;
    let forged = 0;
    fc.assert(
      fc.property(mutantArb(world), (m) => {
        const j = judge(world, m.text);
        for (const r of j.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
        if (j.decision === 'ALLOW') allowed++;
        if (!carriesOriginalSignedBytes(world, m.text)) forged++;
        const violation = checkMutant(world, m);
        if (violation !== null) throw new Error(violation);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Not vacuous: most mutants change what was signed, and they fail in every layer of the check.
    expect(forged).toBeGreaterThan(RUNS * 0.6);
    for (const r of ['FORMAT_INVALID', 'SIGNATURE_INVALID', 'UNKNOWN_ISSUER']) {
      expect(reasons.get(r) ?? 0, r).toBeGreaterThan(0);
    }
    expect(allowed).toBeLessThan(RUNS * 0.4);
  }, 60_000);

  it('the one exception is exact: an ALLOW always names an original permit, with its signed bytes', () => {
    const hashes = world.originals.map((o) => judge(world, o.text).permit?.hash);
    let allowed = 0;
    for (const m of fc.sample(mutantArb(world), { numRuns: 600, seed: 7 })) {
      const j = judge(world, m.text);
      if (j.decision !== 'ALLOW') continue;
      allowed++;
      expect(carriesOriginalSignedBytes(world, m.text), m.ops.join(' → ')).toBe(true);
      expect(hashes).toContain(j.permit?.hash);
    }
    // Envelope re-encodings (tag, lengths, zlib level, unprotected junk) do reach ALLOW: the
    // exception is exercised, not just allowed.
    expect(allowed).toBeGreaterThan(0);
  });

  it('the harness catches a verifier that forgets one check', () => {
    // A pipeline that ignores the signature when the kid is known: forgeries must be found.
    const careless = (w: FuzzWorld, text: string) => {
      const j = judge(w, text);
      return j.reasons.includes('SIGNATURE_INVALID') ? { decision: 'ALLOW' as const } : j;
    };
    const result = fc.check(
      fc.property(mutantArb(world), (m) => checkMutant(world, m, careless) === null),
      { numRuns: 500, seed: 11 },
    );
    expect(result.failed).toBe(true);
  });

  it('signature edits take a signature of any length, even one cut to nothing', () => {
    // A step may cut the signature before another edits it: malleating an empty one threw
    // "Cannot convert 0x to a BigInt" and crashed the run instead of judging the mutant.
    const o = world.originals[0] as FuzzWorld['originals'][number];
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.constantFrom(...SIGNATURE_EDITS),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (sig, how, bytes) => {
          const edited = editSignature({ ...o, signature: Buffer.from(sig) }, how, bytes);
          expect(edited.signature).toBeInstanceOf(Buffer);
        },
      ),
      { numRuns: 500, seed: 5 },
    );
    expect(malleate(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
    expect(malleate(Buffer.alloc(64, 0xff))).toHaveLength(64); // s above the order n
  });

  it('malleating a real signature gives the other valid signature of the same bytes', () => {
    const o = world.originals[0] as FuzzWorld['originals'][number];
    const issuer = [...world.trust.issuers.values()].find((i) => i.iss === '01-009');
    if (!issuer) throw new Error('the fuzz world has no issuer 01-009');
    const other = malleate(o.signature);
    expect(other.equals(o.signature)).toBe(false);
    expect(signatureHolds({ ...o, signature: other }, 'ES256', issuer.key)).toBe(true);
  });
});
