// Does the health certificate belong to the permit's holder? Names are compared after folding case
// and diacritics (Vietnamese included: "Nguyễn Thị Hằng" ~ "NGUYEN<THI<HANG"), as the ICAO 9303
// transliteration in `fnt`/`gnt` does. Word order is ignored: permits write the family name first,
// certificates split it into family and given names, and foreign permits may write either order.
import type { DccName } from '../formats/hc1-types.js';

// Letters NFD does not decompose, written as ICAO 9303 transliterates them.
const SPECIAL: Record<string, string> = {
  Đ: 'D',
  đ: 'D',
  Ð: 'D',
  ð: 'D',
  Ø: 'OE',
  ø: 'OE',
  Æ: 'AE',
  æ: 'AE',
  Œ: 'OE',
  œ: 'OE',
  ß: 'SS',
  Ł: 'L',
  ł: 'L',
  Þ: 'TH',
  þ: 'TH',
  ı: 'I',
};

/** The words of a name in upper-case ASCII: diacritics dropped, `<`, spaces and hyphens separate. */
export function nameWords(name: string): string[] {
  let folded = '';
  for (const ch of name.normalize('NFD')) folded += SPECIAL[ch] ?? ch;
  return folded
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((w, i) => w === y[i]);
}

/**
 * The permit's name matches the certificate's, in its transliteration (fnt, gnt) or its original
 * spelling (fn, gn), each folded. "Gößinger" folds to GOSSINGER while fnt says GOESSINGER: trying
 * both spellings accepts either way of writing it on the permit.
 */
export function namesMatch(permitName: string, nam: DccName): boolean {
  const holder = nameWords(permitName);
  const candidates = [[nam.fnt, nam.gnt ?? '']];
  if (nam.fn !== null) candidates.push([nam.fn, nam.gn ?? '']);
  return candidates.some(([family, given]) =>
    sameWords(holder, [...nameWords(family ?? ''), ...nameWords(given ?? '')]),
  );
}

/**
 * Birth dates agree unless both are known and differ. The certificate may give only YYYY or YYYY-MM
 * (the EU schema allows it), which must then be a prefix of the permit's YYYY-MM-DD.
 */
export function birthDatesAgree(permitDob: string | undefined, dccDob: string): boolean {
  if (permitDob === undefined || permitDob === '' || dccDob === '') return true;
  return permitDob.startsWith(dccDob);
}
