// The budgets of DESIGN.md "Performance budgets", and each one's figure as the benches measure it. A
// bench (in this process or a child) records a figure to a file named by the environment, so that
// `npm run bench` can end with one table; a budget no bench of the run measured shows "not run".
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export const BUDGETS = {
  scanP50: 'scan → committed verdict p50 ≤ 2× floor',
  scanP99: 'scan → committed verdict p99 ≤ 2.5 ms',
  paintedP99: 'serial bytes → verdict painted (Chromium) p99 ≤ 50 ms',
  ingest: 'sustained ingest ≥ 2,000 scans/s',
  searchP95: 'audit search over 5 M passages p95 ≤ 50 ms',
  reportP95: 'shift report ≤ 200 ms',
  drainRatio: 'outbox drain ≥ ½ raw mqtt.js',
  receiptP99: 'receipts p99 ≤ 2 s after commit',
  ccIngest: 'command centre ≥ 5,000 msg/s',
  ccFleet: '1,000 simulated kiosks, exact totals',
  cameraFps: 'camera 640×480 ≥ 30 frames/s',
  cameraReads: 'camera reads ≥ zxing-cpp',
  revocationLookup: 'revocation lookup (1 M) ≤ 0.05 ms',
  revocationApply: 'apply a full list of 1 M ≤ 10 s',
  revocationPeak: 'peak memory applying 1 M ≤ 250 MB',
  coldStart: 'cold start to ready ≤ 2 s',
  residentMemory: 'resident memory, 5 M passages, reports ≤ 200 MB',
  reportMemory: 'resident memory making a report (PDF, CSV) ≤ 200 MB',
} as const;
export type BudgetId = keyof typeof BUDGETS;

const FILE_ENV = 'BENCH_BUDGET_FILE';

/** Records a budget's figure (the last record of a budget wins). No-op outside `npm run bench`. */
export function recordBudget(id: BudgetId, figure: string, within: boolean): void {
  const file = process.env[FILE_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ id, figure, within })}\n`);
}

export function startBudgetFile(file: string): void {
  process.env[FILE_ENV] = file;
}

/** The table: every budget, its figure and within / over, or "not run". */
export function budgetTable(file: string): string {
  const seen = new Map<string, { figure: string; within: boolean }>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const r = JSON.parse(line) as { id: string; figure: string; within: boolean };
      seen.set(r.id, r);
    }
  }
  const rows = Object.entries(BUDGETS).map(([id, text]) => {
    const r = seen.get(id);
    return [text, r?.figure ?? '—', r ? (r.within ? 'within' : 'OVER') : 'not run'];
  });
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  const w1 = Math.max(...rows.map((r) => r[1]!.length));
  return rows.map(([a, b, c]) => `  ${a!.padEnd(w0)}  ${b!.padEnd(w1)}  ${c}`).join('\n');
}
