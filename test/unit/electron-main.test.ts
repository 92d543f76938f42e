// The Electron main process against a fake `electron` module: every security setting, the blocked
// navigation, windows and shortcuts, the permission handlers, the IPC sender check, the bridging to
// the backend, and crash recovery of the renderer and the backend.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../fixtures/clock.js';
import { type FakeChild, FakeFrame, FakeWebContents, fake, fakeEvent } from '../helpers/fake-electron.js';

vi.mock('electron', async () => (await import('../helpers/fake-electron.js')).electronModule);

const { runShell } = await import('../../electron/shell.js');
type Shell = NonNullable<Awaited<ReturnType<typeof runShell>>>;

const INDEX = 'kiosk://app/index.html';
let appDir: string;

function makeAppDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'electron-shell-'));
  mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
  mkdirSync(join(root, 'electron'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>kiosk</title>');
  writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'not for the page');
  return join(root, 'electron');
}

type Deps = Parameters<typeof runShell>[1];

async function start(windowed = false, knobs: Deps['supervisor'] = {}, watchdog: Deps['watchdog'] = {}) {
  const shell = await runShell(
    { configPath: '/cfg/kiosk.json', windowed },
    {
      appDir,
      handleSignals: false,
      log: () => {},
      supervisor: { backoffMinMs: 1, backoffMaxMs: 5, callTimeoutMs: 2_000, ...knobs },
      watchdog: { graceMs: 20, backoffMinMs: 1, ...watchdog },
    },
  );
  if (!shell) throw new Error('no shell');
  return shell;
}

function child(n = -1): FakeChild {
  const c = fake.utilityProcess.forks.at(n);
  if (!c) throw new Error('no backend forked');
  return c;
}

const contentsOf = (shell: Shell) => shell.window.webContents as unknown as FakeWebContents;

/** IPC from our page's main frame. */
function callFromPage(shell: Shell, payload: unknown) {
  const wc = contentsOf(shell);
  return fake.ipcMain.invoke('kiosk:call', wc, wc.mainFrame, payload);
}

