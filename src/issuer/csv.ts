// A batch of permits from a CSV file as issuers keep them (Excel, LibreOffice, Google Sheets): UTF-8
// with or without BOM, comma, semicolon or tab separated, Vietnamese or English headers. Every row is
// checked before anything is issued; every problem is reported with its line and column.
import { parse } from 'csv-parse/sync';
import { KioskError } from '../contract/errors.js';
import type { PermitBody } from '../formats/types.js';
import { ClaimsError } from '../formats/vnp1-claims.js';
import type { PermitToIssue } from '../formats/vnp1-issue.js';
import { checkPermitToIssue } from '../formats/vnp1-issue.js';
import {
  FieldError,
  fold,
  formatVnDateTime,
  parseArea,
  parseAreas,
  parseBirthDate,
  parseDateTime,
  parseHours,
  parseIdNumber,
  parseKind,
  parsePurpose,
  parseSerial,
  parseText,
  parseValidTo,
  parseVehicleType,
} from './fields.js';

export const FIELDS = [
  'cti',
  'name',
  'idn',
  'dob',
  'kind',
  'purpose',
  'areas',
  'home',
  'org',
  'route',
  'plate',
  'vehicleType',
  'validFrom',
  'validTo',
  'hours',
] as const;
export type Field = (typeof FIELDS)[number];

/** Accepted headers (compared folded: case, diacritics and punctuation aside). The first is canonical. */
export const HEADERS: Record<Field, readonly string[]> = {
  cti: ['Số giấy', 'Số hiệu', 'Mã giấy', 'serial', 'cti'],
  name: ['Họ và tên', 'Họ tên', 'name', 'full name', 'nam'],
  idn: ['Số CCCD', 'CCCD', 'Số CMND', 'CMND', 'Số CCCD/CMND', 'Số định danh', 'idn', 'id number'],
  dob: ['Ngày sinh', 'dob', 'date of birth'],
  kind: ['Loại giấy', 'kind'],
  purpose: ['Mục đích', 'Lý do', 'purpose', 'pur'],
  areas: ['Khu vực', 'Khu vực được đến', 'Địa bàn', 'areas'],
  home: ['Nơi ở', 'Nơi cư trú', 'home'],
  org: ['Cơ quan', 'Đơn vị', 'Nơi làm việc', 'org', 'employer'],
  route: ['Lộ trình', 'Tuyến đường', 'route'],
  plate: ['Biển số', 'Biển số xe', 'BKS', 'plate'],
  vehicleType: ['Loại xe', 'Phương tiện', 'vehicle type', 'vehicle'],
  validFrom: ['Từ ngày', 'Hiệu lực từ', 'valid from', 'from', 'nbf'],
  validTo: ['Đến ngày', 'Hiệu lực đến', 'valid to', 'to', 'exp'],
  hours: ['Giờ', 'Khung giờ', 'Giờ được đi', 'hours'],
};
/** Columns spreadsheets carry that are not part of a permit: read past, never signed. */
const IGNORED = ['stt', 'tt', 'no', 'ghi chu', 'note', 'notes'];
const REQUIRED: readonly Field[] = ['name', 'idn', 'purpose', 'areas'];

const HEADER_INDEX: ReadonlyMap<string, Field> = new Map(
  FIELDS.flatMap((f) => HEADERS[f].map((h) => [fold(h), f] as [string, Field])),
);

export interface BatchOptions {
  iss: string;
  /** Issue time, seconds. */
  now: number;
  /** End of validity when a row has none: days after its start (or a time), as `--valid-to`. */
  defaultValidTo: string;
  /** Serial for rows without one: prefix + 4-digit row sequence. */
  serialPrefix: string;
}

export interface BatchRow {
  /** Line of the CSV file the row ends on (the header is line 1). */
  line: number;
  claims: PermitToIssue;
}

export interface RowProblem {
  line: number;
  column: string | null;
  vi: string;
  en: string;
}

