import type { ApiError } from './api.js';

/** An error with a stable code and a message in both languages; safe to send to any client. */
export class KioskError extends Error {
  constructor(
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(`${code}: ${en}`);
    this.name = 'KioskError';
  }

  toJSON(): ApiError {
    return { code: this.code, vi: this.vi, en: this.en };
  }
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof KioskError) return err.toJSON();
  return { code: 'INTERNAL', vi: 'Lỗi nội bộ của máy', en: 'Internal error' };
}

/**
 * The audit record of a change could not be written, so the change was not made (DESIGN.md "Threat
 * model": nothing takes effect unaudited). `what` names the change in both languages.
 */
export function auditFailed(err: unknown, what = { vi: 'thay đổi', en: 'the change' }): KioskError {
  const why = err instanceof Error ? err.message : String(err);
  return new KioskError(
    'AUDIT_FAILED',
    `Không ghi được nhật ký kiểm toán nên ${what.vi} không được thực hiện: ${why}`,
    `The audit record could not be written, so ${what.en} was not made: ${why}`,
  );
}
