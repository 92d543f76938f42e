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
