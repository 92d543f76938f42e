// The browser host opened to the LAN is HTTPS only. A kiosk started from kiosk.json with `http.lan` and
// a certificate from `kiosk certs new`: Debian's Chromium, trusting the kiosk's local CA through a
// throwaway NSS database (as `certutil` does on a supervisor's Linux laptop), logs a supervisor in.
// This checks the chain: Chromium builds and verifies server certificate → CA against its trust store,
// name constraints included, unlike --ignore-certificate-errors-spki-list, which only waives errors for
// a key found anywhere in what the server sends. The same Chromium without the CA refuses the page.
// A kiosk.json with `http.lan` and no certificate does not start.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKioskCerts } from '../../src/host/certs.js';
import { openKioskFromConfig, type RunningKiosk } from '../../src/kiosk.js';
import { runCli } from '../fixtures/cli.js';
import { writeKioskFolder } from '../fixtures/kiosk-folder.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';

const repo = path.resolve(import.meta.dirname, '../..');
const SUPERVISOR = {
  name: 'giamsat',
  displayName: 'Đại uý Nguyễn Văn Bình',
  role: 'supervisor',
  pin: '333333',
};

function ensureBuilt(): void {
  const index = path.join(repo, 'dist/renderer/index.html');
  const src = path.join(repo, 'renderer/src/login/AuthGate.tsx');
  if (existsSync(index) && statSync(index).mtimeMs >= statSync(src).mtimeMs) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: repo, stdio: 'pipe' });
}

/** A HOME whose NSS database (what Chromium on Linux reads) trusts `caFile` for web sites, or nothing. */
function home(caFile: string | null): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-nss-'));
  const db = path.join(dir, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync('certutil', ['-d', `sql:${db}`, '-N', '--empty-password']);
  if (caFile)
    execFileSync('certutil', ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'checkpoint-kiosk', '-i', caFile]);
  return dir;
}

function launch(homeDir: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: homeDir },
  });
}

let dir: string;
let kiosk: RunningKiosk;
let trusting: string;
let stranger: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'kiosk-lan-'));
  const made = await makeKioskCerts({
    hosts: ['localhost'],
    ips: ['127.0.0.1'],
    days: 30,
    nowMs: Date.now(),
    label: 'test',
  });
  writeFileSync(path.join(dir, 'kiosk-ca.pem'), made.caPem);
  writeFileSync(path.join(dir, 'kiosk-server.pem'), made.certPem);
  writeFileSync(path.join(dir, 'kiosk-server-key.pem'), made.keyPem, { mode: 0o600 });
  const folder = await writeKioskFolder(dir, {
    kiosk: {
      http: {
        host: '127.0.0.1',
        port: 0,
        lan: true,
        certFile: 'kiosk-server.pem',
        keyFile: 'kiosk-server-key.pem',
      },
      auth: { users: [SUPERVISOR] },
    },
  });
  kiosk = await openKioskFromConfig(folder.config);
  trusting = home(path.join(dir, 'kiosk-ca.pem'));
  stranger = home(null);
}, 60_000);

afterAll(async () => {
  for (const b of browsers) await b.close();
  await kiosk?.stop();
  for (const d of [dir, trusting, stranger]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('the browser host on the LAN', () => {
  it('serves HTTPS only', async () => {
    expect(kiosk.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const port = new URL(kiosk.url!).port;
    // Plain HTTP to the same port gets no page: the TLS server drops it.
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/health' }, (res) =>
        resolve(`status ${res.statusCode}`),
      );
      req.on('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? 'error'));
      req.end();
    });
    expect(plain).not.toMatch(/^status 200/);
  });

  it('logs a supervisor in from Chromium trusting the kiosk’s CA, with a Secure session cookie', async () => {
    const browser = await launch(trusting);
    browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    const url = kiosk.url!.replace('127.0.0.1', 'localhost');
    const response = await page.goto(url);
    expect(response?.ok()).toBe(true);
    const security = await response?.securityDetails();
    expect(security?.protocol).toMatch(/^TLS 1\.[23]$/);
    expect(security?.subjectName).toBe('localhost');
    await page.getByTestId('login-name').fill(SUPERVISOR.name);
    for (const d of SUPERVISOR.pin)
      await page.locator('.keypad__key', { hasText: new RegExp(`^${d}$`) }).click();
    await page.getByTestId('login-submit').click();
    await page.getByTestId('supervisor-app').waitFor();
    expect(await page.getByTestId('desk-user').innerText()).toBe(SUPERVISOR.displayName);
    const cookie = (await context.cookies(url)).find((c) => c.name === 'kiosk_session');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
  });

  it('is refused by the same Chromium when it does not trust the CA', async () => {
    const browser = await launch(stranger);
    browsers.push(browser);
    const page = await (await browser.newContext()).newPage();
    const err = await page.goto(kiosk.url!.replace('127.0.0.1', 'localhost')).catch((e: Error) => e.message);
    expect(String(err)).toContain('ERR_CERT_AUTHORITY_INVALID');
  });
});

describe('kiosk start with http.lan and no certificate', () => {
  it('refuses to start, saying why in both languages', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'kiosk-lan-none-'));
    try {
      const folder = await writeKioskFolder(d, { kiosk: { http: { host: '0.0.0.0', port: 0, lan: true } } });
      const r = await runCli(['start', '--config', folder.config, '--open', 'none']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('http.lan cần chứng chỉ HTTPS');
      expect(r.stderr).toContain('http.lan needs an HTTPS certificate');
      expect(r.stderr).toContain('kiosk certs new');
      expect(existsSync(path.join(d, 'kiosk.db'))).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});
