// The guard's verdict screen from a real kiosk fed through a serial scanner on a socat pseudo-terminal,
// in Debian's Chromium: the permit's areas, home and issuer named in words with their codes beneath,
// the recent scans in view at 1280×800 and 1920×1080, and the scanner's complaints in words. Shot in
// both languages, both themes and both sizes into test-results/screens/ (and into docs/ with
// KIOSK_DOCS_SHOTS=1, for the README).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import {
  type InProcessKiosk,
  loginAsGuard,
  ROOT,
  SHOTS,
  setLook,
  startKioskInProcess,
  waitFor,
} from './guard-fixture.js';

const DAY_S = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

let k: InProcessKiosk;
let pty: PtyPair;
let browser: Browser;
let page: Page;
let scans = 0;

function permit(cti: string, body: Record<string, unknown>, valid = true): string {
  const iat = nowS() - (valid ? 3600 : 20 * DAY_S);
  return issuePermit(
    permitClaims({ cti, iat, exp: valid ? nowS() + DAY_S : nowS() - DAY_S }, body),
    k.issuer.privateKey,
  );
}

/** Scans through the serial scanner and waits until the recent list shows the passage. */
async function scan(text: string): Promise<void> {
  writeFileSync(pty.b, `${text}\r\n`);
  scans++;
  const want = Math.min(scans, 5);
  await waitFor('the scan on the screen', async () =>
    (await page.locator('[data-testid=recent] li').count()) === want ? true : undefined,
  );
}

beforeAll(async () => {
  pty = await openPtyPair();
  k = await startKioskInProcess({ serial: { path: pty.a, baudRate: 9600, suffix: 'auto' } });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: SIZES[0],
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  page = await context.newPage();
  await page.goto(`${k.url}/?fadeMs=600000`);
  await loginAsGuard(page);
  await scan(permit('VS-1', { nam: 'Trần Văn Bình', idn: '001090007777' }));
  await scan(permit('VS-2', { nam: 'Lê Thị Thu Trang', idn: '001192003456' }, false));
  await scan(
    permit('VS-3', {
      k: 'goods',
      pur: 'goods',
      nam: 'Phạm Quốc Hùng',
      veh: { plate: '29C-123.45', type: 'truck' },
    }),
  );
  await scan(permit('VS-4', { nam: 'Vũ Đức Long', areas: ['01-001'], home: '01-001-00001' }));
  // Line noise (a wrong baud rate): the scanner's complaint, in words.
  writeFileSync(pty.b, Buffer.from([0x01, 0x02, 0x1b, 0x5b, 0x00, 0x7f, 0x0d, 0x0a]));
  await page.getByTestId('scanner-diagnostic').waitFor();
  await scan(
    permit('VS-5', {
      nam: 'Nguyễn Thị Hằng',
      idn: '001185004321',
      areas: ['01-009', '01-006', '01-009-00343'],
      home: '01-009-00343',
    }),
  );
  await page.locator('[data-testid=verdict][data-state=passage][data-decision=ALLOW]').waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await k?.stop();
  await pty?.close();
});

describe('the verdict screen', () => {
  it('names the areas, the home and the issuer in words, with their codes on a small line beneath', async () => {
    const areas = page.getByTestId('permit-areas');
    expect(await areas.locator('.details__words').innerText()).toBe(
      'Quận Thanh Xuân; Quận Đống Đa; Phường Nhân Chính, Quận Thanh Xuân',
    );
    expect(await page.getByTestId('permit-areas-codes').innerText()).toBe('01-009 · 01-006 · 01-009-00343');
    expect(await page.getByTestId('permit-home').locator('.details__words').innerText()).toBe(
      'Phường Nhân Chính, Quận Thanh Xuân',
    );
    expect(await page.getByTestId('permit-home-codes').innerText()).toBe('01-009-00343');
    expect(await page.getByTestId('permit-issuer').locator('.details__words').innerText()).toBe(
      'Công an quận Thanh Xuân',
    );
    expect(await page.getByTestId('permit-issuer-codes').innerText()).toBe('01-009');
    // The codes' line is smaller than the words above it.
    const size = (sel: string) =>
      page
        .locator(sel)
        .first()
        .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
    expect(await size('[data-testid=permit-areas-codes]')).toBeLessThan(
      (await size('[data-testid=permit-areas] .details__words')) * 0.8,
    );
  });

  it("shows the scanner's complaint in words, never as its code", async () => {
    const note = page.getByTestId('scanner-diagnostic');
    const code = (await note.getAttribute('data-code')) ?? '';
    expect(code).not.toBe('');
    const words = await note.innerText();
    expect(words).toContain('Máy quét gửi dữ liệu lỗi');
    expect(words).toMatch(/không phải văn bản/);
    expect(words).not.toContain(code);
  });

  it('keeps the recent scans and the whole verdict in view at 1280×800 and 1920×1080', async () => {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      const list = await page.getByTestId('recent').boundingBox();
      expect(list, `${size.width}×${size.height}`).not.toBeNull();
      if (!list) continue;
      expect(list.y).toBeGreaterThanOrEqual(0);
      expect(list.x).toBeGreaterThanOrEqual(0);
      expect(list.y + list.height, `${size.width}×${size.height}`).toBeLessThanOrEqual(size.height);
      expect(list.x + list.width).toBeLessThanOrEqual(size.width);
      expect(await page.locator('[data-testid=recent] li').count()).toBe(5);
      // The verdict panel clips what does not fit: its last row must fit.
      const panel = await page.getByTestId('verdict').boundingBox();
      const last = await page.getByTestId('permit-issuer').boundingBox();
      expect(panel && last && last.y + last.height <= panel.y + panel.height).toBe(true);
    }
  });

  it('is shot in both languages, both themes and both sizes', async () => {
    const docs = process.env.KIOSK_DOCS_SHOTS === '1';
    mkdirSync(SHOTS, { recursive: true });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const lang of ['vi', 'en'] as const) {
        for (const theme of ['day', 'night'] as const) {
          await setLook(page, lang, theme);
          await page.evaluate(() => document.fonts.ready);
          const name = `verdict-${lang}-${theme}-${size.width}x${size.height}.png`;
          const png = await page.screenshot({ path: join(SHOTS, name) });
          if (docs) writeFileSync(join(ROOT, 'docs', name), png);
        }
      }
    }
    await setLook(page, 'vi', 'day');
  });

  it('says in words why the scanner cannot be used once it is unplugged', async () => {
    await pty.close();
    const note = page.getByTestId('scanner-problem');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.getAttribute('data-state')).toBe('missing');
    const words = await note.innerText();
    expect(words).toContain('Máy quét chưa dùng được');
    expect(words).toContain(`Không thấy máy quét ở ${pty.a}: kiểm tra cáp USB`);
    expect(words).not.toMatch(/ENOENT|Error/);
  });
});