/** The problems as one bilingual error; the first 30 are listed. */
export function csvError(problems: RowProblem[]): KioskError {
  const shown = problems.slice(0, 30);
  const more = problems.length - shown.length;
  const where = (p: RowProblem, vi: boolean) =>
    `${vi ? 'dòng' : 'line'} ${p.line}${p.column === null ? '' : `, ${vi ? 'cột' : 'column'} "${p.column}"`}`;
  const vi = shown.map((p) => `  ${where(p, true)}: ${p.vi}`).join('\n');
  const en = shown.map((p) => `  ${where(p, false)}: ${p.en}`).join('\n');
  return new KioskError(
    'CSV_INVALID',
    `Tệp CSV có ${problems.length} lỗi; chưa cấp giấy nào:\n${vi}${more > 0 ? `\n  … và ${more} lỗi khác` : ''}`,
    `The CSV file has ${problems.length} problem(s); nothing was issued:\n${en}${more > 0 ? `\n  … and ${more} more` : ''}`,
  );
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KioskError(
      'CSV_INVALID',
      'Tệp CSV không phải UTF-8: trong Excel chọn Lưu thành "CSV UTF-8"',
      'The CSV file is not UTF-8: in Excel, save as "CSV UTF-8"',
    );
  }
}

function sniffDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, headerLine.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]?.[0] ?? ',';
}

