// `npm run fuzz:api`: the long run of the API fuzz (test/fuzz/api-calls.ts): at least 100,000 random
// and malformed calls as every role and as nobody, through the Dispatcher, HTTP and the WebSocket of a
// real kiosk. Prints calls/s, the answers by way in and code, and the findings (0, or the first
// counterexample with its seed). API_FUZZ_CALLS (default 100000) and API_FUZZ_SEED (default: random).

import { cpus } from 'node:os';
import { setLogLevel } from '../src/base/log.js';
import { runApiFuzz } from '../test/fuzz/api-fuzz.js';

const calls = Number(process.env.API_FUZZ_CALLS ?? 100_000);
const seed =
  process.env.API_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.API_FUZZ_SEED);
console.log(`API fuzz — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
// The kiosk logs every refused login and odd call; the run's own figures are what matter here.
setLogLevel('silent');
const r = await runApiFuzz(calls, seed);
console.log(
  `  calls: ${r.calls.toLocaleString('en')} in ${r.seconds.toFixed(1)} s = ${Math.round(r.calls / r.seconds).toLocaleString('en')} calls/s (seed ${seed})`,
);
const byVia = new Map<string, number>();
for (const [k, v] of r.answers) byVia.set(k.split(' ')[0]!, (byVia.get(k.split(' ')[0]!) ?? 0) + v);
console.log(`  by way in: ${[...byVia].map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ')}`);
console.log('  answers:');
for (const [k, v] of [...r.answers].sort((a, b) => b[1] - a[1]))
  console.log(`    ${String(v).padStart(8)}  ${k}`);
if (r.failure) {
  console.log(`  findings: 1 — ${r.failure}`);
  process.exitCode = 1;
} else {
  console.log(
    '  findings: 0 — every answer well formed, no 5xx or internal error, no success without permission, no change by a refused call',
  );
}
