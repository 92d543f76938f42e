// Dates and times as the guards read them: dd/mm/yyyy HH:mm in Vietnam time (src/contract/time.ts),
// whatever time zone the browser or the kiosk machine is set to. These take what the kiosk API sends
// (ISO text) as well as epoch milliseconds, and show unparseable input as it came.
import * as vn from '../../src/contract/time.js';

function toMs(value: string | number): number | null {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** dd/mm/yyyy HH:mm in Vietnam time. */
export function formatVnDateTime(value: string | number): string {
  const ms = toMs(value);
  return ms === null ? String(value) : vn.formatVnDateTime(ms);
}

/** HH:mm:ss (or HH:mm) in Vietnam time. */
export function formatVnTime(value: string | number, seconds = true): string {
  const ms = toMs(value);
  return ms === null ? String(value) : vn.formatVnTime(ms, seconds);
}

/** dd/mm/yyyy in Vietnam time. */
export function formatVnDate(value: string | number): string {
  const ms = toMs(value);
  return ms === null ? String(value) : vn.formatVnDate(ms);
}
