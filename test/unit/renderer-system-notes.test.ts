// The supervisor's and admin's screens say in words what the kiosk's status reports in the background:
// the retention purge under way (counting, its progress, taken up after a restart) and a signed document
// that could not be applied, in Vietnamese and English.
import { describe, expect, it } from 'vitest';
import { systemNotes } from '../../renderer/src/supervisor/system-notes.js';
import type { KioskStatus } from '../../src/contract/api.js';

const base = { purge: null, documents: { ok: true, fault: null, since: null } } as unknown as KioskStatus;
const at = (s: Partial<KioskStatus>) => ({ ...base, ...s }) as KioskStatus;
const purge = { before: '2021-08-01T17:00:00.000Z', startedAt: '2021-08-31T01:00:00.000Z', resumed: false };

describe('system notes', () => {
  it('nothing to say when nothing runs and nothing failed', () => {
    expect(systemNotes(base, 'vi')).toEqual([]);
    expect(systemNotes(null, 'en')).toEqual([]);
  });

  it('the purge: counting, then its progress in numbers of each language, and a resumed run', () => {
    expect(systemNotes(at({ purge: { ...purge, done: 0, total: null } }), 'vi')).toEqual([
      {
        kind: 'purge',
        tone: 'info',
        text: 'Đang đếm các lượt ghi trước 02/08/2021 00:00 cần xoá dữ liệu cá nhân…',
        fraction: null,
      },
    ]);
    const running = at({ purge: { ...purge, done: 250_000, total: 1_000_000, resumed: true } });
    expect(systemNotes(running, 'vi')[0]).toEqual({
      kind: 'purge',
      tone: 'info',
      text: 'Đang xoá dữ liệu cá nhân của các lượt ghi trước 02/08/2021 00:00: 250.000 / 1.000.000 lượt (tiếp tục sau khi máy khởi động lại)',
      fraction: 0.25,
    });
    expect(
      systemNotes(at({ purge: { ...purge, done: 10, total: 10, phase: 'tidying' } }), 'en')[0]?.text,
    ).toBe('Personal data of 10 passages erased; tidying the name index so that it leaves the disk too…');
    expect(systemNotes(running, 'en')[0]?.text).toBe(
      'Erasing the personal data of passages recorded before 02/08/2021 00:00: 250,000 of 1,000,000 (taken up again after a restart)',
    );
  });

  it('a document not applied, with the fault in the screen’s language and since when', () => {
    const s = at({
      documents: {
        ok: false,
        fault: {
          code: 'AUDIT_FAILED',
          vi: 'Không ghi được nhật ký kiểm toán',
          en: 'The audit record could not be written',
        },
        since: '2021-08-31T01:05:00.000Z',
      },
    });
    expect(systemNotes(s, 'vi')).toEqual([
      {
        kind: 'documents',
        tone: 'bad',
        text: 'Tài liệu từ Sở chỉ huy chưa được áp dụng (từ 08:05): Không ghi được nhật ký kiểm toán. Máy đang thử lại.',
        fraction: null,
      },
    ]);
    expect(systemNotes(s, 'en')[0]?.text).toBe(
      'A document from the command centre is not applied (since 08:05): The audit record could not be written. The kiosk is trying again.',
    );
  });
});
