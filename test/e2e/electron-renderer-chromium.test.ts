// The closest run to the real Electron app that our build machines allow: the built renderer served by
// the shell's own kiosk:// protocol handler (same files, same CSP and security headers) in Debian's
// Chromium; the real preload code running in the page, its ipcRenderer wired to the real main-process
// IPC handler (sender check included); the real backend in its own process; a socat pseudo-terminal as
// the scanner. Then the backend is killed: the window reloads and scans show again.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rendererFileHandler } from '../../electron/renderer-protocol.js';
import { writeKioskFolder } from '../fixtures/kiosk-folder.js';
import { launchChromium } from '../helpers/chromium.js';
import { type FakeWebContents, fake, NodeBackendChild } from '../helpers/fake-electron.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

vi.mock('electron', async () => (await import('../helpers/fake-electron.js')).electronModule);
const { runShell } = await import('../../electron/shell.js');

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(ROOT, 'test-results');

/** The preload as Electron would run it, with an `electron` module that talks to the test over bindings. */
function preloadInPage(): string {
  const js = ts.transpileModule(readFileSync(join(ROOT, 'electron', 'preload.cts'), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return `(() => {
    const listeners = new Map();
    const ipcRenderer = {
      invoke: (channel, payload) => window.__ipcInvoke(channel, payload),
      on: (channel, fn) => { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(fn); },
      removeListener: (channel, fn) => listeners.get(channel)?.delete(fn),
    };
    window.__ipcEmit = (channel, message) => { for (const fn of listeners.get(channel) ?? []) fn({}, message); };
    const contextBridge = { exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze(api) }) };
    const require = (name) => { if (name === 'electron') return { contextBridge, ipcRenderer }; throw new Error('no ' + name); };
    const module = { exports: {} };
    (function (require, module, exports) { ${js} })(require, module, module.exports);
  })();`;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('renderer + preload + IPC + backend process, in Chromium', () => {
  let dir: string;
  let pty: PtyPair;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  const children: NodeBackendChild[] = [];
  let shell: NonNullable<Awaited<ReturnType<typeof runShell>>>;
  let permit: (cti: string) => string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    fake.reset();
    dir = mkdtempSync(join(tmpdir(), 'electron-chromium-'));
    pty = await openPtyPair();
    const folder = await writeKioskFolder(dir, {
      checkpoint: { name: 'Chốt Khuất Duy Tiến' },
      kiosk: {
        serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
        auth: { users: [{ name: 'guard1', displayName: 'Nguyễn Văn An', role: 'guard', pin: '246810' }] },
      },
    });
    permit = (cti) => folder.permit(cti, { nam: 'Vũ Thị Lan' });

    // The shell's protocol handler behind plain HTTP: Chromium cannot register kiosk://.
    const handler = rendererFileHandler(join(ROOT, 'dist', 'renderer'));
    server = createServer(async (req, res) => {
      const response = await handler(
        new Request(`kiosk://app${req.url ?? '/'}`, { method: req.method ?? 'GET' }),
      );
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    fake.utilityProcess.impl = (entry, args) => {
      const child = new NodeBackendChild(entry, args);
      children.push(child);
      return child;
    };
    const started = await runShell(
      { configPath: join(dir, 'kiosk.json'), windowed: false },
      {
        appDir: join(ROOT, 'electron'),
        handleSignals: false,
        log: () => {},
        supervisor: { backoffMinMs: 50, backoffMaxMs: 200 },
      },
    );
    if (!started) throw new Error('no shell');
    shell = started;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const contents = shell.window.webContents as unknown as FakeWebContents;
    // Main → page: what webContents.send and reload() do in Electron.
    const send = contents.send.bind(contents);
    contents.send = (channel: string, ...args: unknown[]) => {
      send(channel, ...args);
      void page
        .evaluate(
          ([c, m]) => (window as unknown as { __ipcEmit: (c: unknown, m: unknown) => void }).__ipcEmit(c, m),
          [channel, args[0]],
        )
        .catch(() => {});
    };
    contents.reload = () => {
      contents.reloads++;
      void page.reload().catch(() => {});
    };
    // Page → main: ipcRenderer.invoke arrives at the real handler, from our main frame.
    await page.exposeFunction('__ipcInvoke', (channel: string, payload: unknown) =>
      fake.ipcMain.invoke(channel, contents, contents.mainFrame, payload),
    );
    await page.addInitScript(preloadInPage());
    await page.goto(`${base}/index.html`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    fake.app.quit();
    await until('the backend to stop', () => shell?.backend.state === 'stopped', 10_000).catch(() => {});
    for (const c of children) c.process.kill('SIGKILL');
    await new Promise((r) => server?.close(r));
    await pty?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads under the strict CSP and shows a serial scan', async () => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // Log in and open a shift through the page's own window.kiosk (preload → IPC → backend).
    const opened = await page.evaluate(async () => {
      const k = (window as unknown as { kiosk: { call(m: string, p: unknown): Promise<unknown> } }).kiosk;
      await k.call('auth.login', { name: 'guard1', pin: '246810' });
      return k.call('shift.open', {});
    });
    expect(opened).toMatchObject({ guard: 'Nguyễn Văn An' });
    await page.reload();
    await expect
      .poll(() => page.getByTestId('scanner-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('ok');
    writeFileSync(pty.b, `${permit('CR-1')}\r\n`);
    await expect
      .poll(() => page.getByTestId('verdict').getAttribute('data-decision'), { timeout: 15_000 })
      .toBe('ALLOW');
    expect(await page.getByTestId('verdict').getAttribute('data-state')).toBe('passage');
    expect(await page.getByTestId('holder-name').textContent()).toContain('Vũ Thị Lan');
    expect(errors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
  });

  it('gives the page bilingual errors through the preload', async () => {
    const failure = await page.evaluate(() =>
      (window as unknown as { kiosk: { call(m: string, p: unknown): Promise<unknown> } }).kiosk
        .call('lane.set', { lane: '9' })
        .catch((e: unknown) => e),
    );
    expect(failure).toMatchObject({
      code: 'LANE_UNKNOWN',
      vi: 'Chốt không có làn 9',
      en: 'This checkpoint has no lane 9',
    });
  });

  it('comes back after the backend is killed: the window reloads and scans show again', async () => {
    const first = children[0];
    if (!first) throw new Error('no backend');
    first.process.kill('SIGKILL');
    // While it restarts, the page gets a clear refusal in both languages.
    const during = await page.evaluate(() =>
      (window as unknown as { kiosk: { call(m: string, p: unknown): Promise<unknown> } }).kiosk
        .call('status.get', {})
        .catch((e: unknown) => e),
    );
    expect(during).toMatchObject({ code: 'BACKEND_RESTARTING' });
    await until('a new backend', () => children.length === 2 && shell.backend.state === 'ready', 60_000);
    await expect
      .poll(() => page.getByTestId('scanner-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('ok');
    writeFileSync(pty.b, `${permit('CR-2')}\r\n`);
    await expect
      .poll(() => page.getByTestId('verdict').getAttribute('data-decision'), { timeout: 15_000 })
      .toBe('ALLOW');
    expect(await page.getByTestId('verdict').getAttribute('data-state')).toBe('passage');
    await page.screenshot({ path: join(SHOTS, 'electron-after-backend-restart.png') });
  });
});
