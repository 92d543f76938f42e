// Dates and times as the guards read them: dd/mm/yyyy HH:mm in Vietnam time (UTC+7, no daylight
// saving), whatever time zone the browser or the kiosk machine is set to.
const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

const pad = (n: number) => String(n).padStart(2, '0');

function vnParts(ms: number) {
  const d = new Date(ms + VN_OFFSET_MS);
  return {
    day: pad(d.getUTCDate()),
    month: pad(d.getUTCMonth() + 1),
    year: String(d.getUTCFullYear()),
    hour: pad(d.getUTCHours()),
    minute: pad(d.getUTCMinutes()),
    second: pad(d.getUTCSeconds()),
  };
}

function toMs(value: string | number): number | null {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** dd/mm/yyyy HH:mm in Vietnam time; an unparseable input is returned as it came. */
export function formatVnDateTime(value: string | number): string {
  const ms = toMs(value);
  if (ms === null) return String(value);
  const p = vnParts(ms);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** HH:mm:ss (or HH:mm) in Vietnam time. */
export function formatVnTime(value: string | number, seconds = true): string {
  const ms = toMs(value);
  if (ms === null) return String(value);
  const p = vnParts(ms);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** dd/mm/yyyy in Vietnam time. */
export function formatVnDate(value: string | number): string {
  const ms = toMs(value);
  if (ms === null) return String(value);
  const p = vnParts(ms);
  return `${p.day}/${p.month}/${p.year}`;
}
