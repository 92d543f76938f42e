// Child process of bench/audit.ts: a kiosk holding the generated log answers a supervisor's calls
// (through its Dispatcher, as the browser host would: validation, role check, query, result checked),
// then its resident memory is read.
//   node --import tsx bench/audit-probe.ts <db> <passages>
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SearchFilters } from '../src/contract/api-audit.js';
import { people, type population } from './audit.js';
import { benchKiosk, supervisor } from './bench-kiosk.js';
import { recordBudget } from './budgets.js';
import { percentile } from './stats.js';

const [dbPath, passagesArg] = process.argv.slice(2);
const passages = Number(passagesArg);
const BUDGET_SEARCH = 50;
const BUDGET_REPORT = 200;
const BUDGET_RSS = 200;

const kiosk = benchKiosk(dbPath!);
function memory(): { rss: number; hwm: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}
const tStart = performance.now();
await kiosk.start();
const startMs = performance.now() - tStart;
const afterStart = memory();

const { call } = await supervisor(kiosk);

// A sample of 400 holders, taken from the generator's stream without keeping the whole population.
const sample: ReturnType<typeof population> = [];
{
  const total = Math.max(100, Math.floor(passages / 16));
  const every = Math.max(1, Math.floor(total / 400));
  let i = 0;
  for (const p of people(total)) if (i++ % every === 0) sample.push(p);
}
let seed = 99;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const person = () => sample[Math.floor(rand() * sample.length)]!;
const bounds = (await call('audit.search', { limit: 1 })).rows[0]!;
const lastMs = Date.parse(bounds.at);
const firstMs = lastMs - passages * 4320;
const randomTime = () => firstMs + rand() * (lastMs - firstMs - 86_400_000);
const iso = (ms: number) => new Date(ms).toISOString();
const shiftCount = (await call('shift.list', { limit: 1 })).shifts[0]!.id;

const KINDS: [string, () => SearchFilters][] = [
  ['plate (full, any separators)', () => ({ plate: (person().plate ?? '29A-123.45').replace(/[-.]/g, ' ') })],
  [
    'name, accents omitted',
    () => ({ name: person().name.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'd') }),
  ],
  ['ID number, full (keyed token)', () => ({ idn: person().idn })],
  ['ID number, last 4 digits', () => ({ idn: person().idn.slice(-4) })],
  ['permit serial', () => ({ permit: person().cti })],
  [
    'time range, 1 hour',
    () => {
      const t = randomTime();
      return { from: iso(t), to: iso(t + 3_600_000) };
    },
  ],
  [
    'time range 1 day + decision DENY',
    () => {
      const t = randomTime();
      return { from: iso(t), to: iso(t + 86_400_000), decision: 'DENY' };
    },
  ],
  ['reason (newest)', () => ({ reason: 'EXPIRED' })],
  [
    'reason + 1 day',
    () => {
      const t = randomTime();
      return { reason: 'AREA_NOT_PERMITTED', from: iso(t), to: iso(t + 86_400_000) };
    },
  ],
  ["a shift's passages", () => ({ shiftId: 1 + Math.floor(rand() * shiftCount) })],
  ['overridden only', () => ({ overridden: true })],
  ['surname alone (the name index drives)', () => ({ name: person().name.split(' ')[0]! })],
  [
    'full name + 1 day',
    () => {
      const t = randomTime();
      return { name: person().name, from: iso(t), to: iso(t + 86_400_000) };
    },
  ],
];

const mark = (p95: number, budget: number) => (p95 <= budget ? 'within budget' : 'OVER BUDGET');
const f = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
console.log(`  kiosk start on the ${passages.toLocaleString('en')}-passage log: ${startMs.toFixed(0)} ms`);
console.log(
  `  search (100 rows a page, through the Dispatcher)   p50        p95      hits/query   budget p95 ≤ ${BUDGET_SEARCH} ms`,
);
let worstSearch = 0;
for (const [name, make] of KINDS) {
  const times: number[] = [];
  let hits = 0;
  // Warm-up, then the measured queries.
  for (let i = 0; i < 5; i++) await call('audit.search', { ...make(), limit: 100 });
  for (let i = 0; i < 100; i++) {
    const q = make();
    const t0 = performance.now();
    const r = await call('audit.search', { ...q, limit: 100 });
    times.push(performance.now() - t0);
    hits += r.rows.length;
  }
  times.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  worstSearch = Math.max(worstSearch, p95);
  console.log(
    `  ${name.padEnd(46)} ${f(percentile(times, 50))} ${f(p95)}   ${String(Math.round(hits / 100)).padStart(6)}     ${mark(p95, BUDGET_SEARCH)}`,
  );
}
recordBudget('searchP95', `worst p95 ${worstSearch.toFixed(1)} ms`, worstSearch <= BUDGET_SEARCH);

