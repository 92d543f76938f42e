// The shift report's PDF (reports/pdf.ts) rendered in this process, from report data written here: the
// kiosk renders it in a worker (audit-search.test.ts goes that way, end to end), which in-process
// coverage does not see; the largest report goes through the worker with its heap limits. The text
// layer is read back with pdftotext.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditPassage, FlowHour } from '../../src/contract/api-audit.js';
import { KioskError } from '../../src/contract/errors.js';
import type { ReasonCode } from '../../src/contract/reasons.js';
import { renderShiftReportPdf } from '../../src/reports/pdf.js';
import { REPORT_WORKER_LIMITS, renderShiftReportInWorker } from '../../src/reports/pdf-in-worker.js';
import { MAX_LISTED, type ShiftReportData } from '../../src/reports/shift-report.js';
import { largestShiftReport } from '../fixtures/largest-report.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPEN = Date.parse('2021-09-10T06:00:00+07:00');
const iso = (ms: number) => new Date(ms).toISOString();
const counts = (allowed: number, denied: number, review: number, overridden = 0) => ({
  allowed,
  denied,
  review,
  overridden,
});

function passage(i: number, over: Partial<AuditPassage> = {}): AuditPassage {
  return {
    id: i,
    seq: i,
    at: iso(OPEN + i * 60_000),
    lane: '1',
    direction: i % 2 ? 'out' : 'in',
    source: 'serial',
    decision: 'DENY',
    reasons: ['EXPIRED'],
    letThrough: false,
    iss: '01-009',
    cti: `TX-2021-${String(i).padStart(6, '0')}`,
    permitHash: null,
    purpose: 'work',
    holderName: `Nguyễn Văn Số ${i}`,
    idMasked: '********1234',
    vehiclePlate: null,
    vehicleType: 'motorbike',
    people: 1,
    shiftId: 7,
    guard: 'Trung sĩ Lê Văn Tám',
    purged: false,
    override: null,
    ...over,
  };
}

function report(over: Partial<ShiftReportData> = {}): ShiftReportData {
  const byHour: FlowHour[] = Array.from({ length: 30 }, (_, h) => ({
    hour: iso(OPEN + h * 3_600_000),
    in: counts(h % 5, h % 3, h % 2, h === 2 ? 1 : 0),
    out: counts(h % 4, 0, h % 7 === 0 ? 1 : 0),
  }));
  const overrideReason =
    'Người bệnh cần đưa đi cấp cứu tại bệnh viện Bạch Mai, có giấy chuyển viện của trạm y tế phường; ' +
    'đã gọi điện xác nhận với trạm y tế và ghi lại số điện thoại người nhà để liên hệ khi cần.';
  return {
    checkpoint: {
      id: 'TX-01',
      name: 'Chốt Ngã Tư Sở',
      district: '01-009',
      districtName: 'Quận Thanh Xuân',
      areaName: 'Quận Thanh Xuân',
    },
    shift: {
      id: 7,
      userId: 2,
      guard: 'Trung sĩ Lê Văn Tám',
      lane: '1',
      openedAt: iso(OPEN),
      closedAt: iso(OPEN + 12 * 3_600_000),
      closedBy: 'Trung sĩ Lê Văn Tám',
      handoverNotes: 'Bàn giao: đèn làn 2 chập chờn.\nMáy quét ở làn 1 thỉnh thoảng mất kết nối.',
      previousShiftId: 6,
      closeHash: 'ab'.repeat(32),
      signedAt: iso(OPEN + 13 * 3_600_000),
      signedBy: 'Đại uý Nguyễn Văn Bình',
      signoffNote: null,
      counts: { allowed: 61, denied: 40, review: 9, overridden: 3, people: 115 },
    },
    generatedAtMs: OPEN + 14 * 3_600_000,
    byHour,
    byDirection: { in: counts(40, 30, 5, 2), out: counts(21, 10, 4, 1) },
    people: 115,
    unreadable: 2,
    byVehicle: [
      { type: 'motorbike', n: 80 },
      { type: 'car', n: 20 },
      { type: 'none', n: 10 },
    ],
    byReason: (['EXPIRED', 'AREA_NOT_PERMITTED', 'REVOKED'] as ReasonCode[]).map((reason, i) => ({
      reason,
      n: 10 - i,
    })),
    // Enough denials for several pages (the table's heading is drawn again on each).
    denials: Array.from({ length: 120 }, (_, i) =>
      passage(i + 1, i === 3 ? { holderName: null, purged: true } : i === 4 ? { holderName: null } : {}),
    ),
    denialsTotal: 140,
    overrides: Array.from({ length: 12 }, (_, i) =>
      passage(200 + i, {
        decision: 'REVIEW',
        reasons: ['VEHICLE_MISMATCH'],
        letThrough: true,
        override: {
          eventId: 300 + i,
          at: iso(OPEN + i * 600_000),
          by: 'Đại uý Nguyễn Văn Bình',
          reason: overrideReason,
        },
      }),
    ),
    chain: {
      done: true,
      ok: true,
      checked: 412,
      head: { seq: 912, hash: 'cd'.repeat(32) },
      broken: null,
      tookMs: 3,
      fromSeq: 500,
      toSeq: 912,
    },
    ...over,
  };
}

