// The command-centre dashboard in Debian's Chromium, fed by the real `kiosk command-centre` process and
// a real Kiosk on Mosquitto: the checkpoint goes online (birth), counts its scans, and goes offline when
// its socket dies (Last Will).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { FakeClock } from '../fixtures/clock.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust } from '../fixtures/permits.js';
import { launchChromium } from '../helpers/chromium.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { startProxy, type TcpProxy, waitFor } from '../integration/uplink-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_OUT = join(ROOT, 'dist', 'command-centre-web', 'index.html');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(join(dir, name));
    if (s.isFile()) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when dist/ is missing or older than its sources. */
function ensureDashboardBuilt(): void {
  const sources = Math.max(
    newestMtime(join(ROOT, 'command-centre', 'web')),
    newestMtime(join(ROOT, 'command-centre', 'server')),
  );
  if (existsSync(WEB_OUT) && statSync(WEB_OUT).mtimeMs >= sources) return;
  execFileSync('npx', ['vite', 'build', '--config', 'command-centre/web/vite.config.ts'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

describe('command-centre dashboard', () => {
  const issuer = makeIssuer();
  const forger = makeIssuer();
  const root = generateKeyPair();
  const nowS = Math.floor(Date.now() / 1000);
  let dir: string;
  let broker: MosquittoHandle;
  let proxy: TcpProxy;
  let cc: ChildProcess;
  let ccOut = '';
  let url: string;
  let browser: Browser;
  let kiosk: Kiosk | null = null;

  beforeAll(async () => {
    ensureDashboardBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cc-e2e-'));
    writeFileSync(join(dir, 'root.pem'), root.privatePem);
    broker = await startMosquitto({ extraConfig: 'max_queued_messages 1000000' });
    proxy = await startProxy(broker.port);
    cc = spawn(
      TSX,
      [
        'src/cli/main.ts',
        'command-centre',
        '--broker',
        broker.url,
        '--key',
        join(dir, 'root.pem'),
        '--port',
        '0',
        '--db',
        join(dir, 'cc.db'),
      ],
      { cwd: ROOT },
    );
    cc.stdout?.on('data', (d: Buffer) => {
      ccOut += d.toString();
    });
    cc.stderr?.on('data', (d: Buffer) => {
      ccOut += d.toString();
    });
    url = await waitFor(
      () => /command centre ready: (http:\S+)/.exec(ccOut)?.[1],
      'the command centre',
      30_000,
    );
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await kiosk?.stop();
    await browser?.close();
    cc?.kill('SIGTERM');
    await proxy?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Screenshots go to the test's temp dir, or where CC_SCREENSHOT_DIR says (to look at them).
  const shots = () => process.env.CC_SCREENSHOT_DIR ?? dir;
  const row = (page: Page) => page.getByTestId('cp-01-009-TX-01');

  it('shows a checkpoint go online, count its scans, and go offline by its Last Will', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    await page.goto(url);
    await expect.poll(() => page.getByTestId('broker-state').getAttribute('data-connected')).toBe('true');
    expect(await page.locator('h1').textContent()).toBe('Trung tâm chỉ huy');

    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000 + 250);
    kiosk = new Kiosk({
      checkpoint: checkpoint(),
      root: loadPublicKey(root.publicPem),
      trust: makeTrust([{ issuer, validFrom: nowS - 86_400, validTo: nowS + 86_400 }]),
      database: join(dir, 'kiosk.db'),
      serial: null,
      mqtt: { urls: [proxy.url], summaryWindowSeconds: 1 },
      http: false,
      // Its summary window ends when the test moves this clock (started a little into a real second,
      // so the dashboard's "today" is the kiosk's).
      now: clock.now,
      timers: clock,
    });
    await kiosk.start();
    await onDuty(kiosk);
    await expect.poll(() => row(page).getAttribute('data-state'), { timeout: 15_000 }).toBe('online');
    expect(await row(page).textContent()).toContain('Quận Thanh Xuân');

    for (let i = 0; i < 3; i++) {
      kiosk.scan(makePermit(issuer, { cti: `E2E-${i}`, iat: nowS - 3600, exp: nowS + 86_400 }), 'api');
    }
    kiosk.scan(makePermit(forger, { cti: 'E2E-F', iat: nowS - 3600, exp: nowS + 86_400 }), 'api');
    clock.advance(1000); // the window ends: its summary goes out
    await expect.poll(() => row(page).getByTestId('cp-allowed').textContent(), { timeout: 15_000 }).toBe('3');
    expect(await row(page).getByTestId('cp-denied').textContent()).toBe('1');
    const alert = page.getByTestId('alerts').locator('li').first();
    await expect.poll(() => alert.textContent()).toContain('TX-01');
    expect(await alert.textContent()).toContain('Đơn vị cấp không có trong danh sách tin cậy');
    expect(await alert.getAttribute('data-kind')).toBe('unknown-issuer'); // raised as an alert
    await page.screenshot({ path: join(shots(), 'cc-dashboard-online.png'), fullPage: true });

    // The kiosk's network dies: no goodbye, the broker publishes its Will.
    await proxy.close();
    await expect.poll(() => row(page).getAttribute('data-state'), { timeout: 15_000 }).toBe('offline');
    expect(await row(page).textContent()).toContain('Mất liên lạc');
    expect(await page.getByTestId('kpi-offline').textContent()).toContain('1');
    await page.getByTestId('lang-en').click();
    expect(await row(page).textContent()).toContain('Out of contact');
    expect(await page.locator('h1').textContent()).toBe('Command centre');
    await page.screenshot({ path: join(shots(), 'cc-dashboard-offline.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
