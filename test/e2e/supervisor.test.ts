// The supervisor's flows in Debian's Chromium over the real kiosk core (SQLite, sessions in HttpOnly
// cookies): PIN login, shifts, sign-off, the PDF report (turned into an image), CSV export (parsed
// back), search, reviewing an override made through the API, verify log before and after an edit
// behind the kiosk's back, and the guard's login, shift gate and handover. Screenshots land in
// /tmp/shots/ for a human to judge.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/api/dispatch.js';
import { T0S } from '../fixtures/permits.js';
import { launchChromium } from '../helpers/chromium.js';
import { type AuditKiosk, PINS, startAuditKiosk } from '../unit/audit-fixtures.js';

const repo = path.resolve(import.meta.dirname, '../..');
const SHOTS = '/tmp/shots';

function ensureBuilt(): void {
  const index = path.join(repo, 'dist/renderer/index.html');
  const src = path.join(repo, 'renderer/src/login/AuthGate.tsx');
  if (existsSync(index) && statSync(index).mtimeMs >= statSync(src).mtimeMs) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: repo, stdio: 'pipe' });
}

let k: AuditKiosk;
let browser: Browser;
let guard: CallContext;
let shiftId: number;
const ids: Record<string, number> = {};
const errors: string[] = [];

async function shoot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(SHOTS, `supervisor-${name}.png`), fullPage: true });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 800 },
    timezoneId: 'Europe/Paris',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(k.url!);
  return page;
}

async function login(page: Page, name: string, pin: string): Promise<void> {
  await page.getByTestId('login-screen').waitFor();
  await page.getByTestId('login-name').fill(name);
  // The on-screen keypad, as a gloved guard would.
  for (const d of pin) await page.locator('.keypad__key', { hasText: new RegExp(`^${d}$`) }).click();
  await page.getByTestId('login-submit').click();
}

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(SHOTS, { recursive: true });
  k = await startAuditKiosk({ http: true });
  guard = await k.login('canbo', PINS.guard);
  shiftId = (await k.call('shift.open', {}, guard)).id;
  const scan = async (key: string, text: string, extra: Record<string, unknown> = {}) => {
    k.clock.now += 5 * 60_000;
    ids[key] = (await k.call('scan.submit', { text, ...extra }, guard)).passageId!;
  };
  await scan('hang', k.permit('TX-101', { nam: 'Nguyễn Thị Hằng' }), {
    plate: '29A-123.45',
    vehicleType: 'car',
  });
  await scan('duc', k.permit('TX-102', { nam: 'Đặng Văn Đức', idn: '001090001111' }));
  await scan('expired', k.permit('TX-103', { nam: 'Trần Thị Hồng' }, { exp: T0S - 3600 }));
  await scan('area', k.permit('TX-104', { nam: 'Lê Minh Tuấn', areas: ['01-001'] }));
  k.clock.now += 60_000;
  // An override made through the API, as the guard's screen does.
  await k.call(
    'passage.override',
    { passageId: ids.area!, reason: 'Chở mẹ đi cấp cứu Bạch Mai, đã gọi xác minh' },
    guard,
  );
  for (let i = 0; i < 6; i++)
    await scan(`p${i}`, k.permit(`TX-2${i}`, { nam: `Phạm Văn Bình ${i}` }), {
      direction: i % 2 ? 'out' : 'in',
    });
  await k.call(
    'shift.close',
    { notes: 'Một trường hợp cho qua thủ công (cấp cứu). Máy quét làn 2 chập chờn.' },
    guard,
  );
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await k?.close();
});

