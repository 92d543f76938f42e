// The Electron shell: one hardened kiosk window over the same kiosk API the browser host serves.
// Thin by design: no business logic here. The core runs in this process for now (see README).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, type IpcMainInvokeEvent, ipcMain, powerSaveBlocker, session } from 'electron';
import { CallMessage } from '../src/api/schema.js';
import { readDemoSamples } from '../src/demo/setup.js';
import { openKioskFromConfig, type RunningKiosk } from '../src/kiosk.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Only our own page, loaded from our own files, may call the kiosk API. */
export function isOwnPage(url: string | undefined): boolean {
  return url === rendererUrl || (url?.startsWith(`${rendererUrl}#`) ?? false);
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const configPath = argValue('--config') ?? process.env.KIOSK_CONFIG ?? join(process.cwd(), 'kiosk.json');
  const samplesFile = argValue('--demo-samples');
  const kiosk: RunningKiosk = await openKioskFromConfig(configPath, {
    http: false,
    ...(samplesFile ? { demoSamples: readDemoSamples(samplesFile) } : {}),
  });

  session.defaultSession.setPermissionRequestHandler((wc, permission, callback) => {
    callback(permission === 'media' && isOwnPage(wc.getURL()));
  });

  ipcMain.handle('kiosk:call', async (event: IpcMainInvokeEvent, raw: unknown) => {
    if (!isOwnPage(event.senderFrame?.url)) return { ok: false, error: forbidden };
    const msg = CallMessage.omit({ type: true, id: true }).safeParse(raw);
    if (!msg.success)
      return { ok: false, error: { code: 'BAD_MESSAGE', vi: 'Thông điệp sai', en: 'Bad message' } };
    const reply = await kiosk.dispatcher.call({ id: 0, method: msg.data.method, params: msg.data.params });
    return reply.ok ? { ok: true, result: reply.result } : { ok: false, error: reply.error };
  });

  const kioskMode = process.env.KIOSK_WINDOWED !== '1';
  const win = new BrowserWindow({
    kiosk: kioskMode,
    fullscreen: kioskMode,
    autoHideMenuBar: true,
    backgroundColor: '#000000',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-redirect', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const unsubscribe = kiosk.subscribe((name, data) => {
    if (!win.isDestroyed()) win.webContents.send('kiosk:event', { name, data });
  });
  powerSaveBlocker.start('prevent-display-sleep');
  await win.loadFile(rendererIndex);

  app.on('window-all-closed', async () => {
    unsubscribe();
    await kiosk.stop();
    app.quit();
  });
}

const forbidden = { code: 'FORBIDDEN', vi: 'Không được phép', en: 'Forbidden' };

main().catch((err: unknown) => {
  console.error('kiosk (electron):', err);
  app.exit(1);
});
