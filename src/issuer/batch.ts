// `kiosk issue --csv`: validate every row, then sign each permit and write its QR PNG and A4 sheet,
// then a summary of what was issued. A bad row, an existing file or a bad key stops it before the
// first permit is signed.
import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import QRCode from 'qrcode';
import { KioskError } from '../contract/errors.js';
import { kidOf } from '../contract/keys.js';
import { vietnamParts } from '../contract/time.js';
import { permitHash } from '../formats/vnp1.js';
import { issuePermit } from '../formats/vnp1-issue.js';
import { maskIdNumber } from '../lane/permit-view.js';
import { type BatchRow, csvError, parseBatchCsv, type RowProblem } from './csv.js';
import { renderPermitSheet } from './sheet.js';

export interface BatchIssueOptions {
  csv: Uint8Array;
  key: KeyObject;
  iss: string;
  issuerName: string;
  outDir: string;
  /** Issue time, seconds since the epoch. */
  now: number;
  defaultValidTo: string;
  serialPrefix?: string;
  /** Overwrite files left by an earlier batch. */
  force?: boolean;
}

export interface IssuedPermit {
  line: number;
  cti: string;
  hash: string;
  name: string;
  idnMasked: string;
  purpose: string;
  areas: string[];
  validFrom: string;
  validTo: string;
  text: string;
  png: string;
  pdf: string;
}

export interface BatchSummary {
  issuedAt: string;
  iss: string;
  issuerName: string;
  kid: string;
  count: number;
  summary: string;
  permits: IssuedPermit[];
}

export const SUMMARY_FILE = 'issued.json';

/** A serial as a file name: anything but letters, digits, _ . - becomes _. */
export function fileStem(cti: string): string {
  return cti.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Batch serials that need none typed: L + the issue time in Vietnam time + "-", e.g. L20210910080000-. */
export function defaultSerialPrefix(nowS: number): string {
  const p = vietnamParts(nowS * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `L${p.year}${two(p.month)}${two(p.day)}${two(p.hour)}${two(p.minute)}${two(p.second)}-`;
}

/** A PNG of a permit's QR code: error correction M, one alphanumeric segment (base45's alphabet). */
export function permitPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer([{ data: text, mode: 'alphanumeric' }], {
    errorCorrectionLevel: 'M',
    type: 'png',
    scale: 6,
    margin: 4,
  });
}

function planFiles(
  rows: BatchRow[],
  outDir: string,
  force: boolean,
): Map<string, { png: string; pdf: string }> {
  const problems: RowProblem[] = [];
  const byStem = new Map<string, number>();
  const files = new Map<string, { png: string; pdf: string }>();
  for (const row of rows) {
    const stem = fileStem(row.claims.cti);
    const other = byStem.get(stem);
    if (other !== undefined) {
      problems.push({
        line: row.line,
        column: null,
        vi: `số giấy ${row.claims.cti} cho cùng tên tệp với dòng ${other} (${stem})`,
        en: `serial ${row.claims.cti} makes the same file name as line ${other} (${stem})`,
      });
      continue;
    }
    byStem.set(stem, row.line);
    const planned = { png: join(outDir, `${stem}.png`), pdf: join(outDir, `${stem}.pdf`) };
    for (const f of [planned.png, planned.pdf]) {
      if (!force && existsSync(f)) {
        problems.push({
          line: row.line,
          column: null,
          vi: `${f} đã có (dùng --force để ghi đè)`,
          en: `${f} exists (use --force to overwrite)`,
        });
      }
    }
    files.set(row.claims.cti, planned);
  }
  if (problems.length > 0) throw csvError(problems);
  return files;
}

function write(file: string, data: Buffer | string): void {
  try {
    writeFileSync(file, data);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new KioskError(
      'FILE_UNWRITABLE',
      `Không ghi được ${file} (${why})`,
      `Cannot write ${file} (${why})`,
    );
  }
}

export async function issueBatch(opts: BatchIssueOptions): Promise<BatchSummary> {
  const rows = parseBatchCsv(opts.csv, {
    iss: opts.iss,
    now: opts.now,
    defaultValidTo: opts.defaultValidTo,
    serialPrefix: opts.serialPrefix ?? defaultSerialPrefix(opts.now),
  });
  const outDir = resolve(opts.outDir);
  const summaryFile = join(outDir, SUMMARY_FILE);
  if (!opts.force && existsSync(summaryFile)) {
    throw new KioskError(
      'FILE_EXISTS',
      `${summaryFile} đã có: chọn thư mục khác hoặc dùng --force`,
      `${summaryFile} exists: choose another directory or use --force`,
    );
  }
  const files = planFiles(rows, outDir, opts.force === true);
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNWRITABLE',
      `Không tạo được ${outDir} (${why})`,
      `Cannot create ${outDir} (${why})`,
    );
  }

  const permits: IssuedPermit[] = [];
  for (const row of rows) {
    const { claims } = row;
    const text = issuePermit(claims, opts.key);
    const hash = permitHash(claims.iss, claims.cti);
    const target = files.get(claims.cti) as { png: string; pdf: string };
    write(target.png, await permitPng(text));
    write(target.pdf, await renderPermitSheet({ claims, text, hash, issuerName: opts.issuerName }));
    permits.push({
      line: row.line,
      cti: claims.cti,
      hash,
      name: claims.permit.nam,
      idnMasked: maskIdNumber(claims.permit.idn),
      purpose: claims.permit.pur,
      areas: claims.permit.areas,
      validFrom: new Date((claims.nbf ?? claims.iat) * 1000).toISOString(),
      validTo: new Date(claims.exp * 1000).toISOString(),
      text,
      png: target.png,
      pdf: target.pdf,
    });
  }
  const summary: BatchSummary = {
    issuedAt: new Date(opts.now * 1000).toISOString(),
    iss: opts.iss,
    issuerName: opts.issuerName,
    kid: kidOf(opts.key).toString('base64'),
    count: permits.length,
    summary: summaryFile,
    permits,
  };
  write(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
