// The scan screen end to end: the built renderer served by the browser host, driven in Debian's
// Chromium. Screenshots land in /tmp/shots/ for a human to judge legibility.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/contract/api.js';
import { BrowserHost } from '../../src/host/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeTestKiosk, makeVerdict, PERMIT, SAMPLES, type TestKiosk } from '../integration/host-fixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const staticDir = path.join(repo, 'dist/renderer');
const SHOTS = '/tmp/shots';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when it is missing or older than its sources. */
function ensureBuilt(): void {
  const index = path.join(staticDir, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(repo, 'renderer')),
    newestMtime(path.join(repo, 'src/contract')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: repo, stdio: 'pipe' });
}

let kiosk: TestKiosk;
let host: BrowserHost;
let url: string;
let port: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

let seq = 1;
function verdict(
  decision: Verdict['decision'],
  reasons: Verdict['reasons'],
  over: Partial<Verdict> = {},
): Verdict {
  return makeVerdict(decision, reasons, { passageId: seq++, at: new Date().toISOString(), ...over });
}

async function show(v: Verdict): Promise<void> {
  kiosk.emit('verdict', v);
  await page.locator(`[data-testid=verdict][data-decision=${v.decision}]`).waitFor();
}

async function shoot(name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  const size = page.viewportSize();
  await page.screenshot({ path: path.join(SHOTS, `${name}-${size?.width}x${size?.height}.png`) });
}

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(SHOTS, { recursive: true });
  kiosk = makeTestKiosk({ demo: true });
  host = new BrowserHost({ staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
  ({ url, port } = await host.start());
  browser = await launchChromium();
  // A browser far from Vietnam: every time on screen must still be Vietnam time.
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'America/New_York',
    colorScheme: 'light',
  });
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(url);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('scan screen', () => {
  it('starts idle with the status bar filled in', async () => {
    const panel = page.getByTestId('verdict');
    await expect.poll(() => panel.getAttribute('data-decision')).toBe('IDLE');
    await expect.poll(() => panel.innerText()).toContain('Sẵn sàng quét');
    await page.getByTestId('scanner-state').waitFor();
    expect(await page.getByTestId('scanner-state').getAttribute('data-state')).toBe('ok');
    expect(await page.getByTestId('scanner-state').innerText()).toContain('Máy quét: Hoạt động');
    expect(await page.getByTestId('uplink-state').getAttribute('data-state')).toBe('disconnected');
    expect(await page.getByTestId('uplink-state').innerText()).toContain('chờ gửi 12');
    expect(await page.getByTestId('checkpoint-name').innerText()).toContain('Chốt Nguyễn Trãi');
    expect(await page.getByTestId('count-allowed').innerText()).toContain('41');
    expect(await page.getByTestId('demo-sample').count()).toBe(SAMPLES.length);
  });

  it('shows a DENY verdict with name, reasons and Vietnam-time validity', async () => {
    await show(verdict('DENY', ['EXPIRED', 'AREA_NOT_PERMITTED']));
    const panel = page.getByTestId('verdict');
    expect(await panel.innerText()).toContain('KHÔNG CHO QUA');
    expect(await page.getByTestId('holder-name').innerText()).toBe('Nguyễn Thị Hằng');
    const reasons = await page.getByTestId('reasons').innerText();
    expect(reasons).toContain('Giấy đã hết hạn');
    expect(reasons).toContain('Không được phép vào khu vực này');
    // 00:00Z and 16:59Z are 07:00 and 23:59 in Vietnam, whatever the browser's own zone.
    expect(await page.getByTestId('permit-validity').innerText()).toContain(
      '01/08/2021 07:00 – 15/09/2021 23:59',
    );
    expect(await page.getByTestId('permit-purpose').innerText()).toContain('Khám chữa bệnh');
    expect(await page.getByTestId('permit-vehicle').innerText()).toContain('29A-123.45');
    expect(await page.getByTestId('permit-id').innerText()).toContain(PERMIT.idnMasked);
    await shoot('deny');
  });

  it('shows ALLOW and REVIEW with their words', async () => {
    await show(verdict('ALLOW', []));
    expect(await page.getByTestId('verdict').innerText()).toContain('CHO QUA');
    await shoot('allow');
    await show(verdict('REVIEW', ['UNRECOGNISED'], { permit: null, preview: 'HTTPS://EXAMPLE.COM/?ID=42' }));
    const text = await page.getByTestId('verdict').innerText();
    expect(text).toContain('CẦN KIỂM TRA');
    expect(text).toContain('Không phải giấy đi đường');
    expect(text).toContain('HTTPS://EXAMPLE.COM/?ID=42');
    await shoot('review');
  });

  it('switches to English and remembers the choice', async () => {
    await show(verdict('DENY', ['EXPIRED']));
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('DENY');
    expect(await page.getByTestId('reasons').innerText()).toContain('Permit expired');
    expect(await page.getByTestId('permit-purpose').innerText()).toContain('Medical care');
    expect(await page.getByTestId('scanner-state').innerText()).toContain('Scanner: Working');
    await page.reload();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('Ready to scan');
    expect(await page.getByTestId('lang-toggle').getAttribute('data-lang')).toBe('en');
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('Sẵn sàng quét');
  });

  it('shows a duplicate scan as "already scanned", not as a fresh verdict', async () => {
    await show(verdict('ALLOW', ['DUPLICATE_SCAN'], { duplicate: true }));
    const panel = page.getByTestId('verdict');
    expect(await panel.getAttribute('data-state')).toBe('duplicate');
    const text = await panel.innerText();
    expect(text).toContain('ĐÃ QUÉT RỒI');
    expect(text).toContain('Kết quả lần trước');
    await shoot('duplicate');
  });

  it('feeds demo samples through scan.submit and lists them once in recent verdicts', async () => {
    await page.getByTestId('demo-sample').first().click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-state')).toBe('fresh');
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-decision')).toBe('ALLOW');
    expect(kiosk.submitted.at(-1)).toBe('SAMPLE-ALLOW');
    const recent = page.getByTestId('recent').locator('li');
    expect(await recent.count()).toBeLessThanOrEqual(5);
    expect(await recent.first().getAttribute('data-decision')).toBe('ALLOW');
    await page.getByTestId('demo-sample').nth(1).click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-decision')).toBe('DENY');
    // The verdict came back both as the call's result and as an event: one row, not two.
    expect(await recent.nth(1).getAttribute('data-decision')).toBe('ALLOW');
    expect(await recent.first().getAttribute('data-decision')).toBe('DENY');
  });

  it('switches direction through lane.set', async () => {
    await page.getByTestId('direction-out').click();
    await expect.poll(() => page.getByTestId('direction').getAttribute('data-direction')).toBe('out');
    expect(kiosk.status.direction).toBe('out');
    await page.getByTestId('direction-in').click();
    await expect.poll(() => kiosk.status.direction).toBe('in');
  });

  it('renders the night theme', async () => {
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('night');
    await show(verdict('DENY', ['ORIGIN_HIGH_RISK']));
    await shoot('night-deny');
    await show(verdict('ALLOW', []));
    await shoot('night-allow');
    await show(verdict('REVIEW', ['VEHICLE_MISMATCH']));
    await shoot('night-review');
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('day');
  });

  it('takes the large-screen screenshots', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await show(verdict('ALLOW', []));
    await shoot('allow');
    await show(verdict('DENY', ['REVOKED', 'OUTSIDE_HOURS']));
    await shoot('deny');
    await show(verdict('REVIEW', ['ALREADY_INSIDE', 'HEALTH_PROOF_REQUIRED']));
    await shoot('review');
    await page.getByTestId('theme-toggle').click();
    await show(verdict('DENY', ['SIGNATURE_INVALID'], { permit: null, preview: 'VNP1:6BFOXN*TS0BI$ZD' }));
    await shoot('night-deny');
    await page.getByTestId('theme-toggle').click();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('fades a verdict to the compact "last verdict" line', async () => {
    const p2 = await context.newPage();
    await p2.goto(`${url}?fadeMs=800`);
    await p2.getByTestId('scanner-state').waitFor();
    kiosk.emit('verdict', verdict('DENY', ['EXPIRED']));
    await p2.locator('[data-testid=verdict][data-decision=DENY]').waitFor();
    await p2.locator('[data-testid=verdict][data-decision=IDLE]').waitFor();
    const last = p2.getByTestId('last-verdict');
    expect(await last.getAttribute('data-decision')).toBe('DENY');
    expect(await last.innerText()).toContain('KHÔNG CHO QUA');
    expect(await last.innerText()).toContain('Nguyễn Thị Hằng');
    await p2.screenshot({ path: path.join(SHOTS, 'faded-1280x800.png') });
    await p2.close();
  });

  it('shows a banner while the connection is lost and recovers', async () => {
    await host.stop();
    await page.getByTestId('connection-lost').waitFor();
    expect(await page.getByTestId('connection-lost').innerText()).toContain('MẤT KẾT NỐI');
    await page.screenshot({ path: path.join(SHOTS, 'connection-lost-1280x800.png') });
    host = new BrowserHost({ port, staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
    await host.start();
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 20_000 });
    // Events flow again after the reconnect without re-registering listeners.
    await show(verdict('REVIEW', ['VEHICLE_MISMATCH']));
    // Only the dropped socket may have logged errors; no CSP violation, no script error.
    const unexpected = consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/i.test(e));
    expect(unexpected).toEqual([]);
  });
});
