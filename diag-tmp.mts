import { CHECKS, loadCases, missingInputs, trustOf } from './test/conformance/dgc-checks.ts';
import { verifyHc1 } from './src/dcc/verify.ts';
const cases = loadCases('/work/shared/testdata/dgc-testdata');
const counts: Record<string, number> = {};
for (const c of cases) {
  for (const [f, exp] of Object.entries(c.expected)) {
    const ch = CHECKS[f]; if (!ch) continue;
    if (missingInputs(c, ch.needs).length) continue;
    const act = await ch.run(c);
    if (act !== exp) { console.log('MISMATCH', c.id, f, 'exp', exp, 'got', act); counts[f]=(counts[f]??0)+1; }
  }
  if (typeof c.raw.PREFIX === 'string' && c.ctx.CERTIFICATE) {
    const r = verifyHc1(c.raw.PREFIX as string, trustOf(c)!);
    if (!r.ok) console.log('  verifyHc1', c.id, r.reason, r.detail.slice(0,200));
  }
}
console.log(counts);