async function until(what: string, probe: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const status = {
  version: '0.1.0',
  startedAt: '2021-09-10T01:00:00.000Z',
  now: '2021-09-10T01:00:05.000Z',
  demo: false,
  checkpoint: {
    id: 'TX-01',
    name: null,
    district: '01-009',
    districtName: 'Thanh Xuân',
    area: '01-009',
    areaName: 'Thanh Xuân',
    kind: 'district-entry',
    lanes: ['1'],
  },
  lane: '1',
  direction: 'in',
  scanner: { state: 'ok', path: '/dev/ttyACM0', detail: null },
  uplink: { enabled: true, connected: true, backlog: 0 },
  counts: { allowed: 1, denied: 0, review: 0 },
};

beforeEach(() => {
  fake.reset();
  appDir = makeAppDir();
});
afterEach(() => {
  fake.app.quit();
});

describe('the kiosk window', () => {
  it('is full-screen kiosk, sandboxed, isolated, without Node, devtools or webviews', async () => {
    const shell = await start();
    const options = shell.window as unknown as { options: Record<string, unknown> };
    expect(options.options).toMatchObject({ kiosk: true, fullscreen: true, closable: false });
    expect(options.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      preload: join(appDir, 'preload.cjs'),
    });
    expect(fake.app.sandboxed).toBe(true);
    expect(fake.Menu.applicationMenu).toBeNull();
    expect([...fake.powerSaveBlocker.started.values()]).toEqual(['prevent-display-sleep']);
    expect(fake.app.switches).toContainEqual(['disable-pinch']);
  });

  it('is a normal window for a technician (windowed)', async () => {
    const shell = await start(true);
    const { options } = shell.window as unknown as { options: Record<string, unknown> };
    expect(options).toMatchObject({ kiosk: false, fullscreen: false, closable: true });
    expect((shell.window as unknown as { close(): boolean }).close()).toBe(true);
  });

  it('cannot be closed in kiosk mode (Alt+F4 from the window manager)', async () => {
    const shell = await start();
    expect((shell.window as unknown as { close(): boolean }).close()).toBe(false);
  });

  it('loads only our page, from our own scheme', async () => {
    const shell = await start();
    expect(contentsOf(shell).loads).toEqual([INDEX]);
    expect(fake.protocol.privileged).toEqual([
      { scheme: 'kiosk', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
  });

  it('serves renderer files with a strict CSP, and nothing outside the renderer folder', async () => {
    await start();
    const handler = fake.protocol.handlers.get('kiosk');
    if (!handler) throw new Error('no protocol handler');
    const page = await handler(new Request(INDEX));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    // WebAssembly may be compiled (the QR decoder); JavaScript may not be made from strings.
    expect(csp).not.toMatch(/(?<!wasm-)unsafe-eval/);
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.text()).toContain('<title>kiosk</title>');
    const js = await handler(new Request('kiosk://app/assets/app.js'));
    expect(js.headers.get('content-type')).toContain('text/javascript');
    for (const bad of [
      'kiosk://app/../secret.txt',
      'kiosk://app/%2e%2e/secret.txt',
      'kiosk://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'kiosk://other/index.html',
      'kiosk://app/missing.js',
      'kiosk://app/assets',
    ]) {
      const res = await handler(new Request(bad));
      expect(res.status, bad).toBe(404);
      expect(await res.text(), bad).not.toContain('not for the page');
    }
    expect((await handler(new Request(INDEX, { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('navigation, windows, webviews and shortcuts', () => {
  it('blocks navigation, redirects, new windows, webviews and devtools', async () => {
    const shell = await start();
    const wc = contentsOf(shell);
    expect(wc.fire('will-navigate', { url: 'https://example.com/' })).toBe(true);
    expect(wc.fire('will-redirect', { url: 'https://example.com/' })).toBe(true);
    expect(wc.fire('will-attach-webview')).toBe(true);
    expect(wc.fire('will-frame-navigate', { isMainFrame: false, url: 'https://x/' })).toBe(true);
    expect(wc.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    wc.emit('devtools-opened');
    expect(wc.devToolsClosed).toBe(1);
    expect(fake.shell.opened).toEqual([]);
  });

  it('hardens every other web contents the app creates too', async () => {
    await start();
    const other = new FakeWebContents();
    fake.app.emit('web-contents-created', fakeEvent(), other);
    expect(other.fire('will-navigate', { url: 'file:///etc/passwd' })).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('swallows shortcuts that reload, escape, close, zoom or open devtools, and nothing else', async () => {
    const shell = await start();
    const wc = contentsOf(shell);
    const key = (key: string, mods: Record<string, boolean> = {}, code = '') =>
      wc.fire(
        'before-input-event',
        {},
        {
          type: 'keyDown',
          key,
          code,
          control: false,
          meta: false,
          shift: false,
          alt: false,
          ...mods,
        },
      );
    const blocked = [
      key('F5'),
      key('r', { control: true }),
      key('R', { control: true, shift: true }),
      key('I', { control: true, shift: true }),
      key('F11'),
      key('F12'),
      key('F4', { alt: true }),
      key('w', { control: true }),
      key('q', { control: true }),
      key('=', { control: true }),
      key('-', { control: true }),
      key('ArrowLeft', { alt: true }),
      key('p', { control: true }),
      key('', {}, 'BrowserBack'),
    ];
    expect(blocked.every(Boolean)).toBe(true);
    const allowed = [
      key('a'),
      key('V'),
      key('Enter'),
      key('Tab'),
      key('1'),
      key(':'),
      key('c', { control: true }),
      key('v', { control: true }),
      key('Backspace'),
      key('Escape'),
    ];
    expect(allowed.some(Boolean)).toBe(false);
  });
});

describe('permissions', () => {
  it('grants the camera (video only) to our page in its main frame, and nothing else', async () => {
    const shell = await start();
    const wc = contentsOf(shell);
    const request = fake.session.defaultSession.permissionRequestHandler as unknown as (
      wc: unknown,
      permission: string,
      cb: (ok: boolean) => void,
      details: Record<string, unknown>,
    ) => void;
    const ask = (permission: string, details: Record<string, unknown>, from: unknown = wc) => {
      let granted: boolean | undefined;
      request(
        from,
        permission,
        (ok) => {
          granted = ok;
        },
        details,
      );
      return granted;
    };
    const own = { requestingUrl: INDEX, isMainFrame: true };
    expect(ask('media', { ...own, mediaTypes: ['video'] })).toBe(true);
    expect(ask('media', { ...own, mediaTypes: ['audio'] })).toBe(false);
    expect(ask('media', { ...own, mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(ask('media', { ...own, mediaTypes: [] })).toBe(false);
    expect(ask('media', { ...own, mediaTypes: ['video'], isMainFrame: false })).toBe(false);
    expect(
      ask('media', { requestingUrl: 'https://evil.example/', isMainFrame: true, mediaTypes: ['video'] }),
    ).toBe(false);
    expect(ask('media', { ...own, mediaTypes: ['video'] }, new FakeWebContents())).toBe(false);
    for (const p of [
      'geolocation',
      'notifications',
      'display-capture',
      'clipboard-read',
      'openExternal',
      'serial',
    ])
      expect(ask(p, own), p).toBe(false);

    const check = fake.session.defaultSession.permissionCheckHandler as unknown as (
      wc: unknown,
      permission: string,
      origin: string,
      details: Record<string, unknown>,
    ) => boolean;
    expect(check(wc, 'media', 'kiosk://app', { mediaType: 'video', isMainFrame: true })).toBe(true);
    expect(check(wc, 'media', 'kiosk://app', { mediaType: 'audio', isMainFrame: true })).toBe(false);
    expect(check(wc, 'media', 'https://evil.example', { mediaType: 'video', isMainFrame: true })).toBe(false);
    expect(check(null, 'media', 'kiosk://app', { mediaType: 'video', isMainFrame: true })).toBe(false);
    expect(check(wc, 'notifications', 'kiosk://app', { isMainFrame: true })).toBe(false);

    const device = fake.session.defaultSession.devicePermissionHandler as unknown as () => boolean;
    expect(device()).toBe(false);
    expect(fake.session.defaultSession.spellChecker).toBe(false);
    const download = fakeEvent();
    fake.session.defaultSession.emit('will-download', download, {});
    expect(download.defaultPrevented).toBe(true);
  });
});

describe('IPC: sender check and bridging to the backend', () => {
  it('refuses calls from another contents, a subframe, a foreign page or no frame', async () => {
    const shell = await start();
    child().say({ type: 'ready' });
    const wc = contentsOf(shell);
    const forbidden = { ok: false, error: expect.objectContaining({ code: 'FORBIDDEN' }) };
    const payload = { method: 'status.get', params: {} };
    const other = new FakeWebContents();
    await other.loadURL(INDEX);
    expect(await fake.ipcMain.invoke('kiosk:call', other, other.mainFrame, payload)).toEqual(forbidden);
    const iframe = new FakeFrame(INDEX, wc.mainFrame);
    expect(await fake.ipcMain.invoke('kiosk:call', wc, iframe, payload)).toEqual(forbidden);
    expect(await fake.ipcMain.invoke('kiosk:call', wc, null, payload)).toEqual(forbidden);
    wc.mainFrame.url = 'https://evil.example/index.html';
    expect(await callFromPage(shell, payload)).toEqual(forbidden);
    wc.mainFrame.url = 'file:///work/main/dist/renderer/index.html';
    expect(await callFromPage(shell, payload)).toEqual(forbidden);
    expect(child().posted.filter((m) => (m as { type: string }).type === 'call')).toEqual([]);
  });

  it('relays calls and results, and validates both', async () => {
    const shell = await start();
    const backend = child();
    expect(backend.entry).toBe(join(appDir, 'backend.js'));
    expect(backend.args).toEqual(['--config', '/cfg/kiosk.json']);
    backend.say({ type: 'ready' });

    const pending = callFromPage(shell, { method: 'status.get', params: {} });
    await until('the call to reach the backend', () =>
      backend.posted.some((m) => (m as { type: string }).type === 'call'),
    );
    const call = backend.posted.find((m) => (m as { type: string }).type === 'call') as { id: number };
    expect(call).toMatchObject({ type: 'call', method: 'status.get', params: {} });
    backend.say({ type: 'result', id: call.id, ok: true, result: status });
    expect(await pending).toEqual({ ok: true, result: status });

    const bad = callFromPage(shell, { method: 'status.get', params: {} });
    await until(
      'second call',
      () => backend.posted.filter((m) => (m as { type: string }).type === 'call').length === 2,
    );
    const call2 = backend.posted.filter((m) => (m as { type: string }).type === 'call')[1] as { id: number };
    backend.say({ type: 'result', id: call2.id, ok: true, result: { version: 1 } });
    expect(await bad).toMatchObject({ ok: false, error: { code: 'BAD_RESULT' } });

    expect(await callFromPage(shell, 'status.get')).toMatchObject({
      ok: false,
      error: { code: 'BAD_MESSAGE' },
    });
    expect(await callFromPage(shell, { method: 'fs.read', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await callFromPage(shell, { method: 'status.get', params: {}, extra: 1 })).toMatchObject({
      ok: false,
      error: { code: 'BAD_MESSAGE' },
    });
  });

  it('forwards valid events to the page and drops malformed or unknown ones', async () => {
    const shell = await start();
    const backend = child();
    backend.say({ type: 'ready' });
    backend.say({ type: 'event', name: 'status', data: status });
    backend.say({ type: 'event', name: 'status', data: { version: 'x' } });
    backend.say({ type: 'event', name: 'shell.exec', data: {} });
    backend.say('garbage');
    expect(contentsOf(shell).sent).toEqual([
      { channel: 'kiosk:event', args: [{ name: 'status', data: status }] },
    ]);
  });

  it('holds calls made before the backend is ready, and shows why it could not start', async () => {
    const shell = await start();
    const backend = child();
    const early = callFromPage(shell, { method: 'status.get', params: {} });
    const error = {
      code: 'CONFIG_UNREADABLE',
      vi: 'Không đọc được tệp cấu hình',
      en: 'Cannot read configuration',
    };
    backend.say({ type: 'fatal', error });
    expect(await early).toEqual({ ok: false, error });
    expect(backend.posted).toEqual([]); // held until ready, which never came: never sent
    backend.exit(3);
    expect(await callFromPage(shell, { method: 'status.get', params: {} })).toEqual({ ok: false, error });
    await until('a new backend', () => fake.utilityProcess.forks.length === 2);
    child().say({ type: 'ready' });
    const later = callFromPage(shell, { method: 'status.get', params: {} });
    await until('call', () => child().posted.some((m) => (m as { type: string }).type === 'call'));
    const call = child().posted.find((m) => (m as { type: string }).type === 'call') as { id: number };
    child().say({ type: 'result', id: call.id, ok: true, result: status });
    expect(await later).toEqual({ ok: true, result: status });
    // A start that never succeeded is not a crash: nothing to audit.
    expect(child().posted.filter((m) => (m as { type: string }).type === 'incident')).toEqual([]);
  });
});

describe('crash recovery', () => {
  const logFile = () => join(fake.app.getPath('logs'), 'incidents.log');

  it('reloads a renderer that died, and audits it through the backend', async () => {
    const shell = await start();
    child().say({ type: 'ready' });
    const wc = contentsOf(shell);
    wc.emit('render-process-gone', fakeEvent(), { reason: 'crashed', exitCode: 139 });
    await until('the reload', () => wc.reloads === 1);
    const incident = child().posted.find((m) => (m as { type: string }).type === 'incident');
    expect(incident).toMatchObject({
      type: 'incident',
      incident: { kind: 'renderer-gone', detail: 'crashed (exit 139)' },
    });
    expect(readFileSync(logFile(), 'utf8')).toContain('"renderer-gone"');
  });

  it('kills and reloads a renderer that stays unresponsive, but not one that recovers', async () => {
    const clock = new FakeClock(Date.parse('2021-09-10T01:00:00Z'));
    const shell = await start(false, {}, { now: clock.now, timers: clock });
    child().say({ type: 'ready' });
    const wc = contentsOf(shell);
    wc.emit('unresponsive');
    wc.emit('responsive');
    clock.advance(60_000);
    expect(wc.crashes).toBe(0);

    wc.emit('unresponsive');
    clock.advance(19);
    expect(wc.crashes).toBe(0); // still within its 20 ms of grace
    clock.advance(1);
    expect(wc.crashes).toBe(1);
    expect(wc.reloads).toBe(1);
    // The 'gone' that follows our own kill is not a second incident nor a second reload.
    wc.emit('render-process-gone', fakeEvent(), { reason: 'killed', exitCode: 9 });
    clock.advance(60_000);
    expect(clock.pending).toBe(0);
    expect(wc.reloads).toBe(1);
    await until('the incident at the backend', () =>
      child().posted.some((m) => (m as { type: string }).type === 'incident'),
    );
    const kinds = child()
      .posted.filter((m) => (m as { type: string }).type === 'incident')
      .map((m) => (m as { incident: { kind: string } }).incident.kind);
    expect(kinds).toEqual(['renderer-unresponsive']);
  });

  it('restarts a backend that exits, answers calls in flight, and reloads the window', async () => {
    const shell = await start();
    const first = child();
    first.say({ type: 'ready' });
    const wc = contentsOf(shell);
    const inFlight = callFromPage(shell, { method: 'scan.submit', params: { text: 'VNP1:X' } });
    await until('the call', () => first.posted.some((m) => (m as { type: string }).type === 'call'));
    first.exit(139);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'BACKEND_RESTARTING' } });
    expect(await callFromPage(shell, { method: 'status.get', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'BACKEND_RESTARTING', vi: expect.stringContaining('khởi động lại') },
    });

    await until('a new backend', () => fake.utilityProcess.forks.length === 2);
    const second = child();
    expect(second.args).toEqual(first.args);
    expect(wc.reloads).toBe(0);
    second.say({ type: 'ready' });
    expect(wc.reloads).toBe(1);
    // The scan in flight was not re-sent to the new backend.
    expect(second.posted.filter((m) => (m as { type: string }).type === 'call')).toEqual([]);
    expect(second.posted).toContainEqual({
      type: 'incident',
      incident: expect.objectContaining({ kind: 'backend-exit', detail: 'exit code 139' }),
    });
    expect(readFileSync(logFile(), 'utf8')).toContain('"backend-exit"');
  });

  it('kills a backend that stops answering pings, then restarts it', async () => {
    await start(false, { pingIntervalMs: 5, hangTimeoutMs: 30 });
    const hung = child();
    hung.say({ type: 'ready' });
    await until('the kill', () => hung.kills === 1);
    expect(hung.posted.some((m) => (m as { type: string }).type === 'ping')).toBe(true);
    hung.exit(143);
    await until('a new backend', () => fake.utilityProcess.forks.length === 2);
    child().say({ type: 'ready' });
    expect(child().posted).toContainEqual({
      type: 'incident',
      incident: expect.objectContaining({ kind: 'backend-exit', detail: expect.stringContaining('hung') }),
    });
  });

  it('keeps the login session across a backend restart', async () => {
    await start();
    child().say({ type: 'ready' });
    child().say({ type: 'session', token: 'tok-123' });
    child().exit(1);
    await until('a new backend', () => fake.utilityProcess.forks.length === 2);
    child().say({ type: 'ready' });
    expect(child().posted[0]).toEqual({ type: 'session', token: 'tok-123' });
  });
});

describe('lifecycle', () => {
  it('quits when another instance holds the lock', async () => {
    fake.app.singleInstance = false;
    const shell = await runShell(
      { configPath: 'x', windowed: false },
      { appDir, handleSignals: false, log: () => {} },
    );
    expect(shell).toBeNull();
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.utilityProcess.forks).toEqual([]);
  });

  it('brings the window forward when a second instance starts', async () => {
    const shell = await start();
    const win = shell.window as unknown as { minimized: boolean; restored: number; focused: number };
    win.minimized = true;
    fake.app.emit('second-instance');
    expect(win.restored).toBe(1);
    expect(win.focused).toBe(1);
  });

  it('stops the backend cleanly before quitting', async () => {
    await start();
    const backend = child();
    backend.say({ type: 'ready' });
    let quit = false;
    fake.app.on('quit', () => {
      quit = true;
    });
    fake.app.quit();
    expect(quit).toBe(false);
    expect(backend.posted).toContainEqual({ type: 'stop' });
    backend.say({ type: 'stopped' });
    backend.exit(0);
    await until('the quit', () => quit);
    expect(fake.powerSaveBlocker.started.size).toBe(0);
    expect(fake.utilityProcess.forks).toHaveLength(1);
  });
});

describe('main.ts, the entry', () => {
  it('keeps its files in one folder and starts the shell from the command line', async () => {
    const signals = { term: process.listeners('SIGTERM'), int: process.listeners('SIGINT') };
    const argv = process.argv;
    process.argv = ['electron', '.', '--config', 'kiosk.json', '--demo-samples', 'demo/samples.json'];
    try {
      await import('../../electron/main.js');
      await until('the window', () => fake.utilityProcess.forks.length === 1);
    } finally {
      process.argv = argv;
      // main.ts quits on SIGTERM/SIGINT; those handlers must not outlive the test in this worker.
      for (const l of process.listeners('SIGTERM')) if (!signals.term.includes(l)) process.off('SIGTERM', l);
      for (const l of process.listeners('SIGINT')) if (!signals.int.includes(l)) process.off('SIGINT', l);
    }
    expect(fake.app.getPath('userData')).toBe(join(fake.app.getPath('appData'), 'checkpoint-kiosk'));
    expect(fake.app.getPath('logs')).toBe(join(fake.app.getPath('userData'), 'logs'));
    expect(child().entry).toMatch(/electron[/\\]backend\.js$/);
    expect(child().args).toEqual([
      '--config',
      join(process.cwd(), 'kiosk.json'),
      '--demo-samples',
      join(process.cwd(), 'demo/samples.json'),
    ]);
    expect(fake.protocol.privileged).toHaveLength(1);
  });
});
