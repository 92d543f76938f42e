// From a CSV with Vietnamese headers to a passage: `kiosk issue --csv` writes the A4 sheet, poppler
// prints it to an image, `kiosk decode-image` reads the QR back and `kiosk verify` lets it through.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPrivateKey, spkiDer } from '../../src/contract/keys.js';
import { permitHash } from '../../src/formats/vnp1.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { runCliHere } from '../fixtures/cli-here.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-issuer-pdf-'));
const DAY = 86_400_000;

/** dd/mm/yyyy in Vietnam time, `days` from now. */
function vnDate(days: number): string {
  const d = new Date(Date.now() + days * DAY + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

async function setUpKeys() {
  const root = generateKeyPair();
  const issuer = generateKeyPair();
  const files = {
    rootPublic: join(dir, 'root-public.pem'),
    issuerPrivate: join(dir, 'issuer-private.pem'),
    trust: join(dir, 'trust.jws'),
  };
  writeFileSync(files.rootPublic, root.publicPem);
  writeFileSync(files.issuerPrivate, issuer.privatePem);
  const now = Math.floor(Date.now() / 1000);
  const trust = {
    version: 1,
    issued: now - 60,
    issuers: [
      {
        kid: issuer.kid.toString('base64'),
        iss: '01-009',
        name: 'Công an quận Thanh Xuân',
        key: spkiDer(loadPrivateKey(issuer.privatePem)).toString('base64'),
        validFrom: now - DAY / 1000,
        validTo: now + 365 * (DAY / 1000),
        kinds: ['travel', 'goods'],
        areas: ['01-009'],
      },
    ],
  };
  writeFileSync(files.trust, await signDocument('trust', trust, root.privatePem));
  return files;
}

/** Widest run of dark pixels across the rows of the page image: the QR code's printed width. */
function darkestSpanMm(png: PNG, dpi: number): number {
  let widest = 0;
  for (let y = Math.floor(png.height * 0.2); y < png.height * 0.6; y++) {
    let first = -1;
    let last = -1;
    for (let x = Math.floor(png.width * 0.2); x < png.width * 0.8; x++) {
      if ((png.data[(y * png.width + x) * 4] as number) < 100) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0) widest = Math.max(widest, last - first + 1);
  }
  return (widest / dpi) * 25.4;
}

describe('issued PDF sheet → image → decode-image → verify', () => {
  it('a batch from a Vietnamese CSV prints, scans back and verifies ALLOW', async () => {
    const keys = await setUpKeys();
    const csv = join(dir, 'lo-1.csv');
    writeFileSync(
      csv,
      `\uFEFFSTT,Số giấy,Họ và tên,Số CCCD,Mục đích,Khu vực,Lộ trình,Biển số,Loại xe,Từ ngày,Đến ngày\n` +
        `1,TX-2021-000901,Nguyễn Thị Hằng,001185004321,Đi làm,"01-009; Quận Đống Đa",Nguyễn Trãi – Trường Chinh,29A-123.45,Xe máy,${vnDate(-1)},${vnDate(7)}\n` +
        `2,TX-2021-000902,Đặng Quốc Hưng,001090001111,Khám chữa bệnh,Quận Thanh Xuân,,,,,${vnDate(3)}\n`,
    );
    const out = join(dir, 'out');
    const issued = await runCliHere([
      'issue',
      '--key',
      keys.issuerPrivate,
      '--iss',
      '01-009',
      '--csv',
      csv,
      '--out',
      out,
    ]);
    expect(issued.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(issued.code).toBe(0);
    const summary = jsonLines(issued.stdout)[0] as {
      count: number;
      issuerName: string;
      permits: { cti: string; hash: string; text: string; pdf: string; png: string; idnMasked: string }[];
    };
    expect(summary.count).toBe(2);
    expect(summary.issuerName).toBe('Công an quận Thanh Xuân');
    expect(JSON.parse(readFileSync(join(out, 'issued.json'), 'utf8'))).toEqual(summary);
    expect(summary.permits.map((p) => p.hash)).toEqual([
      permitHash('01-009', 'TX-2021-000901'),
      permitHash('01-009', 'TX-2021-000902'),
    ]);
    expect(summary.permits[0]?.idnMasked).toBe('********4321');

    const images: string[] = [];
    for (const p of summary.permits) {
      expect(execFileSync('pdfinfo', [p.pdf], { encoding: 'utf8' })).toMatch(/Pages:\s+1\n/);
      const stem = p.pdf.replace(/\.pdf$/, '-page');
      execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', p.pdf, stem]);
      images.push(`${stem}.png`);
    }
    // The words on the sheet are real Vietnamese text, not shapes: copy-paste and screen readers work.
    const words = execFileSync('pdftotext', ['-layout', summary.permits[0]?.pdf as string, '-'], {
      encoding: 'utf8',
    });
    for (const w of [
      'GIẤY ĐI ĐƯỜNG',
      'CÔNG AN QUẬN THANH XUÂN',
      'Nguyễn Thị Hằng',
      '********4321',
      'Đi làm',
      'Quận Thanh Xuân (01-009); Quận Đống Đa (01-006)',
      'Nguyễn Trãi – Trường Chinh',
      'Xe máy, biển số 29A-123.45',
      `từ ${vnDate(-1)} 00:00 đến ${vnDate(7)} 23:59`,
      'TX-2021-000901',
    ]) {
      expect(words).toContain(w);
    }
    expect(words).not.toContain('001185004321');
    expect(execFileSync('pdffonts', [summary.permits[0]?.pdf as string], { encoding: 'utf8' })).toMatch(
      /BeVietnamPro/,
    );

    const page = PNG.sync.read(readFileSync(images[0] as string));
    expect(darkestSpanMm(page, 150)).toBeGreaterThanOrEqual(60);

    const decoded = await runCliHere(['decode-image', ...images, join(dir, 'lo-1.csv')]);
    expect(decoded.code).toBe(0);
    const lines = jsonLines(decoded.stdout) as { file: string; text?: string; error?: string }[];
    expect(lines.slice(0, 2)).toEqual(images.map((file, i) => ({ file, text: summary.permits[i]?.text })));
    expect(lines[2]).toMatchObject({ file: join(dir, 'lo-1.csv'), error: 'UNREADABLE' });

    // The last step through the real binary (a child process); the others run in this process.
    const verified = await runCli(
      ['verify', '--root', keys.rootPublic, '--trust', keys.trust],
      `${lines[0]?.text}\n${lines[1]?.text}\n`,
    );
    expect(verified.code).toBe(0);
    expect(jsonLines(verified.stdout)).toEqual([
      {
        decision: 'ALLOW',
        reasons: [],
        permit: {
          iss: '01-009',
          cti: 'TX-2021-000901',
          hash: summary.permits[0]?.hash,
          nam: 'Nguyễn Thị Hằng',
          pur: 'work',
        },
      },
      {
        decision: 'ALLOW',
        reasons: [],
        permit: {
          iss: '01-009',
          cti: 'TX-2021-000902',
          hash: summary.permits[1]?.hash,
          nam: 'Đặng Quốc Hưng',
          pur: 'medical',
        },
      },
    ]);
  }, 120_000);

  it('a CSV with one bad row issues nothing and writes nothing', async () => {
    const keys = await setUpKeys();
    const csv = join(dir, 'lo-2.csv');
    writeFileSync(
      csv,
      `Họ và tên,Số CCCD,Mục đích,Khu vực\nNguyễn Văn A,001185004321,Đi làm,01-009\nTrần B,12345,Đi làm,01-009\n`,
    );
    const out = join(dir, 'out-2');
    const r = await runCliHere([
      'issue',
      '--key',
      keys.issuerPrivate,
      '--iss',
      '01-009',
      '--csv',
      csv,
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('dòng 3, cột "Số CCCD"');
    expect(r.stderr).toContain('line 3, column "Số CCCD"');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
