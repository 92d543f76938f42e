// Property: no mutation of a valid permit is ever ALLOW through the real pipeline (definition of a
// mutation and of the one allowed exception in permit-mutations.ts). A short run here; the long
// run (≥ 100,000 cases) is `npm run fuzz` (bench/fuzz.ts).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  carriesOriginalSignedBytes,
  checkMutant,
  type FuzzWorld,
  judge,
  makeFuzzWorld,
  mutantArb,
} from './permit-mutations.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
let world: FuzzWorld;

beforeAll(async () => {
  world = await makeFuzzWorld();
});

describe('permit fuzzing', () => {
  it(`no mutation is ALLOW (${RUNS} random mutants)`, () => {
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
      { numRuns: RUNS },
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
});
