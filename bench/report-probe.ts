// Child process of bench/audit.ts: where a kiosk's resident memory goes while it makes a report, on the
// generated log, one kind of report per fresh process so that each starts from the same floor:
//   pdf      a shift's PDF: gathering (scan thread), the worker rendering it, the call as a whole
//   largest  the largest report the kiosk can be asked for (test/fixtures/largest-report.ts), rendered
//   csv      an export of MAX_EXPORT_ROWS passages
// The floor is the kiosk's RSS just before the report, after a supervisor's searches; each stage's peak
// is read from VmHWM, reset before the stage (/proc/self/clear_refs). Prints its lines, then one JSON
// line for bench/audit.ts.
//   node bench/report-probe.js <db> <kind>
import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { REPORT_WORKER_LIMITS, renderShiftReportInWorker } from '../src/reports/pdf-in-worker.js';
import { gatherShiftReport } from '../src/reports/shift-report.js';
import { MAX_EXPORT_ROWS } from '../src/supervision/audit-methods.js';
import { largestShiftReport } from '../test/fixtures/largest-report.js';
import { benchKiosk, supervisor } from './bench-kiosk.js';
import type { WorkerHeap } from './report-probe-worker.js';

const [dbPath, kind] = process.argv.slice(2) as [string, 'pdf' | 'largest' | 'csv'];
const MB = 2 ** 20;

interface Memory {
  rss: number;
  hwm: number;
}
function memory(): Memory {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
/** Starts a stage: the peak so far forgotten (Linux: "5" resets VmHWM to the current RSS). */
function resetPeak(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}
const mb = (x: number) => `${x.toFixed(0)} MB`;
const plus = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(0)} MB`;

const kiosk = benchKiosk(dbPath);
await kiosk.start();
const { call, ctx } = await supervisor(kiosk);
const afterStart = memory();
// A supervisor's searches first, as before any report: they grow SQLite's caches and V8's young
// generation, which the kiosk keeps.
const last = (await call('audit.search', { limit: 1 })).rows[0]!;
const lastMs = Date.parse(last.at);
for (let i = 0; i < 50; i++) {
  const at = lastMs - (i + 1) * 86_400_000;
  await call('audit.search', { name: 'Nguyễn Văn', limit: 100 });
  await call('audit.search', {
    from: new Date(at).toISOString(),
    to: new Date(at + 86_400_000).toISOString(),
  });
  await call('audit.search', { decision: 'DENY', limit: 100 });
  await call('audit.search', { shiftId: Math.max(1, (last.shiftId ?? 1) - i), limit: 100 });
}
const floor = memory();
console.log(
  `  [${kind}] floor: ${mb(afterStart.rss)} after start, ${mb(floor.rss)} after 200 searches (the kiosk before the report)`,
);

let peak = 0;
if (kind === 'pdf' || kind === 'largest') {
  const shiftId = Math.max(1, (last.shiftId ?? 2) - 1);
  const largest = largestShiftReport();
  // The call as a supervisor makes it, the answer serialised as the browser host sends it: the figure.
  const wholeCall = async (label: string) => {
    await settle();
    const before = memory();
    resetPeak();
    let sent: number;
    if (kind === 'pdf') {
      const envelope = await kiosk.dispatcher.call(
        { id: 1, method: 'export.shiftReport', params: { shiftId } },
        ctx,
      );
      if (!envelope.ok) throw new Error(`export.shiftReport: ${envelope.error.code}`);
      sent = JSON.stringify(envelope).length;
    } else {
      const pdf = await renderShiftReportInWorker(largest);
      sent = JSON.stringify({ base64: pdf.toString('base64') }).length;
    }
    const after = memory();
    peak = Math.max(peak, after.hwm);
    console.log(
      `    ${label}, answer serialised (${(sent / 1024).toFixed(0)} KB): peak ${mb(after.hwm)}, ` +
        `${plus(after.hwm - floor.rss)} over the floor (RSS before it ${mb(before.rss)})`,
    );
  };
  await wholeCall(kind === 'pdf' ? 'the whole call' : 'rendered in the worker');
  // Where it goes, stage by stage, each from the RSS just before it.
  let data = largest;
  if (kind === 'pdf') {
    await settle();
    const before = memory();
    resetPeak();
    const shift = kiosk.supervision.auth.shifts.view(kiosk.supervision.auth.shifts.get(shiftId));
    data = await gatherShiftReport(kiosk.currentStore()!.db, shift, data.checkpoint, Date.now());
    const gathered = memory();
    const passages = data.byHour.reduce(
      (n, h) => n + h.in.allowed + h.in.denied + h.in.review + h.out.allowed + h.out.denied + h.out.review,
      0,
    );
    console.log(
      `    gathering (scan thread; ${passages.toLocaleString('en')} passages, ${data.denials.length} denials and ${data.overrides.length} overrides listed): ` +
        `peak ${plus(gathered.hwm - before.rss)}, the data ${(JSON.stringify(data).length / 1024).toFixed(0)} KB`,
    );
  }
  // The worker as the kiosk runs it (same limits), its own heap sampled from inside.
  await settle();
  const before = memory();
  resetPeak();
  const heap = await instrumentedRender(data);
  const rendered = memory();
  console.log(
    `    the worker rendering it: peak ${plus(rendered.hwm - before.rss)} (its thread, PDFKit and the fonts loaded ` +
      `${plus(heap.loadedRss - before.rss)}; its heap at most ${mb(heap.used)} used of ${mb(heap.total)}, ` +
      `${mb(heap.external)} off-heap), ${heap.pages} pages; the PDF ${(heap.bytes / 1024).toFixed(0)} KB`,
  );
  // A kiosk that has made reports keeps some of their memory (freed blocks the allocator keeps).
  await wholeCall('the same once more');
} else {
  resetPeak();
  const envelope = await kiosk.dispatcher.call({ id: 1, method: 'export.csv', params: { lang: 'vi' } }, ctx);
  if (!envelope.ok) throw new Error(`export.csv: ${envelope.error.code}`);
  const built = memory();
  const result = envelope.result as { base64: string; rows: number };
  const text = JSON.stringify(envelope);
  const whole = memory();
  peak = whole.hwm;
  console.log(
    `    ${result.rows.toLocaleString('en')} rows (the cap, MAX_EXPORT_ROWS ${MAX_EXPORT_ROWS.toLocaleString('en')}): ` +
      `file ${((result.base64.length * 3) / 4 / MB).toFixed(1)} MB, base64 ${(result.base64.length / MB).toFixed(1)} MB; ` +
      `peak ${mb(built.hwm)} making it, ${mb(whole.hwm)} with the answer serialised (${(text.length / MB).toFixed(1)} MB) ` +
      `(${plus(whole.hwm - floor.rss)} over the floor)`,
  );
}
await kiosk.stop();
console.log(JSON.stringify({ kind, floor: floor.rss, peak }));

/** Lets the worker's thread be torn down and its memory returned before the next stage. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

function instrumentedRender(data: unknown): Promise<WorkerHeap & { loadedRss: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./report-probe-worker.js', import.meta.url), {
      resourceLimits: REPORT_WORKER_LIMITS,
    });
    let loadedRss = 0;
    worker.on('message', (m: { loaded: true } | WorkerHeap) => {
      if ('loaded' in m) {
        loadedRss = memory().rss;
        worker.postMessage(data);
      } else {
        void worker.terminate().then(() => resolve({ ...m, loadedRss }));
      }
    });
    worker.once('error', reject);
  });
}
