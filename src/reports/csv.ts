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

/** The whole file as bytes: BOM + header + one line per passage. */
export function passagesCsv(rows: Iterable<AuditPassage>, lang: Lang): { bytes: Buffer; rows: number } {
  const records: string[][] = [HEADERS[lang]];
  for (const p of rows) records.push(passageRecord(p, lang));
  const text = stringify(records, { bom: true, record_delimiter: 'windows', quoted_match: /[",\r\n;]/ });
  return { bytes: Buffer.from(text, 'utf8'), rows: records.length - 1 };
}
