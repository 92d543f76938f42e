// The report worker as bench/report-probe.ts runs it: the kiosk's pdf-worker.ts rendering, with its
// own heap sampled every millisecond (PDFKit gives the event loop back every few rows).
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { renderShiftReportPdf } from '../src/reports/pdf.js';
import type { ShiftReportData } from '../src/reports/shift-report.js';

export interface WorkerHeap {
  used: number;
  total: number;
  external: number;
  bytes: number;
  pages: number;
}

const MB = 2 ** 20;
parentPort?.on('message', async (data: ShiftReportData) => {
  const max = { used: 0, total: 0, external: 0 };
  const sample = () => {
    const h = getHeapStatistics();
    max.used = Math.max(max.used, h.used_heap_size / MB);
    max.total = Math.max(max.total, h.total_heap_size / MB);
    max.external = Math.max(max.external, h.external_memory / MB);
  };
  const timer = setInterval(sample, 1);
  const pdf = await renderShiftReportPdf(data);
  clearInterval(timer);
  sample();
  const pages = pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;
  parentPort?.postMessage({ ...max, bytes: pdf.length, pages } satisfies WorkerHeap);
});
parentPort?.postMessage({ loaded: true });
