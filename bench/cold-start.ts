// Cold start to "ready to scan" (DESIGN.md: ≤ 2 s) on an empty database and on one holding 5 million
// passages (bench/audit.ts's cached log), each in a fresh process running the bundled JavaScript as the
// shipped kiosk does, beside the same-run floor: a bare Node process started the same way. Also the
// resident memory of the kiosk holding 5 million passages (≤ 200 MB). The page cache is warm (the log
// was just written or used): a kiosk after a reboot reads its pages from disk on first use.
//   node --import tsx bench/cold-start.ts [passages]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditBenchKey, compiledProbe, ensureAuditBenchDb } from './audit.js';
import { recordBudget } from './budgets.js';
import { percentile } from './stats.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const BUDGET_READY_MS = 2000;
const BUDGET_RSS_MB = 200;

interface Probe {
  loadedMs: number;
  startMs: number;
  readyMs: number;
  firstScanMs: number;
  rssReady: number;
  rss: number;
}

function runProbe(probe: string | null, database: string, keyFile: string | null): Probe {
  // The shared cached log is only started on, never scanned into: the audit bench reads it as generated.
  const rest = [database, ...(keyFile ? [keyFile, '--no-scan'] : [])];
  const args = probe ? [probe, ...rest] : ['--import', 'tsx', join(HERE, 'cold-start-probe.ts'), ...rest];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Probe;
}

/** A bare Node process: from its start to its first line of code, the floor of any cold start. */
function bareNodeMs(): number {
  const out = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(performance.now()))'], {
    encoding: 'utf8',
  });
  return Number(out);
}

const within = (x: number, budget: number) => (x <= budget ? 'within' : 'OVER');

export async function benchColdStart(passages: number, runs = 3): Promise<Record<string, string>> {
  const probe = await compiledProbe('cold-start-probe');
  if (!probe) console.log('  (esbuild missing: the probe runs under tsx, its start reads high)');
  const floor = percentile(
    Array.from({ length: 5 }, () => bareNodeMs()).sort((a, b) => a - b),
    50,
  );
  const median = (xs: Probe[], k: keyof Probe) =>
    percentile(
      xs.map((x) => x[k]).sort((a, b) => a - b),
      50,
    );
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-cold-'));
  const results: Record<string, string> = {};
  try {
    const empty = Array.from({ length: runs }, (_, i) => runProbe(probe, join(dir, `empty-${i}.db`), null));
    const big = ensureAuditBenchDb(passages);
    const full = Array.from({ length: runs }, () => runProbe(probe, big, auditBenchKey(big)));
    console.log(`  bare Node process to its first line (floor, same run): ${floor.toFixed(0)} ms`);
    for (const [label, xs] of [
      ['empty database', empty],
      [`${passages.toLocaleString('en')} passages`, full],
    ] as const) {
      const ready = median(xs, 'readyMs');
      console.log(
        `  cold start to ready, ${label.padEnd(20)} ${ready.toFixed(0)} ms (median of ${runs}; modules loaded at ${median(xs, 'loadedMs').toFixed(0)} ms, kiosk.start ${median(xs, 'startMs').toFixed(0)} ms; first scan ${typeof xs[0]?.firstScanMs !== 'number' ? '—' : `${median(xs, 'firstScanMs').toFixed(1)} ms`}) — budget ≤ ${BUDGET_READY_MS} ms: ${within(ready, BUDGET_READY_MS)}; floor ${floor.toFixed(0)} ms`,
      );
      results[label] = `${ready.toFixed(0)} ms`;
      recordBudget('coldStart', `${label}: ${ready.toFixed(0)} ms`, ready <= BUDGET_READY_MS);
    }
    const rss = Math.max(...full.map((x) => x.rss));
    const rssEmpty = Math.max(...empty.map((x) => x.rss));
    console.log(
      `  resident memory, ${passages.toLocaleString('en')} passages, ready: ${rss.toFixed(0)} MB (empty database, ready and one scan: ${rssEmpty.toFixed(0)} MB, same run) — budget ≤ ${BUDGET_RSS_MB} MB: ${within(rss, BUDGET_RSS_MB)} (reports: the [audit] figures)`,
    );
    results.rss = `${rss.toFixed(0)} MB`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) await benchColdStart(Number(process.argv[2] ?? process.env.BENCH_PASSAGES ?? 5_000_000));
