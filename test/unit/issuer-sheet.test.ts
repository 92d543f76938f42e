// The A4 permit sheet: one page whatever the permit holds, real Vietnamese text, a QR that scans back.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontRuns, isPrintable } from '../../src/base/pdf-fonts.js';
import { permitHash } from '../../src/formats/vnp1.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { decodeImageFile } from '../../src/hardware/qr-decoder.js';
import { defaultIssuerName, findAreaCodes } from '../../src/issuer/areas.js';
import { renderPermitSheet } from '../../src/issuer/sheet.js';
import { makeIssuer, permitClaims } from '../fixtures/permits.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-sheet-'));
const issuer = makeIssuer();

async function render(name: string, claims: ReturnType<typeof permitClaims>) {
  const text = issuePermit(claims, issuer.privateKey);
  const pdf = join(dir, `${name}.pdf`);
  writeFileSync(
    pdf,
    await renderPermitSheet({
      claims,
      text,
      hash: permitHash(claims.iss, claims.cti),
      issuerName: 'Công an quận Thanh Xuân',
    }),
  );
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))?.[1]);
  const words = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, join(dir, name)]);
  return { text, pages, words, png: join(dir, `${name}.png`) };
}

describe('renderPermitSheet', () => {
  it('a crowded permit still fits one page, and its (smaller) QR still scans', async () => {
    const wards = findAreaCodes('Phường Quang Trung').concat([
      '01-009-00337',
      '01-009-00340',
      '01-006',
      '01-005',
      '01-004',
    ]);
    const sheet = await render(
      'crowded',
      permitClaims(
        { cti: 'TX-2021-009999', nbf: 1_631_235_600 },
        {
          nam: 'Tôn Nữ Thị Phương Thảo Nguyễn Hoàng Bảo Ngọc',
          dob: '1990-12-31',
          org: 'Công ty TNHH Vận tải và Thương mại Dịch vụ Hàng hoá Thiết yếu Đồng Xuân – chi nhánh Long Biên',
          route:
            'Nguyễn Trãi – Trường Chinh – Giải Phóng – Vành đai 3 – cầu Thanh Trì – Quốc lộ 5 – cảng Hải Phòng',
          areas: wards,
          veh: { plate: '29C-123.45', type: 'truck' },
          hours: ['22:00', '05:00'],
        },
      ),
    );
    expect(sheet.pages).toBe(1);
    for (const w of [
      'Tôn Nữ Thị Phương Thảo',
      '31/12/1990',
      'Xe tải, biển số 29C-123.45',
      '22:00 – 05:00 hôm sau',
      'Phường Quang Trung',
    ]) {
      expect(sheet.words).toContain(w);
    }
    expect(await decodeImageFile(sheet.png)).toBe(sheet.text);
  }, 30_000);

  it('prints the purpose and kind in Vietnamese, and never the full ID number', async () => {
    const sheet = await render(
      'goods',
      permitClaims({ cti: 'G-1' }, { k: 'goods', pur: 'goods', idn: '079203001234' }),
    );
    expect(sheet.pages).toBe(1);
    expect(sheet.words).toContain('GIẤY ĐI ĐƯỜNG – LUỒNG XANH');
    expect(sheet.words).toContain('Vận chuyển hàng hoá');
    expect(sheet.words).toContain('********1234');
    expect(sheet.words).not.toContain('079203001234');
    expect(await decodeImageFile(sheet.png)).toBe(sheet.text);
  }, 30_000);
});

describe('fonts and names', () => {
  it('cuts Vietnamese text into runs of the bundled subsets, and knows what it cannot print', () => {
    expect(fontRuns('Đặng Hưng').map((r) => r.subset)).toEqual([
      'vietnamese',
      'latin',
      'vietnamese',
      'latin',
    ]);
    // Ư has no glyph in the latin subset, Đ none either: each comes from the subset that has it.
    expect(fontRuns('Ưu Đãi').map((r) => r.text)).toEqual(['Ư', 'u ', 'Đ', 'ãi']);
    expect(
      fontRuns('Đặng Hưng')
        .map((r) => r.text)
        .join(''),
    ).toBe('Đặng Hưng');
    expect(isPrintable('Nguyễn Thị Hằng – 29A-123.45')).toBe(true);
    expect(isPrintable('李小龍')).toBe(false);
    expect(isPrintable('tab\there')).toBe(false);
  });

  it('finds area codes by name and names the issuing unit', () => {
    expect(findAreaCodes('quận thanh xuân')).toEqual(['01-009']);
    expect(findAreaCodes('Quan Thanh Xuan')).toEqual(['01-009']);
    expect(findAreaCodes('Phường Quang Trung')).toHaveLength(3);
    expect(findAreaCodes('Quận Gotham')).toEqual([]);
    expect(defaultIssuerName('01-009-00343')).toBe('Công an phường Nhân Chính');
    expect(defaultIssuerName('99-999')).toBe('Đơn vị cấp 99-999');
  });
});