/** Parses and validates a whole CSV file. Throws KioskError CSV_INVALID listing every problem. */
export function parseBatchCsv(bytes: Uint8Array, opts: BatchOptions): BatchRow[] {
  const text = decodeUtf8(bytes).replace(/^\uFEFF/, '');
  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parse(text, {
      delimiter: sniffDelimiter(text.split(/\r?\n/, 1)[0] ?? ''),
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { info: { lines: number }; record: string[] }[];
  } catch (err) {
    const why = (err as Error).message;
    throw new KioskError('CSV_INVALID', `Tệp CSV hỏng: ${why}`, `The CSV file is malformed: ${why}`);
  }
  const [head, ...rows] = records.filter((r) => r.record.some((c) => c.trim() !== ''));
  if (head === undefined || rows.length === 0) {
    throw new KioskError('CSV_INVALID', 'Tệp CSV không có dòng dữ liệu nào', 'The CSV file has no data rows');
  }
  const problems: RowProblem[] = [];
  const columns = mapHeader(head.record, head.info.lines, problems);
  if (problems.length > 0) throw csvError(problems);

  const out: BatchRow[] = [];
  const serials = new Map<string, number>();
  rows.forEach((r, index) => {
    const line = r.info.lines;
    if (r.record.length > head.record.length) {
      problems.push({
        line,
        column: null,
        vi: `có ${r.record.length} ô, nhiều hơn ${head.record.length} cột của tiêu đề (dấu phẩy trong ô cần ngoặc kép)`,
        en: `has ${r.record.length} cells, more than the header's ${head.record.length} (quote cells that hold commas)`,
      });
      return;
    }
    const row = parseRow(r.record, columns, line, index, opts, problems);
    if (row === null) return;
    const earlier = serials.get(row.claims.cti);
    if (earlier !== undefined) {
      problems.push({
        line,
        column: columns.get('cti')?.header ?? null,
        vi: `số giấy ${row.claims.cti} trùng với dòng ${earlier}`,
        en: `serial ${row.claims.cti} repeats line ${earlier}`,
      });
      return;
    }
    serials.set(row.claims.cti, line);
    out.push(row);
  });
  if (problems.length > 0) throw csvError(problems);
  return out;
}

interface Column {
  index: number;
  header: string;
}

function mapHeader(cells: string[], line: number, problems: RowProblem[]): Map<Field, Column> {
  const columns = new Map<Field, Column>();
  cells.forEach((raw, index) => {
    const header = raw.trim();
    const key = fold(header);
    if (key === '' || IGNORED.includes(key)) return;
    const field = HEADER_INDEX.get(key);
    if (field === undefined) {
      problems.push({
        line,
        column: header,
        vi: `không biết cột này; các cột dùng được: ${FIELDS.map((f) => HEADERS[f][0]).join(', ')}`,
        en: `unknown column; accepted: ${FIELDS.map((f) => HEADERS[f].at(-2)).join(', ')}`,
      });
      return;
    }
    const twice = columns.get(field);
    if (twice !== undefined) {
      problems.push({
        line,
        column: header,
        vi: `trùng nghĩa với cột "${twice.header}"`,
        en: `means the same as column "${twice.header}"`,
      });
      return;
    }
    columns.set(field, { index, header });
  });
  for (const f of REQUIRED) {
    if (!columns.has(f)) {
      problems.push({
        line,
        column: null,
        vi: `thiếu cột "${HEADERS[f][0]}"`,
        en: `missing column "${HEADERS[f].at(-2)}"`,
      });
    }
  }
  return columns;
}

function parseRow(
  cells: string[],
  columns: Map<Field, Column>,
  line: number,
  index: number,
  opts: BatchOptions,
  problems: RowProblem[],
): BatchRow | null {
  const before = problems.length;
  const cell = (f: Field): string | undefined => {
    const c = columns.get(f);
    const v = c === undefined ? undefined : cells[c.index]?.trim();
    return v === '' ? undefined : v;
  };
  const column = (f: Field) => columns.get(f)?.header ?? HEADERS[f][0] ?? f;
  function field<T>(f: Field, parseCell: (v: string) => T, required = false): T | undefined {
    const v = cell(f);
    if (v === undefined) {
      if (required)
        problems.push({ line, column: column(f), vi: 'không được để trống', en: 'must not be empty' });
      return undefined;
    }
    try {
      return parseCell(v);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      problems.push({ line, column: column(f), vi: err.vi, en: err.en });
      return undefined;
    }
  }

  const cti = field('cti', parseSerial) ?? `${opts.serialPrefix}${String(index + 1).padStart(4, '0')}`;
  const nam = field('name', (v) => parseText(v, 200), true);
  const idn = field('idn', parseIdNumber, true);
  const dob = field('dob', (v) => parseBirthDate(v, opts.now));
  const kind = field('kind', parseKind) ?? 'travel';
  const pur = field('purpose', parsePurpose, true);
  const areas = field('areas', parseAreas, true);
  const home = field('home', (v) => {
    const codes = parseArea(v);
    return codes[0] as string;
  });
  const org = field('org', (v) => parseText(v, 200));
  const route = field('route', (v) => parseText(v, 200));
  const plate = field('plate', (v) => parseText(v, 16));
  const vehicleType = field('vehicleType', parseVehicleType);
  const nbf = field('validFrom', (v) => parseDateTime(v, 'start'));
  const start = nbf ?? opts.now;
  const exp = field('validTo', (v) => parseValidTo(v, start)) ?? defaultEnd(opts, start, line, problems);
  const hours = field('hours', parseHours);

  if (vehicleType !== undefined && plate === undefined) {
    problems.push({
      line,
      column: column('plate'),
      vi: 'có loại xe nhưng thiếu biển số',
      en: 'vehicle type given without a plate',
    });
  }
  if (exp !== undefined && exp <= start && exp > opts.now) {
    problems.push({
      line,
      column: column('validTo'),
      vi: `hết hạn (${formatVnDateTime(exp)}) phải sau ngày bắt đầu (${formatVnDateTime(start)})`,
      en: `the end (${formatVnDateTime(exp)}) must be after the start (${formatVnDateTime(start)})`,
    });
  }
  if (exp !== undefined && exp <= opts.now) {
    problems.push({
      line,
      column: column('validTo'),
      vi: `đã hết hạn (${formatVnDateTime(exp)}) trước lúc cấp`,
      en: `already expired (${formatVnDateTime(exp)}) when issued`,
    });
  }
  if (problems.length > before || nam === undefined || idn === undefined || pur === undefined) return null;
  if (areas === undefined || exp === undefined) return null;

  const permit: PermitBody = { v: 1, k: kind, nam, idn, pur, areas };
  if (dob !== undefined) permit.dob = dob;
  if (org !== undefined) permit.org = org;
  if (home !== undefined) permit.home = home;
  if (route !== undefined) permit.route = route;
  if (plate !== undefined) permit.veh = { plate, type: vehicleType ?? 'other' };
  if (hours !== undefined) permit.hours = hours;
  const claims: PermitToIssue = { iss: opts.iss, cti, iat: opts.now, exp, permit };
  if (nbf !== undefined) claims.nbf = nbf;
  try {
    checkPermitToIssue(claims);
  } catch (err) {
    if (!(err instanceof ClaimsError)) throw err;
    problems.push({
      line,
      column: null,
      vi: `máy ở chốt sẽ từ chối giấy này: ${err.message}`,
      en: `kiosks would refuse this permit: ${err.message}`,
    });
    return null;
  }
  return { line, claims };
}

function defaultEnd(
  opts: BatchOptions,
  start: number,
  line: number,
  problems: RowProblem[],
): number | undefined {
  try {
    return parseValidTo(opts.defaultValidTo, start);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    problems.push({ line, column: null, vi: `--valid-to: ${err.vi}`, en: `--valid-to: ${err.en}` });
    return undefined;
  }
}
