// Vietnam time (UTC+7, no daylight saving), the one module for it: computed arithmetically so that the
// machine's or the browser's time zone never matters. Dates are shown as dd/mm/yyyy HH:mm (DESIGN.md).
// No Node imports: the renderer and the dashboard bundle this file.

export const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

const pad = (n: number) => String(n).padStart(2, '0');

/** The wall-clock fields in Vietnam of an instant (epoch ms). */
export function vietnamParts(epochMs: number) {
  const d = new Date(epochMs + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The instant (epoch ms) of a Vietnam wall-clock time; null when that date or time does not exist. */
export function fromVietnam(year: number, month: number, day: number, hour = 0, minute = 0): number | null {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(ms);
  // 31/02 must not roll over into March.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day)
    return null;
  return ms - VN_OFFSET_MS;
}

/** Midnight in Vietnam of the day containing epochMs. */
export function startOfVietnamDay(epochMs: number): number {
  return Math.floor((epochMs + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
}

/** Days since 1970-01-01 in Vietnam time: calendar-day arithmetic (vaccinated N days ago). */
export function vietnamDayNumber(epochMs: number): number {
  return Math.floor((epochMs + VN_OFFSET_MS) / DAY_MS);
}

/** Days since 1970-01-01 of a calendar date, for any year (0–99 are not taken for 1900–1999). */
export function calendarDayNumber(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year);
  return Math.floor(d.getTime() / DAY_MS);
}

/** Minutes since local midnight in Vietnam for an epoch-milliseconds instant. */
export function vietnamMinuteOfDay(epochMs: number): number {
  const ms = (((epochMs + VN_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(ms / 60_000);
}

/** yyyy-mm-dd of the Vietnam day containing an instant. */
export function vietnamIsoDate(epochMs: number): string {
  const p = vietnamParts(epochMs);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** dd/mm/yyyy of the Vietnam day containing an instant. */
export function formatVnDate(epochMs: number): string {
  const p = vietnamParts(epochMs);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** HH:mm (with :ss when asked) in Vietnam time. */
export function formatVnTime(epochMs: number, seconds = false): string {
  const p = vietnamParts(epochMs);
  return `${pad(p.hour)}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ''}`;
}

/** dd/mm/yyyy HH:mm (with :ss when asked) in Vietnam time. */
export function formatVnDateTime(epochMs: number, seconds = false): string {
  return `${formatVnDate(epochMs)} ${formatVnTime(epochMs, seconds)}`;
}

/** HH:00 of the hour containing an instant, in Vietnam time. */
export function formatVnHour(epochMs: number): string {
  return `${pad(vietnamParts(epochMs).hour)}:00`;
}

export function parseHHMM(s: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) throw new Error(`not HH:MM: ${s}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Whether a minute of the day lies in the window [from, to): the start is inside, the end is not.
 * A window whose end is before its start wraps midnight; from == to means the whole day.
 */
export function inDailyWindow(minute: number, window: readonly [string, string]): boolean {
  const from = parseHHMM(window[0]);
  const to = parseHHMM(window[1]);
  if (from === to) return true;
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}
