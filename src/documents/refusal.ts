// Why a signed document was refused, as a stable code with both languages. The code is what an ack
// carries to the command centre; the texts go to the kiosk's document log.

import type { ApiError } from '../contract/api.js';
import { auditFailed as auditFailedError, KioskError } from '../contract/errors.js';

export const REFUSAL_CODES = [
  'TOO_LARGE',
  'NOT_UTF8',
  'MALFORMED',
  'WRONG_TYPE',
  'WRONG_TOPIC',
  'SIGNATURE_INVALID',
  'STALE',
  'FULL_LIST_NEEDED',
  'NOT_THIS_CHECKPOINT',
  'STORE_FAILED',
  'AUDIT_FAILED',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export function refusal(code: RefusalCode, vi: string, en: string): KioskError {
  return new KioskError(code, vi, en);
}

const REFUSAL_SET: ReadonlySet<string> = new Set(REFUSAL_CODES);

/** Any error as a refusal: our own codes pass through, DOCUMENT_INVALID (a schema) is MALFORMED. */
export function asRefusal(err: unknown): ApiError {
  if (err instanceof KioskError) {
    if (REFUSAL_SET.has(err.code)) return err.toJSON();
    if (err.code === 'DOCUMENT_INVALID') return { code: 'MALFORMED', vi: err.vi, en: err.en };
  }
  const why = err instanceof Error ? err.message : String(err);
  return {
    code: 'STORE_FAILED',
    vi: `Lỗi khi áp dụng tài liệu: ${why}`,
    en: `Failed while applying the document: ${why}`,
  };
}

export function malformed(detailVi: string, detailEn: string): KioskError {
  return refusal('MALFORMED', `Tài liệu sai định dạng: ${detailVi}`, `Malformed document: ${detailEn}`);
}

export function tooLarge(bytes: number, maxBytes: number): KioskError {
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  return refusal(
    'TOO_LARGE',
    `Tài liệu quá lớn: ${mib(bytes)} MiB, tối đa ${mib(maxBytes)} MiB`,
    `Document too large: ${mib(bytes)} MiB, at most ${mib(maxBytes)} MiB`,
  );
}

export function notUtf8(): KioskError {
  return refusal('NOT_UTF8', 'Tài liệu không phải văn bản UTF-8', 'The document is not UTF-8 text');
}

export function wrongType(found: string, expected: string): KioskError {
  return refusal(
    'WRONG_TYPE',
    `Sai loại tài liệu: nhận "${found}", cần "${expected}"`,
    `Wrong document type: got "${found}", expected "${expected}"`,
  );
}

export function signatureInvalid(): KioskError {
  return refusal(
    'SIGNATURE_INVALID',
    'Chữ ký sai hoặc không phải của khoá gốc Sở chỉ huy (giả mạo?)',
    "Bad signature or not signed by the command centre's root key (forged?)",
  );
}

export function stale(version: number, held: number): KioskError {
  return refusal(
    'STALE',
    `Phiên bản ${version} không mới hơn phiên bản máy đang giữ (${held})`,
    `Version ${version} is not newer than the held version ${held}`,
  );
}

export function fullListNeeded(base: number | undefined, held: number | null): KioskError {
  const heldVi = held === null ? 'chưa có danh sách nào' : `đang giữ phiên bản ${held}`;
  const heldEn = held === null ? 'no list is held' : `version ${held} is held`;
  return refusal(
    'FULL_LIST_NEEDED',
    `Bản bổ sung dựa trên phiên bản ${base}, máy ${heldVi}: cần gửi danh sách thu hồi đầy đủ`,
    `Delta based on version ${base}, but ${heldEn}: a full revocation list is needed`,
  );
}

/** The audit record of a decision could not be written: the decision is not taken (audit or nothing). */
export function auditFailed(err: unknown): KioskError {
  return auditFailedError(err, { vi: 'tài liệu', en: 'the document change' });
}

export function stopping(): ApiError {
  return refusal(
    'STORE_FAILED',
    'Máy đang dừng: tài liệu chưa được áp dụng',
    'The kiosk is stopping: not applied',
  ).toJSON();
}
