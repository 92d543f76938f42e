// Small helpers of the supervisor's screens: Vietnam-time inputs, saving a file the kiosk sent, and
// the bilingual message of a failed call.

const VN_OFFSET_MS = 7 * 3_600_000;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Reads "dd/mm/yyyy" or "dd/mm/yyyy HH:mm" typed by a person as Vietnam time (the browser's own date
 * pickers follow its locale, often mm/dd/yyyy, so the kiosk reads text itself). '' → undefined;
 * anything else → null.
 */
export function parseVnDateTime(text: string): string | undefined | null {
  const v = text.trim();
  if (!v) return undefined;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?$/.exec(v);
  if (!m) return null;
  const [d, mo, y, h = '0', mi = '0'] = m.slice(1) as [string, string, string, string?, string?];
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  const back = new Date(ms);
  // 31/02 or 25:00 must not roll over into another day.
  if (
    back.getUTCDate() !== Number(d) ||
    back.getUTCMonth() !== Number(mo) - 1 ||
    Number(h) > 23 ||
    Number(mi) > 59
  ) {
    return null;
  }
  return new Date(ms - VN_OFFSET_MS).toISOString();
}

/** dd/mm/yyyy of the Vietnam day containing an instant. */
export function vnDay(ms: number): string {
  const d = new Date(ms + VN_OFFSET_MS);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
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
