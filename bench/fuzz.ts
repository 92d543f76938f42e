// `npm run fuzz`: the long run of the permit fuzzer (test/fuzz/permit-mutations.ts): at least
// 100,000 mutants of valid permits through the real judgeScan; none may be ALLOW unless it still
// carries an original's signed bytes. Prints cases/s, the verdicts seen, and the result.
// FUZZ_CASES (default 100000) and FUZZ_SEED (default: random) change the run.

import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  carriesOriginalSignedBytes,
  checkMutant,
  judge,
  type Mutant,
  makeFuzzWorld,
  mutantArb,
} from '../test/fuzz/permit-mutations.js';

export async function runFuzz(cases: number, seed: number): Promise<boolean> {
  const world = await makeFuzzWorld();
  const outcomes = new Map<string, number>();
  const ops = new Map<string, number>();
  let forged = 0;
  const started = performance.now();
  const result = fc.check(
    fc.property(mutantArb(world), (m: Mutant) => {
      const j = judge(world, m.text);
      const key = `${j.decision} ${j.reasons.join('+') || '-'}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      for (const op of new Set(m.ops.map((o) => o.replace(/-(flip|cut|insert|delete|set|suffix)$/, '')))) {
        ops.set(op, (ops.get(op) ?? 0) + 1);
      }
      if (!carriesOriginalSignedBytes(world, m.text)) forged++;
      const violation = checkMutant(world, m);
      if (violation !== null) throw new Error(violation);
    }),
    { numRuns: cases, seed },
  );
  const seconds = (performance.now() - started) / 1000;
  const ran = result.numRuns;
  console.log(
    `  cases: ${ran.toLocaleString('en')} in ${seconds.toFixed(1)} s = ${Math.round(ran / seconds).toLocaleString('en')} cases/s (seed ${seed})`,
  );
  console.log(
    `  mutants that changed the signed bytes: ${forged.toLocaleString('en')} (${((100 * forged) / ran).toFixed(1)} %)`,
  );
  console.log(
    `  operators used (mutants containing each): ${[...ops]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log('  verdicts:');
  for (const [k, v] of [...outcomes].sort((a, b) => b[1] - a[1]))
    console.log(`    ${String(v).padStart(8)}  ${k}`);
  if (result.failed) {
    console.log(`  RESULT: FAILED — ${fc.defaultReportMessage(result)}`);
    return false;
  }
  console.log(
    "  RESULT: passed — no mutation was ALLOW (ALLOWs above all carry an original permit's signed bytes)",
  );
  return true;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const cases = Number(process.env.FUZZ_CASES ?? 100_000);
  const seed = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
  console.log(`permit fuzz — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  const ok = await runFuzz(cases, seed);
  process.exitCode = ok ? 0 : 1;
}