const afterSearch = memory();
// How long the event loop (and so a scan) may wait while reports are made.
const stall = monitorEventLoopDelay({ resolution: 5 });
stall.enable();
const gather: number[] = [];
const pdf: number[] = [];
let rows = 0;
for (let i = 0; i < 12; i++) {
  const id = 1 + Math.floor(rand() * (shiftCount - 1));
  const t0 = performance.now();
  const { data, pdf: bytes } = await kiosk.supervision.audit.shiftReport(id);
  const total = performance.now() - t0;
  const t1 = performance.now();
  const { gatherShiftReport } = await import('../src/reports/shift-report.js');
  const shift = kiosk.supervision.auth.shifts.view(kiosk.supervision.auth.shifts.get(id));
  await gatherShiftReport(kiosk.currentStore()!.db, shift, data.checkpoint, Date.now());
  const g = performance.now() - t1;
  if (i > 1) {
    gather.push(g);
    pdf.push(total);
    rows += data.byHour.reduce(
      (n, h) => n + h.in.allowed + h.in.denied + h.in.review + h.out.allowed + h.out.denied + h.out.review,
      0,
    );
    if (bytes.length < 1000) throw new Error('empty PDF');
  }
}
gather.sort((a, b) => a - b);
pdf.sort((a, b) => a - b);
console.log(
  `  shift report (${Math.round(rows / gather.length).toLocaleString('en')} passages a shift): gathering p50 ${percentile(gather, 50).toFixed(1)} ms, ` +
    `p95 ${percentile(gather, 95).toFixed(1)} ms (budget ≤ ${BUDGET_REPORT} ms: ${mark(percentile(gather, 95), BUDGET_REPORT)}); ` +
    `with the PDF rendered p50 ${percentile(pdf, 50).toFixed(0)} ms, p95 ${percentile(pdf, 95).toFixed(0)} ms`,
);

recordBudget(
  'reportP95',
  `p95 ${percentile(gather, 95).toFixed(1)} ms`,
  percentile(gather, 95) <= BUDGET_REPORT,
);
stall.disable();
const reportStallMs = stall.max / 1e6;
console.log(
  `  longest event-loop stall while the reports were made: ${reportStallMs.toFixed(0)} ms (scans wait at most that)`,
);

// "Verify log" over the whole chain, as a supervisor runs it: in slices, scans go on meanwhile.
if (process.env.BENCH_VERIFY !== '0') {
  const vstall = monitorEventLoopDelay({ resolution: 5 });
  vstall.enable();
  const t0 = performance.now();
  let r = await call('audit.verify', {});
  while (!r.done) r = await call('audit.verify', {});
  const secs = (performance.now() - t0) / 1000;
  vstall.disable();
  console.log(
    `  verify log: ${r.checked.toLocaleString('en')} rows ${r.ok ? 'intact' : `BROKEN at ${JSON.stringify(r.broken)}`} in ${secs.toFixed(1)} s ` +
      `(${Math.round(r.checked / secs).toLocaleString('en')} rows/s); longest event-loop stall ${(vstall.max / 1e6).toFixed(0)} ms`,
  );
}
const end = memory();
recordBudget('residentMemory', `peak ${end.hwm.toFixed(0)} MB`, end.hwm <= BUDGET_RSS);
const heap = process.memoryUsage();
console.log(
  `  resident memory of the kiosk holding the log: ${afterStart.rss.toFixed(0)} MB after start, ` +
    `${afterSearch.rss.toFixed(0)} MB after the searches (peak so far ${afterSearch.hwm.toFixed(0)} MB), ${end.rss.toFixed(0)} MB after the reports; ` +
    `peak ${end.hwm.toFixed(0)} MB (budget ≤ ${BUDGET_RSS} MB: ${mark(end.hwm, BUDGET_RSS)}); ` +
    `JS heap in use ${(heap.heapUsed / 2 ** 20).toFixed(0)} of ${(heap.heapTotal / 2 ** 20).toFixed(0)} MB, ` +
    `off-heap ${(heap.external / 2 ** 20).toFixed(0)} MB`,
);
await kiosk.stop();
