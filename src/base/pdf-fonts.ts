// Vietnamese text in PDFKit documents with the bundled Be Vietnam Pro (kiosks and issuers are offline).
// @fontsource ships the font split into unicode-range subsets (latin, latin-ext, vietnamese), as
// browsers load it; PDFKit draws one font per run, so text is cut into runs by subset exactly as a
// browser picks the @font-face whose range holds each character.
import { createRequire } from 'node:module';
import ranges from '@fontsource/be-vietnam-pro/unicode.json' with { type: 'json' };

const require = createRequire(import.meta.url);

/** The order browsers use: the CSS lists vietnamese, then latin-ext, then latin. */
const SUBSETS = ['vietnamese', 'latin-ext', 'latin'] as const;
type Subset = (typeof SUBSETS)[number];
export type Weight = 400 | 700;
const WEIGHTS: readonly Weight[] = [400, 700];

function parseRanges(spec: string): [number, number][] {
  return spec.split(',').map((part) => {
    const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
    const lo = Number.parseInt(from ?? '', 16);
    return [lo, to === undefined ? lo : Number.parseInt(to, 16)];
  });
}

const RANGES: ReadonlyArray<[Subset, [number, number][]]> = SUBSETS.map((s) => [
  s,
  parseRanges((ranges as Record<Subset, string>)[s]),
]);

function subsetOf(codePoint: number): Subset | null {
  for (const [subset, list] of RANGES) {
    for (const [lo, hi] of list) if (codePoint >= lo && codePoint <= hi) return subset;
  }
  return null;
}

/** Whether every character of the text has a glyph in the bundled font (controls excluded). */
export function isPrintable(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || subsetOf(cp) === null) return false;
  }
  return true;
}

/** Splits NFC text into runs that each use one font subset. */
export function fontRuns(text: string): { subset: Subset; text: string }[] {
  const runs: { subset: Subset; text: string }[] = [];
  for (const ch of text.normalize('NFC')) {
    const subset = subsetOf(ch.codePointAt(0) as number) ?? 'latin';
    const last = runs.at(-1);
    if (last && last.subset === subset) last.text += ch;
    else runs.push({ subset, text: ch });
  }
  return runs;
}

function fontName(weight: Weight, subset: Subset): string {
  return `be-vietnam-pro-${subset}-${weight}`;
}

/** The minimal PDFKit surface used here, so tests and other PDF writers can share this file. */
export interface FontDoc {
  registerFont(name: string, src: string): unknown;
  font(name: string): unknown;
  fontSize(size: number): unknown;
  text(text: string, x?: number, y?: number, options?: Record<string, unknown>): unknown;
  text(text: string, options?: Record<string, unknown>): unknown;
  widthOfString(text: string, options?: Record<string, unknown>): number;
}

/** Registers the six faces (two weights × three subsets) on a PDFKit document. */
export function registerVietnameseFonts(doc: FontDoc): void {
  for (const weight of WEIGHTS) {
    for (const subset of SUBSETS) {
      const file = require.resolve(
        `@fontsource/be-vietnam-pro/files/be-vietnam-pro-${subset}-${weight}-normal.woff`,
      );
      doc.registerFont(fontName(weight, subset), file);
    }
  }
}

export interface TextStyle {
  size: number;
  weight?: Weight;
}

/**
 * Writes text at (x, y), or at the current position when x is undefined, wrapping within
 * options.width like doc.text; the runs are chained with PDFKit's `continued`.
 */
export function writeText(
  doc: FontDoc,
  text: string,
  style: TextStyle,
  x?: number,
  y?: number,
  options: Record<string, unknown> = {},
): void {
  const runs = fontRuns(text);
  if (runs.length === 0) runs.push({ subset: 'latin', text: '' });
  doc.fontSize(style.size);
  runs.forEach((run, i) => {
    doc.font(fontName(style.weight ?? 400, run.subset));
    const opts = { ...options, continued: i < runs.length - 1 };
    if (i === 0 && x !== undefined) doc.text(run.text, x, y, opts);
    else doc.text(run.text, opts);
  });
}

/**
 * One line without wrapping, aligned in a box [x, x + width]; shrinks the size (down to 60 %) when the
 * text would not fit. PDFKit's own alignment works per run, so the line is placed here instead.
 */
export function writeLine(
  doc: FontDoc,
  text: string,
  style: TextStyle,
  x: number,
  y: number,
  box: { width: number; align?: 'left' | 'center' | 'right' },
): void {
  let size = style.size;
  let w = textWidth(doc, text, { ...style, size });
  if (w > box.width) {
    size = Math.max(style.size * 0.6, (style.size * box.width) / w);
    w = textWidth(doc, text, { ...style, size });
  }
  const align = box.align ?? 'left';
  const left = align === 'left' ? x : align === 'center' ? x + (box.width - w) / 2 : x + box.width - w;
  writeText(doc, text, { ...style, size }, left, y, { lineBreak: false });
}

/** Width of a single line of text in points. */
export function textWidth(doc: FontDoc, text: string, style: TextStyle): number {
  doc.fontSize(style.size);
  let width = 0;
  for (const run of fontRuns(text)) {
    doc.font(fontName(style.weight ?? 400, run.subset));
    width += doc.widthOfString(run.text);
  }
  return width;
}
