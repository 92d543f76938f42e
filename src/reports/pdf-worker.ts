// Worker thread that renders a shift report to PDF (pdf.ts), so that PDFKit's synchronous layout and
// font subsetting never hold up the kiosk's scans. Receives the report's data, answers with the bytes.
import { parentPort } from 'node:worker_threads';
import { renderShiftReportPdf } from './pdf.js';
import type { ShiftReportData } from './shift-report.js';

parentPort?.once('message', (data: ShiftReportData) => {
  renderShiftReportPdf(data).then(
    (pdf) => {
      const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength).slice();
      parentPort?.postMessage({ ok: true, bytes }, [bytes.buffer]);
    },
    (err: unknown) =>
      parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
