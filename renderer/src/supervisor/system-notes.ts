// What the kiosk is doing in the background or cannot do, in words, for the supervisor's and the
// admin's screens: the retention purge under way and a signed document that could not be applied.
import type { KioskStatus } from '../../../src/contract/api.js';
import { formatVnDateTime, formatVnTime } from '../format.js';
import { type Lang, supText } from './texts.js';

export interface SystemNote {
  kind: 'purge' | 'documents';
  tone: 'info' | 'bad';
  text: string;
  /** Done, from 0 to 1, when known. */
  fraction: number | null;
}

export function systemNotes(status: KioskStatus | null, lang: Lang): SystemNote[] {
  const t = supText(lang);
  const notes: SystemNote[] = [];
  const purge = status?.purge;
  if (purge) {
    const before = formatVnDateTime(purge.before);
    const text =
      purge.total === null
        ? t.purgeCounting(before)
        : purge.phase === 'tidying'
          ? t.purgeTidying(purge.done)
          : t.purgeRunning(Math.min(purge.done, purge.total), purge.total, before);
    notes.push({
      kind: 'purge',
      tone: 'info',
      text: purge.resumed ? `${text} (${t.purgeResumed})` : text,
      fraction: purge.total ? Math.min(1, purge.done / purge.total) : null,
    });
  }
  const docs = status?.documents;
  if (docs && !docs.ok && docs.fault) {
    notes.push({
      kind: 'documents',
      tone: 'bad',
      text: t.documentsFault(docs.fault[lang], docs.since ? formatVnTime(docs.since, false) : '?'),
      fraction: null,
    });
  }
  return notes;
}
