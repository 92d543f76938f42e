// Renders a shift report in a worker thread (pdf-worker.ts). The compiled kiosk runs the .js beside this
// file; from the TypeScript sources (tests, bench) the worker first registers tsx's loader, which a
// worker's execArgv cannot do on Node 20 (as src/documents/revocation-read.ts does).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { KioskError } from '../contract/errors.js';
import type { ShiftReportData } from './shift-report.js';

function failed(why: string): KioskError {
  return new KioskError(
    'REPORT_FAILED',
    `Không tạo được báo cáo PDF: ${why}`,
    `Could not make the PDF report: ${why}`,
  );
}

function workerSource(): { source: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts'))
    return { source: new URL('./pdf-worker.js', import.meta.url), eval: false };
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
  const entry = new URL('./pdf-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return { source: code, eval: true };
}

/**
 * The worker's heap, within the kiosk's 200 MB: the largest report (test/fixtures/largest-report.ts)
 * keeps about 30 MB alive. A young generation of 4 MB instead of V8's default (up to 48 MB, filled with
 * PDFKit's short-lived layout objects before each scavenge) took 10–25 MB off the kiosk's peak.
 */
export const REPORT_WORKER_LIMITS: ResourceLimits = {
  maxOldGenerationSizeMb: 64,
  maxYoungGenerationSizeMb: 4,
};

/** The PDF bytes of a shift report, made off the scan thread within the heap limits given. */
export function renderShiftReportInWorker(
  data: ShiftReportData,
  limits: ResourceLimits = REPORT_WORKER_LIMITS,
): Promise<Buffer> {
  const { source, eval: isEval } = workerSource();
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: isEval, resourceLimits: limits });
    let settled = false;
    // Answered once the thread is gone: its heap is freed before a next report's worker starts.
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate().finally(f);
    };
    worker.once('message', (reply: { ok: true; bytes: Uint8Array } | { ok: false; error: string }) =>
      done(() =>
        reply.ok
          ? resolve(Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength))
          : reject(failed(reply.error)),
      ),
    );
    worker.once('error', (err) => done(() => reject(failed(err.message))));
    worker.once('exit', (code) =>
      done(() => reject(failed(`the report worker exited (${code}) before answering`))),
    );
    worker.postMessage(data);
  });
}
