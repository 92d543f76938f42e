// The command-centre dashboard in Debian's Chromium, fed by the real `kiosk command-centre` process on
// Mosquitto, and kiosks speaking contract v2 (their own connections, birth statuses and Wills): a
// checkpoint of three kiosks shows each under it (one offline by its Will, one with a backlog waiting
// for our receipt), its counts the sum of its kiosks'; two live instances claiming one kiosk id raise
// an alert; an operator (logged in, made by `kiosk command-centre accounts add`) asks a kiosk to
// resend what we lack.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/contract/keys.js';
import {
  event,
  kioskConnection,
  kioskId,
  MINUTE,
  passage,
  type SimId,
  send,
  status,
  summary,
} from '../fixtures/cc-messages.js';
import { TEST_PASSWORD } from '../fixtures/cc-operators.js';
import { addAccountByCli, isLoginProbe, logIn } from '../fixtures/cc-page.js';
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
  const root = generateKeyPair();
  let dir: string;
  let broker: MosquittoHandle;
  let proxy: TcpProxy;
  let cc: ChildProcess;
  let ccOut = '';
  let url: string;
  let browser: Browser;
  const conns: mqtt.MqttClient[] = [];

  beforeAll(async () => {
    ensureDashboardBuilt();
    dir = mkdtempSync(join(tmpdir(), 'cc-e2e-'));
    writeFileSync(join(dir, 'root.pem'), root.privatePem);
    broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100' });
    proxy = await startProxy(broker.port);
    addAccountByCli(join(dir, 'cc.db'), 'op', 'operator', 'city');
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
    for (const c of conns) await c.endAsync(true).catch(() => {});
    await browser?.close();
    cc?.kill('SIGTERM');
    await proxy?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Screenshots go to the test's temp dir, or where CC_SCREENSHOT_DIR says (to look at them).
  const shots = () => process.env.CC_SCREENSHOT_DIR ?? dir;
  const cpRow = (page: Page, c: string) => page.getByTestId(`cp-01-009-${c}`);
  const kioskRow = (page: Page, c: string, k: string) => page.getByTestId(`kiosk-01-009-${c}-${k}`);

  /** A kiosk's connection (Will registered, birth retained), through the proxy when it is to vanish. */
  async function online(k: SimId, over: Parameters<typeof status>[2] = {}, via = broker.url) {
    const c = await kioskConnection(via, k, status(k, Date.now(), over));
    conns.push(c);
    return c;
  }

  it('lists the kiosks under their checkpoint: offline, backlog, receipt lag, counts summed', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !isLoginProbe(m.text())) problems.push(m.text());
    });
    await logIn(page, url, 'op', TEST_PASSWORD);
    await expect.poll(() => page.getByTestId('broker-state').getAttribute('data-connected')).toBe('true');
    expect(await page.locator('h1').textContent()).toBe('Trung tâm chỉ huy');

    const now = Date.now();
    const window = Math.floor(now / MINUTE) * MINUTE - 2 * MINUTE;
    const l1 = kioskId('L1');
    const l2 = kioskId('L2');
    const l3 = kioskId('L3');
    const pub = await online(l1, { lastSeq: 3 });
    await online(l2, {
      lastSeq: 12,
      outbox: { unreceipted: 9, oldestAt: new Date(now - 12 * MINUTE).toISOString() },
      commandCentre: 'offline',
    });
    await online(l3, { lastSeq: 1, scanner: 'missing' }, proxy.url);
    await send(pub, l1, 'summary', summary(l1, 1, window, { allowedIn: 14, deniedIn: 2, allowedOut: 9 }));
    await send(pub, l1, 'event', event(l1, 2, now - 90_000));
    await send(pub, l1, 'passage', passage(l1, 3, now - 90_000));
    // L2 got only its first three messages through: a gap of 9 that it still holds.
    await send(pub, l2, 'summary', summary(l2, 1, window, { allowedIn: 5, allowedOut: 3 }));
    await send(pub, l2, 'event', event(l2, 2, now - 60_000));
    await send(pub, l2, 'passage', passage(l2, 3, now - 60_000));
    await send(pub, l3, 'summary', summary(l3, 1, window, { allowedIn: 2 }));
    // Another checkpoint, all well; and a third elsewhere.
    for (const k of [kioskId('L1', 'TX-02'), kioskId('L2', 'TX-02')]) {
      await online(k, { lastSeq: 1 });
      await send(pub, k, 'summary', summary(k, 1, window, { allowedIn: 7, allowedOut: 6 }));
    }

    const tx1 = cpRow(page, 'TX-01');
    await expect.poll(() => tx1.getByTestId('cp-allowed').textContent(), { timeout: 15_000 }).toBe('33');
    expect(await tx1.getAttribute('data-state')).toBe('online');
    expect(await tx1.getByTestId('cp-denied').textContent()).toBe('2');
    expect(await tx1.getByTestId('cp-unreceipted').textContent()).toBe('9');
    const backlog = kioskRow(page, 'TX-01', 'L2');
    // The age is counted on the dashboard's clock, which ticks (set from the server's), in whole minutes
    // rounded down: 11 until its next tick after the 12th minute.
    expect(await backlog.getByTestId('kiosk-unreceipted').textContent()).toMatch(/^9 · 1[12] phút trước/);
    expect(await backlog.getByTestId('kiosk-lag').textContent()).toMatch(/^9/);
    expect(await kioskRow(page, 'TX-01', 'L1').getByTestId('kiosk-lag').textContent()).toBe('0');

    // L3's network dies: no goodbye, the broker publishes its Will.
    await proxy.close();
    await expect
      .poll(() => kioskRow(page, 'TX-01', 'L3').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('offline');
    expect(await tx1.getAttribute('data-state')).toBe('partial');
    expect(await tx1.getByTestId('cp-state').textContent()).toBe('2/3 máy trực tuyến');
    expect(await kioskRow(page, 'TX-01', 'L3').textContent()).toContain('Mất liên lạc');
    expect(await cpRow(page, 'TX-02').getAttribute('data-state')).toBe('online');
    // Out-of-contact checkpoints first.
    const order = await page
      .locator('tbody.cpgroup')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order.slice(0, 2)).toEqual(['cp-01-009-TX-01', 'cp-01-009-TX-02']);
    expect(await page.getByTestId('kpi-offline').textContent()).toContain('1');
    expect(await page.getByTestId('kpi-unreceipted').textContent()).toContain('9');
    const alert = page.getByTestId('alerts').locator('li').first();
    await expect.poll(() => alert.textContent()).toContain('TX-01 · L2');

    // The operator asks L2 to resend what we lack.
    const commands: unknown[] = [];
    pub.on('message', (_t, p) => commands.push(JSON.parse(p.toString())));
    await pub.subscribeAsync('ckpt/v2/01-009/TX-01/L2/command', { qos: 1 });
    await backlog.getByRole('button', { name: 'Yêu cầu gửi lại' }).click();
    await expect.poll(() => backlog.getByTestId('resend-note').textContent()).toBe(' ✓ 4–12');
    await waitFor(() => commands.length === 1, 'the command');
    expect(commands[0]).toMatchObject({ schema: 'ckpt.command/1', kind: 'resend', from: 4, to: 12 });
    await page.screenshot({ path: join(shots(), 'cc-dashboard-kiosks.png'), fullPage: true });

    // Two live instances claiming one kiosk id: an alert, both rows marked, both counted.
    const twin = { ...kioskId('L1', 'TX-02'), instance: '00000000-0000-4000-8000-00000000beef' };
    await online(twin, { lastSeq: 1 });
    await send(pub, twin, 'summary', summary(twin, 1, window, { allowedIn: 1 }));
    const conflict = page.getByTestId('alerts').locator('li[data-kind="kiosk-id-conflict"]');
    await expect.poll(() => conflict.count(), { timeout: 15_000 }).toBe(1);
    expect(await conflict.textContent()).toContain('Hai máy đang trực tuyến cùng dùng mã L1');
    await expect.poll(() => page.locator('tr.kiosk--conflict').count()).toBe(2);
    await expect.poll(() => cpRow(page, 'TX-02').getByTestId('cp-allowed').textContent()).toBe('27');

    await page.getByTestId('lang-en').click();
    expect(await kioskRow(page, 'TX-01', 'L3').textContent()).toContain('Out of contact');
    expect(await tx1.getByTestId('cp-state').textContent()).toBe('2/3 kiosks online');
    expect(await conflict.textContent()).toContain('Two live kiosks use the id L1');
    expect(await page.locator('h1').textContent()).toBe('Command centre');
    await page.screenshot({ path: join(shots(), 'cc-dashboard-kiosks-en.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('shows the people inside a green zone now, from the passages of every kiosk guarding it', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await logIn(page, url, 'op', TEST_PASSWORD);
    const zone = '01-009-00343';
    const guard = { area: zone, checkpointKind: 'green-zone' as const };
    const a1 = kioskId('L1', 'GZ-01');
    const a2 = kioskId('L2', 'GZ-01');
    const b1 = kioskId('L1', 'GZ-02');
    const pub = await online(a1, guard);
    await online(a2, guard);
    await online(b1, guard);
    const now = Date.now();
    const permit = (i: number) => i.toString(16).padStart(64, '0');
    const inZone = (k: SimId, seq: number, i: number, direction: 'in' | 'out', at: number) => ({
      ...passage(k, seq, at, permit(i)),
      area: zone,
      direction,
    });
    // Five in through GZ-01 lane 1, two of them out through GZ-02, one more in at GZ-01 lane 2.
    for (let i = 1; i <= 5; i++) await send(pub, a1, 'passage', inZone(a1, i, i, 'in', now - 60_000 + i));
    await send(pub, b1, 'passage', inZone(b1, 1, 2, 'out', now - 30_000));
    await send(pub, b1, 'passage', inZone(b1, 2, 4, 'out', now - 29_000));
    await send(pub, a2, 'passage', inZone(a2, 1, 6, 'in', now - 20_000));
    const row = page.getByTestId(`area-${zone}`);
    await expect.poll(() => row.getAttribute('data-inside'), { timeout: 15_000 }).toBe('4');
    expect(await row.textContent()).toContain('Phường Nhân Chính');
    expect(await row.textContent()).toContain('Vùng xanh');
    expect(await row.textContent()).toMatch(/GZ-01 \(2 máy\), GZ-02 \(1 máy\)/);
    await page.screenshot({ path: join(shots(), 'cc-dashboard-areas.png'), fullPage: true });
    await page.getByTestId('lang-en').click();
    await expect.poll(() => row.textContent()).toContain('Green zone');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
