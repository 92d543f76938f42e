// Vietnam time (UTC+7, no daylight saving) computed arithmetically, so the machine's TZ never matters.
const VN_OFFSET_MS = 7 * 3600 * 1000;
const DAY_MS = 86_400_000;

/** Minutes since local midnight in Vietnam for an epoch-milliseconds instant. */
export function vietnamMinuteOfDay(epochMs: number): number {
  const ms = (((epochMs + VN_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.floor(ms / 60_000);
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
