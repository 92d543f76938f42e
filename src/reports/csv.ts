// CSV export of passages for spreadsheets: UTF-8 with a byte-order mark (Excel then reads Vietnamese
// correctly), CRLF lines, comma separated (RFC 4180, via csv-stringify), one header row in the chosen
// language. Cells that a spreadsheet would run as a formula are defused with a leading apostrophe.
import { stringify } from 'csv-stringify/sync';
import type { AuditPassage } from '../contract/api-audit.js';
import {
  DIRECTION_TEXT,
  type Lang,
  label,
  PURPOSE_TEXT,
  SOURCE_TEXT,
  VEHICLE_TEXT,
} from '../contract/audit-words.js';
import { DECISION_TEXT, REASON_TEXT } from '../contract/reason-words.js';
import { formatVnDateTime } from '../contract/time.js';

const HEADERS: Record<Lang, string[]> = {
  vi: [
    'Mã lượt',
    'Thời gian',
    'Làn',
    'Hướng',
    'Nguồn',
    'Kết quả',
    'Lý do',
    'Cho qua thủ công',
    'Người cho qua',
    'Họ tên',
    'Số CCCD',
    'Biển số',
    'Loại xe',
    'Mục đích',
    'Số người',
    'Đơn vị cấp',
    'Số giấy',
    'Cán bộ trực',
    'Ca',
    'Đã xoá dữ liệu cá nhân',
  ],
  en: [
    'Passage',
    'Time',
    'Lane',
    'Direction',
    'Source',
    'Decision',
    'Reasons',
    'Override reason',
    'Overridden by',
    'Name',
    'ID number',
    'Plate',
    'Vehicle',
    'Purpose',
    'People',
    'Issuer',
    'Permit serial',
    'Guard',
    'Shift',
    'Personal data purged',
  ],
};

/** A cell starting with = + - @ or a control character would be a formula in Excel: quote it out. */
export function defuse(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function passageRecord(p: AuditPassage, lang: Lang): string[] {
  const yes = lang === 'vi' ? 'Có' : 'Yes';
  return [
    String(p.id),
    formatVnDateTime(Date.parse(p.at), true),
    p.lane,
    DIRECTION_TEXT[p.direction][lang],
    label(SOURCE_TEXT, p.source, lang),
    DECISION_TEXT[p.decision][lang],
    p.reasons.map((r) => REASON_TEXT[r][lang]).join('; '),
    p.override?.reason ?? '',
    p.override?.by ?? '',
    p.holderName ?? '',
    p.idMasked ?? '',
    p.vehiclePlate ?? '',
    label(VEHICLE_TEXT, p.vehicleType, lang),
    label(PURPOSE_TEXT, p.purpose, lang),
    String(p.people),
    p.iss ?? '',
    p.cti ?? '',
    p.guard ?? '',
    p.shiftId === null ? '' : String(p.shiftId),
    p.purged ? yes : '',
  ].map(defuse);
}

const FORMAT = { record_delimiter: 'windows', quoted_match: /[",\r\n;]/ } as const;

/**
 * The whole file (BOM, header, one CRLF line per passage), oldest passage first, from pages of passages
 * newest first as the search reads them. Each page becomes bytes before the next is read: 100,000 rows
 * held as objects, then string arrays, then one string peaked the kiosk near 400 MB for a 15 MB file.
 */
export function passagesCsvFromNewest(
  pages: Iterable<readonly AuditPassage[]>,
  lang: Lang,
): { bytes: Buffer; rows: number } {
  const chunks: Buffer[] = [];
  let rows = 0;
  for (const page of pages) {
    const records: string[][] = [];
    for (let i = page.length - 1; i >= 0; i--) records.push(passageRecord(page[i]!, lang));
    chunks.push(Buffer.from(stringify(records, FORMAT), 'utf8'));
    rows += page.length;
  }
  chunks.push(Buffer.from(stringify([HEADERS[lang]], { ...FORMAT, bom: true }), 'utf8'));
  return { bytes: Buffer.concat(chunks.reverse()), rows };
}
