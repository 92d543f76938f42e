// The camera scanner in Debian's Chromium: the browser's fake camera plays a video of a permit's QR
// code (a Y4M file made with code), the camera panel decodes it in its Web Worker under the page's
// strict CSP, and the kiosk records the passage with source `camera`, once, thanks to the pause.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { syntheticFrame } from '../../src/hardware/qr-synthetic.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { type InProcessKiosk, loginAsGuard, ROOT, startKioskInProcess } from './guard-fixture.js';

/** A Y4M video (4:2:0) of a grey frame, repeated: what Chromium's fake camera plays in a loop. */
function y4m(lum: Uint8ClampedArray, width: number, height: number, frames = 4): Buffer {
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`)];
  for (let i = 0; i < frames; i++) parts.push(Buffer.from('FRAME\n'), Buffer.from(lum), chroma);
  return Buffer.concat(parts);
}

let k: InProcessKiosk;
let browser: Browser;
let page: Page;
let dir: string;
const errors: string[] = [];

beforeAll(async () => {
  k = await startKioskInProcess();
  const now = Math.floor(Date.now() / 1000);
  const text = issuePermit(
    permitClaims({ cti: 'CAM-1', iat: now - 3600, exp: now + 86_400 }),
    k.issuer.privateKey,
  );
  const frame = syntheticFrame(text, { width: 640, height: 480, moduleSize: 4, noise: 6 });
  dir = mkdtempSync(join(tmpdir(), 'kiosk-camera-'));
  const video = join(dir, 'permit.y4m');
  writeFileSync(video, y4m(frame.lum, frame.width, frame.height));
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
    // No CSP violation, no script error: the worker was allowed and ran.
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
