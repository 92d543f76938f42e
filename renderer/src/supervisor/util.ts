// Small helpers of the supervisor's screens: Vietnam-time inputs, saving a file the kiosk sent, and
// the bilingual message of a failed call.
import { formatVnDate, fromVietnam } from '../../../src/contract/time.js';

/**
 * Reads "dd/mm/yyyy" or "dd/mm/yyyy HH:mm" typed by a person as Vietnam time (the browser's own date
 * pickers follow its locale, often mm/dd/yyyy, so the kiosk reads text itself). '' → undefined;
 * anything else (31/02, 25:00 included) → null.
 */
export function parseVnDateTime(text: string): string | undefined | null {
  const v = text.trim();
  if (!v) return undefined;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?$/.exec(v);
  if (!m) return null;
  const [d, mo, y, h = '0', mi = '0'] = m.slice(1) as [string, string, string, string?, string?];
  const ms = fromVietnam(Number(y), Number(mo), Number(d), Number(h), Number(mi));
  return ms === null ? null : new Date(ms).toISOString();
}

/** dd/mm/yyyy of the Vietnam day containing an instant. */
export function vnDay(ms: number): string {
  return formatVnDate(ms);
}

/** A Vietnam day typed as dd/mm/yyyy → [start, end) as ISO instants; null when it is no date. */
export function vnDayRange(day: string): { from: string; to: string } | null {
  const start = parseVnDateTime(day);
  if (!start) return null;
  const ms = Date.parse(start);
  return { from: start, to: new Date(ms + 86_400_000).toISOString() };
}

/** Saves a file the kiosk sent (CSV, PDF) through the browser's download. */
export function saveFile(file: { filename: string; mime: string; base64: string }): void {
  const bin = atob(file.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function messageOf(err: unknown, lang: 'vi' | 'en'): string {
  const e = err as { vi?: unknown; en?: unknown } | null;
  const text = lang === 'en' ? e?.en : e?.vi;
  return typeof text === 'string' ? text : lang === 'en' ? 'Unknown error' : 'Lỗi không rõ';
}