async function textOf(data: ShiftReportData, name: string): Promise<{ text: string; pages: number }> {
  const pdf = await renderShiftReportPdf(data);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, pdf);
  const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return { text, pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]) };
}

describe('renderShiftReportPdf', () => {
  it('writes every section in Vietnamese and English, across pages, each page numbered', async () => {
    const { text, pages } = await textOf(report(), 'full');
    expect(pages).toBeGreaterThan(2);
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Trang ${p}/${pages}`);
    for (const words of [
      'BÁO CÁO CA TRỰC',
      'Ca số 7',
      'Chốt Ngã Tư Sở — Quận Thanh Xuân (TX-01)',
      'Máy quét ở làn 1 thỉnh thoảng mất kết nối.',
      'Đại uý Nguyễn Văn Bình',
      'Lưu lượng theo giờ',
      'Theo hướng và loại phương tiện',
      'Lý do',
      'Các lượt không cho qua',
      'Các lượt cho qua thủ công',
      '(đã xoá / purged)',
      'TX-2021-000120',
      '… và 20 lượt khác (xem bản CSV) / and 20 more (see the CSV)',
      'bệnh viện Bạch Mai',
      // A reason of two lines is shown whole.
      'liên hệ khi cần.',
      'NGUYÊN VẸN',
      'CHỈ HUY CHỐT / NGƯỜI KIỂM TRA',
    ]) {
      expect(text, words).toContain(words);
    }
    expect(text).not.toContain('continued in the CSV');
    // The denials table is headed again on the pages it continues on.
    expect(text.split('Họ tên / Name').length - 1).toBeGreaterThan(1);
    // The sealed hash is the shift's close hash, not the chain's current head.
    expect(text.replace(/\s/g, '')).toContain('ab'.repeat(32));
    expect(text.replace(/\s/g, '')).not.toContain('cd'.repeat(32));
  });

  it('says so when a shift is still open, has no denials or overrides, and its chain is broken', async () => {
    const base = report();
    const { text } = await textOf(
      report({
        shift: {
          ...base.shift,
          closedAt: null,
          closedBy: null,
          closeHash: null,
          signedAt: null,
          signedBy: null,
          handoverNotes: null,
        },
        byHour: base.byHour.slice(0, 3),
        byReason: [],
        denials: [],
        denialsTotal: 0,
        overrides: [],
        chain: { ...base.chain, ok: false, broken: { table: 'passages', id: 42, seq: 600, problem: 'hash' } },
      }),
      'open',
    );
    expect(text).toContain('Đang mở / still open');
    expect(text).toContain('Chưa ký / not yet');
    expect(text.split('Không có / None').length - 1).toBe(2);
    expect(text).toContain('BỊ SỬA');
    expect(text).toContain('TAMPERED');
    expect(text).not.toContain('NGUYÊN VẸN');
    // With no close hash the report seals the chain's head as it is now.
    expect(text.replace(/\s/g, '')).toContain('cd'.repeat(32));
  });
});

describe('the report worker', () => {
  it('renders the largest report the kiosk can be asked for within its heap limits', async () => {
    // 300 overrides with 2,000-character reasons drew about 1.6 million operators, each kept by PDFKit
    // as its own array until the end: the worker ran out of 256 MB. Joined page by page, it fits.
    const data = largestShiftReport();
    const pdf = await renderShiftReportInWorker(data, REPORT_WORKER_LIMITS);
    const path = join(dir, 'largest.pdf');
    writeFileSync(path, pdf);
    const text = execFileSync('pdftotext', ['-layout', path, '-'], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThan(50);
    expect(text).toContain(`Trang ${pages}/${pages}`);
    // Every listed override with its reason, the last one included, each cut after 7 of its 22 lines
    // (whole in the CSV).
    expect(text.split('Lý do cho qua / Reason:').length - 1).toBe(MAX_LISTED);
    expect(text.split('… (còn tiếp, xem bản CSV / continued in the CSV)').length - 1).toBe(MAX_LISTED);
    expect(text).toContain(data.overrides.at(-1)!.holderName!);
    // 80-odd pages take seconds on a loaded machine: the limit here is memory, not time.
  }, 180_000);

  it('fails with REPORT_FAILED, in both languages, when a report outgrows the heap', async () => {
    const err = await renderShiftReportInWorker(largestShiftReport(), {
      maxOldGenerationSizeMb: 8,
      maxYoungGenerationSizeMb: 1,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KioskError);
    expect(err).toMatchObject({ code: 'REPORT_FAILED', vi: expect.stringContaining('Không tạo được') });
  });
});
