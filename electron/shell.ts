// The Electron shell, wired: one hardened kiosk window showing our renderer, the kiosk core in a
// supervised utility process, the IPC bridge between them, and crash recovery for both. Thin by
// design: no business logic here; the window speaks the same kiosk API as the browser host.

import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  powerSaveBlocker,
  protocol,
  session,
  utilityProcess,
  type WebContents,
} from 'electron';
import { log as logger } from '../src/base/log.js';
import {
  BackendSupervisor,
  type ChildLike,
  type ForkFn,
  type SupervisorOptions,
} from './backend-supervisor.js';
import { bridgeIpc, sendEvent } from './bridge.js';
import { appendIncidentLog } from './incidents.js';
import type { ShellOptions } from './options.js';
import { APP_SCHEME_PRIVILEGES, rendererFileHandler } from './renderer-protocol.js';
import { type Watchdog, type WatchdogOptions, watchRenderer } from './renderer-watchdog.js';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  hardenContents,
  hardenSession,
  isBlockedShortcut,
  isOwnUrl,
} from './security.js';

export interface ShellDeps {
  /** Folder of the compiled shell (dist/electron): preload.cjs, backend.js, ../renderer. */
  appDir: string;
  fork?: ForkFn;
  /** Test knobs for the supervisor's timers. */
  supervisor?: Partial<Omit<SupervisorOptions, 'entry' | 'args' | 'fork' | 'onEvent'>>;
  watchdog?: Pick<WatchdogOptions, 'graceMs' | 'backoffMinMs' | 'now' | 'timers'>;
  log?: (line: string) => void;
  /** Quit cleanly on SIGTERM/SIGINT (systemd, a technician's Ctrl+C). Off in unit tests. */
  handleSignals?: boolean;
}

export interface Shell {
  window: BrowserWindow;
  backend: BackendSupervisor;
  /** Stops the backend cleanly, then quits. */
  quit(): void;
}

const defaultFork: ForkFn = (entry, args) =>
  utilityProcess.fork(entry, args, {
    serviceName: 'checkpoint-kiosk-backend',
    stdio: 'inherit',
  }) as unknown as ChildLike;

/**
 * Runs the shell. Returns null when another instance already runs (this one quits). Steps before
 * app 'ready' (scheme privileges, sandbox, switches) happen synchronously, before the first await.
 */
export async function runShell(options: ShellOptions, deps: ShellDeps): Promise<Shell | null> {
  const log = deps.log ?? ((line: string) => logger.error(`kiosk (electron): ${line}`));
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();
  // Touch kiosks: no pinch zoom, no swipe-back navigation.
  app.commandLine.appendSwitch('disable-pinch');
  app.commandLine.appendSwitch('overscroll-history-navigation', '0');
  if (!app.requestSingleInstanceLock()) {
    log('another kiosk window is already running; quitting');
    app.quit();
    return null;
  }
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  await app.whenReady();
  Menu.setApplicationMenu(null);

  let win: BrowserWindow | null = null;
  const ours = (): WebContents | null => (win && !win.isDestroyed() ? win.webContents : null);
  hardenSession(session.defaultSession, ours);
  protocol.handle(APP_SCHEME, rendererFileHandler(join(deps.appDir, '..', 'renderer')));

  const logDir = app.getPath('logs');
  const reloadPage = () => {
    const contents = ours();
    if (!contents) return;
    if (isOwnUrl(contents.getURL())) contents.reload();
    else void contents.loadURL(APP_INDEX_URL).catch((err: unknown) => log(`reload failed: ${String(err)}`));
  };

  const args = ['--config', options.configPath];
  if (options.demoSamplesFile) args.push('--demo-samples', options.demoSamplesFile);
  const backend = new BackendSupervisor({
    log,
    ...deps.supervisor,
    entry: join(deps.appDir, 'backend.js'),
    args,
    fork: deps.fork ?? defaultFork,
    onEvent: (name, data) => sendEvent(ours(), name, data),
    // A new backend: the page reloads, fetching status and recent verdicts from it afresh.
    onReady: (restarted) => {
      if (restarted) reloadPage();
    },
    onIncident: (incident) => appendIncidentLog(logDir, incident),
  });
  const removeBridge = bridgeIpc(ipcMain, backend, ours, log);
  backend.start();

  // Written out in full, not built by a helper, so that reviewers and electronegativity see every item.
  const window = new BrowserWindow({
    title: 'Chốt kiểm soát · Checkpoint kiosk',
    width: 1280,
    height: 800,
    kiosk: !options.windowed,
    fullscreen: !options.windowed,
    closable: options.windowed,
    minimizable: options.windowed,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    webPreferences: {
      preload: join(deps.appDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
      // Middle-click would try to open a link in a new window (denied anyway): not even the event.
      disableBlinkFeatures: 'Auxclick',
      // alert()/confirm() would block the page with a native dialog a guard cannot dismiss by touch.
      disableDialogs: true,
      // Verdict sounds must play without a tap first.
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
  win = window;
  window.webContents.on('before-input-event', (event, input) => {
    if (isBlockedShortcut(input)) event.preventDefault();
  });
  let quitting = false;
  // In kiosk mode the window cannot be closed (Alt+F4 where the window manager sends it); only quit.
  window.on('close', (event) => {
    if (!options.windowed && !quitting) event.preventDefault();
  });
  const watchdog: Watchdog = watchRenderer(window.webContents, {
    ...deps.watchdog,
    log,
    reload: reloadPage,
    onIncident: (incident) => {
      appendIncidentLog(logDir, incident);
      backend.report(incident);
    },
  });
  const blocker = powerSaveBlocker.start('prevent-display-sleep');

  app.on('second-instance', () => {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    watchdog.dispose();
    removeBridge();
    void backend.stop().finally(() => {
      if (powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());
  if (deps.handleSignals !== false) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.quit());
  }

  window.loadURL(APP_INDEX_URL).catch((err: unknown) => log(`could not load the page: ${String(err)}`));
  return { window, backend, quit: () => app.quit() };
}
