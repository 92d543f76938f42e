// The fields of a permit as an issuer writes them (CSV cells, flags): parsing with bilingual errors,
// and the Vietnamese words and date format the printed sheet uses.

import { isPrintable } from '../base/pdf-fonts.js';
import { PERMIT_KINDS, PURPOSES, VEHICLE_TYPES } from '../contract/reasons.js';
import { formatVnDateTime as formatVnDateTimeMs, fromVietnam, vietnamIsoDate } from '../contract/time.js';
import { findAreaCodes } from './areas.js';

export type Purpose = (typeof PURPOSES)[number];
export type VehicleType = (typeof VEHICLE_TYPES)[number];
export type PermitKind = (typeof PERMIT_KINDS)[number];

/** Vietnamese words, the same as the kiosk screen shows (renderer/src/i18n.ts). */
export const PURPOSE_VI: Record<Purpose, string> = {
  work: 'Đi làm',
  medical: 'Khám chữa bệnh',
  goods: 'Vận chuyển hàng hoá',
  official: 'Công vụ',
  emergency: 'Cấp cứu / khẩn cấp',
  essential: 'Mua nhu yếu phẩm',
  other: 'Lý do khác',
};
export const VEHICLE_VI: Record<VehicleType, string> = {
  motorbike: 'Xe máy',
  car: 'Ô tô',
  truck: 'Xe tải',
  bicycle: 'Xe đạp',
  other: 'Khác',
};
export const KIND_VI: Record<PermitKind, string> = {
  travel: 'Giấy đi đường',
  goods: 'Luồng xanh (hàng hoá)',
};

