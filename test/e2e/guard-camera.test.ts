// The camera scanner in Debian's Chromium: the browser's fake camera plays a video (a Y4M file made
// with code) of a permit printed on the issuer's A4 sheet and held up tilted, a little bent, in a
// room's light; the camera panel decodes it in its Web Worker with zxing-cpp's bundled WebAssembly under
// the page's strict CSP, and the kiosk records the passage with source `camera`, once, thanks to the pause.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/base/prng.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { loadNodeQrEngine } from '../../src/hardware/qr-decoder.js';
import { readQr } from '../../src/hardware/qr-read.js';
import { expose, GOOD_SENSOR, gaussianBlur, y4m } from '../fixtures/camera-effects.js';
import { BRIGHT_ROOM, imageSurface, photograph } from '../fixtures/camera-sim.js';
import { SHEET_DPI, sheetOf } from '../fixtures/permit-sheet.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { type InProcessKiosk, loginAsGuard, ROOT, startKioskInProcess } from './guard-fixture.js';

let k: InProcessKiosk;
let browser: Browser;
let page: Page;
let dir: string;
const errors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  k = await startKioskInProcess();
  const now = Math.floor(Date.now() / 1000);
  const claims = permitClaims({ cti: 'CAM-1', iat: now - 3600, exp: now + 86_400 });
  const text = issuePermit(claims, k.issuer.privateKey);
  dir = mkdtempSync(join(tmpdir(), 'kiosk-camera-'));
  // The permit as printed, photographed tilted 30° and 15°, turned, slightly bent, a little out of focus.
  const sheet = await sheetOf(claims, text, dir);
  const seen = photograph(
    imageSurface(sheet.page, SHEET_DPI / 25.4, sheet.qr),
    {
      yaw: 30,
      pitch: -15,
      roll: 12,
      qrPx: 250,
      offset: [25, -10],
      focal: 0.9,
      curl: 260,
      curlAxis: 'v',
      curlAt: 20,
      barrel: 0.03,
    },
    BRIGHT_ROOM,
    { width: 640, height: 480 },
    seededRandom(7),
  );
  const frame = expose(gaussianBlur(seen, 0.8), GOOD_SENSOR, seededRandom(8));
  // The picture itself is readable: if the browser does not read it, the fault is in the browser path.
  await loadNodeQrEngine();
  expect(await readQr({ lum: Uint8ClampedArray.from(frame.lum), width: 640, height: 480 })).toBe(text);
  const video = join(dir, 'permit.y4m');
  writeFileSync(video, y4m(frame, 4));
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['camera'], { origin: k.url });
  context.on('request', (r) => requests.push(r.url()));
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${k.url}/?fadeMs=600000`);
  await loginAsGuard(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await k?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('camera scanning', () => {
  it('reads a permit held up to the camera, in a worker, and records it once', async () => {
    await page.getByTestId('camera-open').click();
    await page.getByTestId('camera-toggle').click();
    await page
      .locator('[data-testid=verdict][data-state=passage][data-decision=ALLOW]')
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('holder-name').innerText()).toContain('Nguyễn Thị Hằng');
    const rows = k.query<{ source: string; decision: string }>(
      "SELECT source, decision FROM passages WHERE cti = 'CAM-1'",
    );
    expect(rows).toEqual([{ source: 'camera', decision: 'ALLOW' }]);
    // The camera paused after the read, then looks again: the same code is a duplicate, not a passage.
    await expect
      .poll(() => page.getByTestId('camera-panel').getAttribute('data-state'), { timeout: 10_000 })
      .toBe('looking');
    const shots = join(ROOT, 'test-results', 'screens');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'guard-camera-vi-day-1280x800.png') });
    await page.locator('[data-testid=verdict][data-state=duplicate]').waitFor({ timeout: 20_000 });
    expect(k.query("SELECT id FROM passages WHERE cti = 'CAM-1'")).toHaveLength(1);
    // No CSP violation, no script error: the worker and its WebAssembly were allowed and ran.
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
    // The WebAssembly came from the kiosk, as everything else: nothing from the internet.
    expect(requests.some((u) => /\/assets\/zxing_reader-[\w-]+\.wasm$/.test(u))).toBe(true);
    expect(requests.filter((u) => !u.startsWith(k.url) && !u.startsWith('blob:'))).toEqual([]);
  });
});
