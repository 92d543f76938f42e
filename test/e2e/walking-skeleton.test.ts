// The whole path on real parts: a socat pseudo-terminal as the serial port, `kiosk simulate-scanner`
// writing permits into one end, the real `kiosk start` process reading the other, the verdict in the
// page in Debian's Chromium, the passage in the SQLite file, and summary + event on a real Mosquitto.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/contract/keys.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { type KioskFolder, writeKioskFolder } from '../fixtures/kiosk-folder.js';
import { launchChromium } from '../helpers/chromium.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'kiosk.js');

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      const v = probe();
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

describe('walking skeleton: serial scan → verdict on screen, committed record, MQTT summary', () => {
  let dir: string;
  let broker: MosquittoHandle;
  let pty: PtyPair;
  let kiosk: ChildProcess;
  let kioskOut = '';
  let url: string;
  let browser: Browser;
  let sub: mqtt.MqttClient;
  const received: Received[] = [];
  let folder: KioskFolder;
  const forger = generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const claims = (cti: string, nam: string, areas = ['01-009']) => ({
    iss: '01-009',
    cti,
    iat: now - 3600,
    exp: now + 86_400,
    permit: { v: 1, k: 'travel', nam, idn: '001085001234', pur: 'work', areas },
  });

  beforeAll(async () => {
    if (
      !existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')) ||
      !existsSync(join(ROOT, 'dist', 'renderer'))
    ) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    dir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
    broker = await startMosquitto();
    pty = await openPtyPair();
    sub = mqtt.connect(broker.url, { protocolVersion: 5 });
    await new Promise<void>((resolve, reject) => {
      sub.once('connect', () => resolve());
      sub.once('error', reject);
    });
    sub.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) }));
    await sub.subscribeAsync('ckpt/v2/01-009/TX-01/+/#', { qos: 1 });

    folder = await writeKioskFolder(dir, {
      checkpoint: { name: 'Chốt Nguyễn Trãi' },
      kiosk: {
        serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
        mqtt: { urls: [broker.url], summaryWindowSeconds: 1 },
        http: { host: '127.0.0.1', port: 0 },
        open: 'none',
        // Scanning needs a guard on shift: one account for this test.
        auth: {
          users: [{ name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám', role: 'guard', pin: '111111' }],
        },
      },
    });
    kiosk = spawn(process.execPath, [BIN, 'start', '--config', join(dir, 'kiosk.json')], { cwd: dir });
    kiosk.stdout?.on('data', (d: Buffer) => {
      kioskOut += d.toString();
    });
    kiosk.stderr?.on('data', (d: Buffer) => {
      kioskOut += d.toString();
    });
    url = await waitFor('the kiosk to be ready', () => /ready to scan: (http:\S+)/.exec(kioskOut)?.[1]);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    kiosk?.kill('SIGTERM');
    await sub?.endAsync();
    await pty?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The guard logs in with the PIN and opens the shift if it is not open yet. */
  async function loginAsGuard(page: Page): Promise<void> {
    await page.getByTestId('login-name').fill('canbo');
    await page.getByTestId('login-pin').fill('111111');
    await page.getByTestId('login-submit').click();
    await page.locator('[data-testid=open-shift], [data-testid=guard-bar]').first().waitFor();
    if (await page.getByTestId('open-shift').isVisible()) await page.getByTestId('open-shift').click();
    await page.getByTestId('guard-bar').waitFor();
  }

  function simulateScanner(...scans: string[]): void {
    execFileSync(process.execPath, [BIN, 'simulate-scanner', '--port', pty.b, '--delay-ms', '50', ...scans], {
      stdio: 'pipe',
    });
  }

  it('shows ALLOW for a valid permit, records it, and sends its summary', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await loginAsGuard(page);
    await page.getByTestId('scanner-state').waitFor();
    await expect.poll(() => page.getByTestId('scanner-state').getAttribute('data-state')).toBe('ok');

    const valid = folder.permit('E2E-1', { nam: 'Nguyễn Thị Hằng' });
    simulateScanner(valid);

    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.getAttribute('data-decision'), { timeout: 15_000 }).toBe('ALLOW');
    // Recorded and counted: a passage, not a scan the log refused or one with no shift open.
    expect(await verdict.getAttribute('data-state')).toBe('passage');
    expect(await page.getByTestId('holder-name').textContent()).toContain('Nguyễn Thị Hằng');
    expect(await verdict.textContent()).toContain('CHO QUA');

    const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
    const rows = db.prepare('SELECT decision, source, holder_name, permit_hash FROM passages').all() as Array<
      Record<string, string>
    >;
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ decision: 'ALLOW', source: 'serial', holder_name: 'Nguyễn Thị Hằng' });

    const summary = await waitFor('a summary', () =>
      received.find(
        (m) =>
          m.topic.endsWith('/summary') && (m.payload.counts as { in: { allowed: number } }).in.allowed === 1,
      ),
    );
    expect(summary.payload).toMatchObject({
      schema: 'ckpt.summary/2',
      checkpoint: 'TX-01',
      district: '01-009',
    });
    expect(JSON.stringify(summary.payload)).not.toContain('Nguyễn');
    const status = received.find((m) => m.topic.endsWith('/status'));
    expect(status?.payload).toMatchObject({ schema: 'ckpt.status/2', online: true });
    await page.close();
  });

  it('shows DENY for a forged permit, with its reason, and sends a denial event', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await loginAsGuard(page);
    await page.getByTestId('scanner-state').waitFor();
    simulateScanner(issuePermit(claims('E2E-2', 'Lê Hoàng Nam'), forger.privatePem));
    const verdict = page.getByTestId('verdict');
    await expect.poll(() => verdict.getAttribute('data-decision'), { timeout: 15_000 }).toBe('DENY');
    // A forged permit could be read: a person turned back is a passage, unlike an unreadable scan.
    expect(await verdict.getAttribute('data-state')).toBe('passage');
    expect(await page.getByTestId('reasons').textContent()).toContain(
      'Đơn vị cấp không có trong danh sách tin cậy',
    );
    const event = await waitFor('a denial event', () => received.find((m) => m.topic.endsWith('/event')));
    expect(event.payload).toMatchObject({
      schema: 'ckpt.event/2',
      decision: 'DENY',
      reasons: ['UNKNOWN_ISSUER'],
    });
    await page.close();
  });
});