/** A field's problem, in both languages; the caller adds where it is (row, column or flag). */
export class FieldError extends Error {
  constructor(
    readonly vi: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/** Case, diacritics and punctuation folded: "Họ và tên" → "ho va ten", "Đi làm" → "di lam". */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function fromWords<T extends string>(
  value: string,
  codes: readonly T[],
  words: Record<T, string>,
  what: [string, string],
): T {
  const f = fold(value);
  for (const code of codes) {
    if (f === code || f === fold(words[code])) return code;
  }
  const list = codes.map((c) => `${c} (${words[c]})`).join(', ');
  throw new FieldError(
    `${what[0]} "${value}" không hợp lệ; dùng: ${list}`,
    `${what[1]} "${value}" is not valid; use: ${list}`,
  );
}

export const parsePurpose = (v: string): Purpose =>
  fromWords(v, PURPOSES, PURPOSE_VI, ['Mục đích', 'Purpose']);
export const parseVehicleType = (v: string): VehicleType =>
  fromWords(v, VEHICLE_TYPES, VEHICLE_VI, ['Loại xe', 'Vehicle type']);
export function parseKind(v: string): PermitKind {
  const f = fold(v);
  if (f === 'giay di duong' || f === 'di duong') return 'travel';
  if (f === 'luong xanh' || f === 'hang hoa') return 'goods';
  return fromWords(v, PERMIT_KINDS, KIND_VI, ['Loại giấy', 'Kind']);
}

/** Free text printed on the sheet and signed into the permit: NFC, bounded, printable. */
export function parseText(v: string, max: number): string {
  const s = v.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (s.length === 0) throw new FieldError('Không được để trống', 'Must not be empty');
  if (s.length > max) throw new FieldError(`Dài quá ${max} ký tự`, `Longer than ${max} characters`);
  if (!isPrintable(s)) {
    throw new FieldError(
      'Có ký tự không in được (ký tự điều khiển hoặc ngoài bảng chữ)',
      'Has characters that cannot be printed',
    );
  }
  return s;
}

/** CCCD (12 digits) or CMND (9 digits); spaces and dots typed for readability are dropped. */
export function parseIdNumber(v: string): string {
  const s = v.replace(/[\s.]/g, '');
  if (/^(\d{9}|\d{12})$/.test(s)) return s;
  const hint = /^\d{8}$|^\d{10,11}$/.test(s)
    ? [
        ' (bảng tính có thể đã bỏ số 0 ở đầu: định dạng cột là Văn bản)',
        ' (a spreadsheet may have dropped leading zeros: format the column as Text)',
      ]
    : ['', ''];
  throw new FieldError(
    `Số CCCD phải có 12 chữ số, CMND 9 chữ số: "${v}"${hint[0]}`,
    `ID number must be a 12-digit CCCD or 9-digit CMND: "${v}"${hint[1]}`,
  );
}

export const SERIAL = /^[A-Za-z0-9_./-]{1,64}$/;
export function parseSerial(v: string): string {
  const s = v.trim();
  if (SERIAL.test(s)) return s;
  throw new FieldError(
    `Số giấy "${v}" chỉ gồm chữ, số, _ . / - (tối đa 64)`,
    `Serial "${v}": letters, digits, _ . / - only (max 64)`,
  );
}

/** One or more area codes or exact names ("01-009", "Quận Thanh Xuân"), separated by , ; or new lines. */
export function parseAreas(v: string): string[] {
  const parts = v
    .split(/[,;\n]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new FieldError('Cần ít nhất một khu vực', 'At least one area is needed');
  const out: string[] = [];
  for (const part of parts) {
    for (const code of parseArea(part)) if (!out.includes(code)) out.push(code);
  }
  return out;
}

export function parseArea(v: string): string[] {
  const s = v.trim();
  if (/^\d{2}(-\d{3}(-\d{5})?)?$/.test(s)) return [s];
  const found = findAreaCodes(s);
  if (found.length === 1) return found;
  if (found.length > 1) {
    throw new FieldError(
      `"${s}" trùng tên nhiều nơi (${found.join(', ')}): ghi mã`,
      `"${s}" names several areas (${found.join(', ')}): write the code`,
    );
  }
  throw new FieldError(
    `"${s}" không phải mã khu vực (vd 01-009) hay tên đầy đủ (vd Quận Thanh Xuân)`,
    `"${s}" is neither an area code (e.g. 01-009) nor a full area name (e.g. Quận Thanh Xuân)`,
  );
}

/** "06:00-18:00" (also "6:00 – 18:00") → ["06:00","18:00"]. */
export function parseHours(v: string): [string, string] {
  const m = /^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$/.exec(v);
  const hhmm = (h: string, mm: string) => `${h.padStart(2, '0')}:${mm}`;
  if (m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3]) < 24 && Number(m[4]) < 60) {
    return [hhmm(m[1] as string, m[2] as string), hhmm(m[3] as string, m[4] as string)];
  }
  throw new FieldError(
    `Khung giờ "${v}" phải có dạng 06:00-18:00`,
    `Hours "${v}" must look like 06:00-18:00`,
  );
}

const DAY_S = 86_400;

/** Seconds since the epoch of a Vietnam wall-clock time; null when the date does not exist. */
function vnEpoch(y: number, mo: number, d: number, h: number, mi: number): number | null {
  const ms = fromVietnam(y, mo, d, h, mi);
  return ms === null ? null : ms / 1000;
}

export type DateEdge = 'start' | 'end';

/**
 * A time as issuers write it, in Vietnam time: "24/09/2021", "24/09/2021 18:00", "2021-09-24",
 * or ISO-8601 with an offset. A bare date is the day's start (00:00) or end (23:59), as asked.
 */
export function parseDateTime(v: string, edge: DateEdge): number {
  const s = v.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(s);
  if (m) {
    const timed = m[4] !== undefined;
    const t = vnEpoch(
      Number(m[3]),
      Number(m[2]),
      Number(m[1]),
      timed ? Number(m[4]) : edge === 'start' ? 0 : 23,
      timed ? Number(m[5]) : edge === 'start' ? 0 : 59,
    );
    if (t !== null) return t;
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) {
    const t = vnEpoch(
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
      edge === 'start' ? 0 : 23,
      edge === 'start' ? 0 : 59,
    );
    if (t !== null) return t;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new FieldError(
    `Thời điểm "${v}" phải có dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:mm (giờ Việt Nam)`,
    `Time "${v}" must be dd/mm/yyyy or dd/mm/yyyy HH:mm (Vietnam time)`,
  );
}

/** The end of validity: a time as above, or a number of days after `start`. */
export function parseValidTo(v: string, start: number): number {
  if (/^\s*\d{1,4}\s*$/.test(v)) return start + Number(v) * DAY_S;
  return parseDateTime(v, 'end');
}

/** Date of birth: dd/mm/yyyy or yyyy-mm-dd → yyyy-mm-dd, a real date, not in the future. */
export function parseBirthDate(v: string, nowS: number): string {
  const t = (() => {
    try {
      return parseDateTime(v, 'start');
    } catch {
      return null;
    }
  })();
  if (t === null || !/^\s*(\d{1,2}\/\d{1,2}\/\d{4}|\d{4}-\d{2}-\d{2})\s*$/.test(v) || t > nowS) {
    throw new FieldError(
      `Ngày sinh "${v}" phải có dạng dd/mm/yyyy`,
      `Date of birth "${v}" must be dd/mm/yyyy`,
    );
  }
  return vietnamIsoDate(t * 1000);
}

/** dd/mm/yyyy HH:mm in Vietnam time of seconds since the epoch. */
export function formatVnDateTime(epochS: number): string {
  return formatVnDateTimeMs(epochS * 1000);
}

/** yyyy-mm-dd → dd/mm/yyyy. */
export function formatVnDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}