describe('supervisor in Chromium', () => {
  let page: Page;

  it('logs in with the PIN keypad and lists the shifts', async () => {
    page = await newPage();
    await expect.poll(() => page.getByTestId('login-checkpoint').innerText()).toContain('Chốt Nguyễn Trãi');
    await shoot(page, 'login');
    await login(page, 'giamsat', '000000');
    await expect
      .poll(() => page.getByTestId('login-error').innerText())
      .toContain('Sai tên đăng nhập hoặc mã PIN');
    await login(page, 'giamsat', PINS.supervisor);
    await page.getByTestId('supervisor-app').waitFor();
    expect(await page.getByTestId('desk-user').innerText()).toBe('Đại uý Nguyễn Văn Bình');
    const row = page.locator(`[data-testid=shift-row][data-id="${shiftId}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Trung sĩ Lê Văn Tám');
    expect(await row.innerText()).toContain('Chưa ký');
    // The session cookie is HttpOnly: page scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await shoot(page, 'shifts');
  });

  it('opens a shift, signs it off, and downloads its PDF report', async () => {
    await page.locator(`[data-testid=shift-row][data-id="${shiftId}"]`).click();
    await page.getByTestId('shift-detail').waitFor();
    await expect
      .poll(() => page.getByTestId('results').locator('tr[data-testid=result-row]').count())
      .toBe(10);
    expect(await page.getByTestId('shift-detail').innerText()).toContain('Máy quét làn 2 chập chờn');
    await page.getByTestId('flow-chart').locator('canvas').waitFor();
    await page.getByTestId('signoff').click();
    await page.getByTestId('signoff-note').fill('Đã xem lại lượt cho qua thủ công: hợp lệ.');
    await page.getByTestId('signoff-confirm').click();
    await expect
      .poll(() => page.getByTestId('signed-state').innerText())
      .toContain('Đại uý Nguyễn Văn Bình ký lúc');
    await shoot(page, 'shift-detail');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-pdf').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`bao-cao-ca-${shiftId}_TX-01.pdf`);
    const pdfPath = path.join(SHOTS, 'supervisor-report.pdf');
    await download.saveAs(pdfPath);
    execFileSync('pdftoppm', [
      '-r',
      '70',
      '-png',
      '-f',
      '1',
      '-l',
      '2',
      pdfPath,
      path.join(SHOTS, 'supervisor-report'),
    ]);
    const png = readFileSync(path.join(SHOTS, 'supervisor-report-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString();
    expect(text).toContain('BÁO CÁO CA TRỰC');
    expect(text).toContain('Chở mẹ đi cấp cứu Bạch Mai');
    expect(text).toContain('Đại uý Nguyễn Văn Bình');
    expect(text).toContain('NGUYÊN VẸN');
  });

  it('exports the shift as CSV that parses back with its Vietnamese', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-shift-csv').click(),
    ]);
    const file = path.join(SHOTS, 'supervisor-export.csv');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.toString('utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r['Họ tên'])).toContain('Đặng Văn Đức');
    expect(rows.find((r) => r['Mã lượt'] === String(ids.area))).toMatchObject({
      'Kết quả': 'KHÔNG CHO QUA',
      'Cho qua thủ công': 'Chở mẹ đi cấp cứu Bạch Mai, đã gọi xác minh',
    });
  });

  it('searches by name without accents and by plate, in milliseconds', async () => {
    await page.getByTestId('tab-search').click();
    await page.getByTestId('search-name').fill('dang duc');
    await page.getByTestId('search-submit').click();
    await expect.poll(() => page.locator('[data-testid=result-row]').count()).toBe(1);
    expect(await page.locator('[data-testid=result-row]').innerText()).toContain('Đặng Văn Đức');
    expect(await page.getByTestId('results-meta').innerText()).toMatch(/1 kết quả · \d+\.\d ms/);
    await page.getByTestId('search-name').fill('');
    await page.getByTestId('search-plate').fill('29a 123');
    await page.getByTestId('search-submit').click();
    await expect
      .poll(() => page.locator('[data-testid=result-row]').first().innerText())
      .toContain('Nguyễn Thị Hằng');
    await shoot(page, 'search');
    // A time range typed the Vietnamese way, read as Vietnam time whatever the laptop's zone.
    await page.getByTestId('search-plate').fill('');
    await page.getByTestId('search-from').fill('10/09/2021 08:12');
    await page.getByTestId('search-to').fill('10/09/2021 08:22');
    await page.getByTestId('search-submit').click();
    await expect.poll(() => page.locator('[data-testid=result-row]').count()).toBe(2);
    expect(await page.locator('[data-testid=result-row]').first().getAttribute('data-id')).toBe(
      String(ids.area),
    );
    await page.getByTestId('search-to').fill('31/02/2021 08:22');
    await page.getByTestId('search-submit').click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('dd/mm/yyyy HH:mm');
  });

  it('charts the day by hour with its totals', async () => {
    await page.getByTestId('tab-flow').click();
    await expect.poll(() => page.getByTestId('flow-day').inputValue()).toBe('10/09/2021');
    await expect.poll(() => page.getByTestId('flow-totals').innerText()).toMatch(/7\s*Vào[\s\S]*3\s*Ra/);
    await page.getByTestId('flow-chart').locator('canvas').waitFor();
    await shoot(page, 'flow');
  });

  it('reviews the override: who let whom through, and why', async () => {
    await page.getByTestId('tab-review').click();
    await page.getByTestId('review-overridden').click();
    const row = page.locator(`[data-testid=result-row][data-id="${ids.area}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('Lê Minh Tuấn');
    await row.click();
    const box = page.getByTestId('override-box');
    await box.waitFor();
    expect(await box.innerText()).toContain('Chở mẹ đi cấp cứu Bạch Mai, đã gọi xác minh');
    expect(await box.innerText()).toContain('Trung sĩ Lê Văn Tám');
    await shoot(page, 'override');
    await page.getByTestId('close-detail').click();
  });

  it('verifies the log, then names the row edited behind the kiosk’s back', async () => {
    await page.getByTestId('tab-verify').click();
    await page.getByTestId('verify-run').click();
    await expect.poll(() => page.getByTestId('verify-result').getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('verify-result').innerText()).toContain('NGUYÊN VẸN');
    const db = new Database(k.db);
    db.prepare("UPDATE passages SET holder_name = 'Người khác' WHERE id = ?").run(ids.duc);
    db.close();
    await page.getByTestId('verify-run').click();
    await expect.poll(() => page.getByTestId('verify-result').getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('verify-broken').innerText()).toContain(`Lượt qua số ${ids.duc}`);
    await shoot(page, 'verify-broken');
  });

  it('switches to English', async () => {
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => page.getByTestId('tab-shifts').innerText()).toBe('Shifts');
    expect(await page.getByTestId('verify-run').innerText()).toBe('VERIFY THE WHOLE LOG');
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-screen').waitFor();
  });
});

describe('guard in Chromium', () => {
  it('logs in, reads the handover notes, opens a shift, scans, hands over', async () => {
    const page = await newPage();
    await login(page, 'canbo2', PINS.guard2);
    await page.getByTestId('shift-gate').waitFor();
    await expect
      .poll(() => page.getByTestId('previous-notes').innerText())
      .toContain('Máy quét làn 2 chập chờn');
    await shoot(page, 'guard-gate');
    await page.getByTestId('open-shift').click();
    await page.getByTestId('guard-bar').waitFor();
    expect(await page.getByTestId('guard-bar').innerText()).toContain('Hạ sĩ Đỗ Thị Mai');
    await page.getByTestId('verdict').waitFor();
    // A scanner scan reaches this guard's screen (verdict events go to the guard on shift only).
    k.clock.now += 60_000;
    k.kiosk.scan(k.permit('TX-900', { nam: 'Vũ Thị Lan' }), 'serial');
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-decision')).toBe('ALLOW');
    expect(await page.getByTestId('verdict').getAttribute('data-state')).toBe('passage');
    await shoot(page, 'guard-scan');
    await page.getByTestId('handover').click();
    await page.getByTestId('handover-notes').fill('Không có gì đặc biệt.');
    await page.getByTestId('confirm-handover').click();
    await page.getByTestId('login-screen').waitFor();
    const status = await k.call('status.get', {});
    expect(status.shift ?? null).toBeNull();
    expect(errors.filter((e) => !/401|403|Failed to load resource/.test(e))).toEqual([]);
  });
});
