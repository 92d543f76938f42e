// Renders a shift report in a worker thread (pdf-worker.ts), off the scan thread.
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { workerSource } from '../base/worker-source.js';
import { KioskError } from '../contract/errors.js';
import type { ShiftReportData } from './shift-report.js';

function failed(why: string): KioskError {
  return new KioskError(
    'REPORT_FAILED',
    `Không tạo được báo cáo PDF: ${why}`,
    `Could not make the PDF report: ${why}`,
  );
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
  const { source, eval: isEval } = workerSource(import.meta.url, 'pdf-worker');
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
