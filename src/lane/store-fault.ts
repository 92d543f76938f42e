// A write to the log that failed, in words for the guard and the technician. The guard's screen says
// "not recorded: write it on the paper log" above this; the status bar keeps it until a write succeeds.
import type { ApiError } from '../contract/api.js';
import { KioskError } from '../contract/errors.js';

export function storeFault(err: unknown): ApiError {
  if (err instanceof KioskError) return err.toJSON();
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (code.startsWith('SQLITE_READONLY')) {
    return {
      code: 'STORE_READ_ONLY',
      vi: 'Sổ ghi chỉ đọc được (ổ đĩa hoặc tệp bị khoá ghi)',
      en: 'The log is read-only (the disk or the file refuses writes)',
    };
  }
  if (code === 'SQLITE_FULL') {
    return { code: 'STORE_FULL', vi: 'Ổ đĩa đã đầy', en: 'The disk is full' };
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
    return { code: 'STORE_IO', vi: `Lỗi đọc ghi ổ đĩa: ${detail}`, en: `Disk read/write error: ${detail}` };
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return {
      code: 'STORE_REFUSED',
      vi: `Sổ ghi từ chối dữ liệu: ${detail}`,
      en: `The log refused the record: ${detail}`,
    };
  }
  return {
    code: 'STORE_FAILED',
    vi: `Không ghi được vào sổ: ${detail}`,
    en: `Could not write to the log: ${detail}`,
  };
}
