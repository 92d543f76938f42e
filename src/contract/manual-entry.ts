// Manual entry: a person with no QR (lost phone, no permit yet, a child) recorded by hand. The kiosk
// cannot verify anything, so the passage is REVIEW and the guard decides on the spot; the written
// reason says why, and letting the person through counts as an override (spec/policy.md "Overrides").
// No Node imports: the renderer bundles this file to check the form before sending it.
import { KioskError } from './errors.js';
import { PURPOSES } from './reasons.js';

export type Purpose = (typeof PURPOSES)[number];

/** spec/policy.md: an override needs a reason of at least 10 characters. */
export const MIN_REASON_CHARS = 10;
export const MAX_REASON_CHARS = 500;
/** Letters required in a reason, so that "..........": or "1111111111" is not one. */
const MIN_REASON_LETTERS = 5;

/**
 * A written reason as it will be recorded: Unicode NFC (a Vietnamese letter typed as base + marks
 * counts once), whitespace collapsed. Throws REASON_TOO_SHORT / REASON_TOO_LONG.
 */
export function cleanReason(raw: string): string {
  const text = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const chars = [...text].length;
  const letters = [...text].filter((c) => /\p{L}/u.test(c)).length;
  if (chars < MIN_REASON_CHARS || letters < MIN_REASON_LETTERS) {
    throw new KioskError(
      'REASON_TOO_SHORT',
      `Lý do phải có ít nhất ${MIN_REASON_CHARS} ký tự, viết bằng chữ (ví dụ: "Xe cấp cứu chở bệnh nhân")`,
      `The reason needs at least ${MIN_REASON_CHARS} characters, in words (e.g. "Ambulance with a patient")`,
    );
  }
  if (chars > MAX_REASON_CHARS) {
    throw new KioskError(
      'REASON_TOO_LONG',
      `Lý do dài quá ${MAX_REASON_CHARS} ký tự`,
      `The reason is longer than ${MAX_REASON_CHARS} characters`,
    );
  }
  return text;
}

/**
 * Identity documents accepted by hand: CCCD (12 digits), the older CMND (9 digits), or a passport
 * (a letter then 5–8 letters or digits: Vietnamese passports are `B1234567`, foreign ones vary).
 * Returns the number upper-cased without spaces.
 */
export function cleanIdNumber(raw: string): string {
  const id = raw
    .normalize('NFC')
    .replace(/[\s.-]/g, '')
    .toUpperCase();
  if (/^\d{12}$/.test(id) || /^\d{9}$/.test(id) || /^[A-Z][A-Z0-9]{5,8}$/.test(id)) return id;
  throw new KioskError(
    'ID_NUMBER_INVALID',
    'Số giấy tờ không đúng: CCCD 12 số, CMND 9 số, hoặc số hộ chiếu',
    'Not a valid ID number: a 12-digit CCCD, a 9-digit CMND, or a passport number',
  );
}

/** A person's name as typed: NFC, whitespace collapsed, 2–100 characters, letters required. */
export function cleanName(raw: string): string {
  const name = raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
  const n = [...name].length;
  if (n < 2 || n > 100 || !/\p{L}/u.test(name) || /[\p{C}<>]/u.test(name)) {
    throw new KioskError(
      'NAME_INVALID',
      'Họ tên phải có từ 2 đến 100 ký tự',
      'The name must be 2 to 100 characters',
    );
  }
  return name;
}

export interface ManualPerson {
  name: string;
  idNumber: string;
  purpose: Purpose;
  reason: string;
}

/** Checks every field of a manual entry at once; throws the first bilingual error. */
export function checkManualPerson(input: {
  name: string;
  idNumber: string;
  purpose: string;
  reason: string;
}): ManualPerson {
  const name = cleanName(input.name);
  const idNumber = cleanIdNumber(input.idNumber);
  if (!(PURPOSES as readonly string[]).includes(input.purpose)) {
    throw new KioskError('PURPOSE_INVALID', 'Hãy chọn mục đích đi lại', 'Choose the purpose of travel');
  }
  return { name, idNumber, purpose: input.purpose as Purpose, reason: cleanReason(input.reason) };
}
