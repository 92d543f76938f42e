// `kiosk start`: runs the kiosk from kiosk.json, or, with no configuration, the demo checkpoint.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../base/package-root.js';
import { loadSettings } from '../config/settings.js';
import type { DemoSample } from '../contract/api.js';
import { DEMO_ACCOUNTS, printDemoAccounts } from '../demo/accounts.js';
import { startDemoBroker } from '../demo/broker.js';
import { prepareDemo } from '../demo/setup.js';
import { openPtyPair } from '../hardware/virtual-port.js';
import { spkiPin } from '../host/tls-files.js';
import { openKioskFromConfig } from '../kiosk.js';
import { findElectronBinary, hasDisplay, type OpenMode, openUi } from './open-ui.js';

interface StartOptions {
  config?: string;
  demoDir: string;
  host?: string;
  port?: string;
  open?: OpenMode;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'Chạy máy kiểm soát (không có kiosk.json: chạy chốt thử) / run the kiosk (no kiosk.json: the demo checkpoint)',
    )
    .option('-c, --config <file>', 'kiosk.json (default: ./kiosk.json if it exists, else the demo)')
    .option('--demo-dir <dir>', 'folder for the demo checkpoint', 'demo-data')
    .option('--host <host>', 'browser host address (overrides http.host)')
    .option('--port <port>', 'browser host port (overrides http.port)')
    .option('--open <mode>', 'show the UI with auto | electron | chromium | none')
    .action(async (opts: StartOptions) => {
      await start(opts);
    });
}

function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

async function start(opts: StartOptions): Promise<void> {
  if (opts.host) process.env.KIOSK_HTTP_HOST = opts.host;
  if (opts.port) process.env.KIOSK_HTTP_PORT = opts.port;
  const cleanups: Array<() => Promise<void>> = [];
  let configPath = opts.config
    ? resolve(opts.config)
    : existsSync('kiosk.json')
      ? resolve('kiosk.json')
      : null;
  let samples: DemoSample[] | undefined;
  let samplesFile: string | undefined;

  if (!configPath) {
    const dir = resolve(opts.demoDir);
    console.log(`Chốt thử / demo checkpoint: ${dir}`);
    const demo = await prepareDemo(dir, Date.now());
    const broker = await startDemoBroker();
    cleanups.push(() => broker.close());
    mkdirSync(join(dir, 'scanner'), { recursive: true });
    const pty = socatAvailable() ? await openPtyPair({ dir: join(dir, 'scanner') }) : null;
    if (pty) cleanups.push(() => pty.close());
    configPath = join(dir, 'kiosk.json');
    writeFileSync(
      configPath,
      `${JSON.stringify(
        {
          checkpoint: demo.checkpoint,
          rootKey: demo.rootKey,
          trustList: demo.trustList,
          database: join(dir, 'kiosk.db'),
          serial: pty ? { path: pty.a, baudRate: 9600, suffix: 'auto' } : null,
          mqtt: { urls: [broker.url], summaryWindowSeconds: 60 },
          http: { host: '127.0.0.1', port: 8080 },
          // Demo accounts with printed PINs (src/demo/accounts.ts); a real kiosk prints a one-time admin PIN.
          auth: { users: DEMO_ACCOUNTS },
        },
        null,
        2,
      )}\n`,
    );
    printDemoAccounts();
    samples = demo.samples;
    samplesFile = join(dir, 'samples.json');
    console.log(`  MQTT broker (aedes): ${broker.url}`);
    console.log(`  QR images: ${demo.permitsDir}/{valid,expired,wrong-area,forged}.png`);
    if (pty) {
      console.log('  Quét thử qua cổng nối tiếp ảo / feed scans through the virtual serial scanner:');
      console.log(
        `    node bin/kiosk.js simulate-scanner --port ${pty.b} --file ${join(dir, 'samples.txt')}`,
      );
      writeFileSync(join(dir, 'samples.txt'), `${demo.samples.map((s) => s.text).join('\n')}\n`);
    } else {
      console.log(
        '  socat not found: no virtual serial scanner (apt-get install socat); use the demo buttons.',
      );
    }
  }

  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  const settings = loadSettings(configPath);
  const mode: OpenMode = opts.open ?? settings.open;
  const electron = mode === 'auto' || mode === 'electron' ? findElectronBinary() : null;
  // The Electron app needs better-sqlite3 built for Electron: `npm run electron:rebuild` stages it there.
  const electronApp = join(PACKAGE_ROOT, 'dist', 'electron-app');
  if (electron && hasDisplay() && !existsSync(join(electronApp, 'package.json'))) {
    console.log('Electron: chưa dựng bản cho Electron, hãy chạy `npm run electron:rebuild` / not staged for');
    console.log('  Electron yet: run `npm run electron:rebuild`. Dùng Chromium / using Chromium instead.');
  }

  if (electron && hasDisplay() && existsSync(join(electronApp, 'package.json'))) {
    // Electron runs the core itself (see electron/main.ts); this process keeps the demo parts alive.
    const args = [electronApp, '--config', configPath];
    if (samplesFile) args.push('--demo-samples', samplesFile);
    const child = spawn(electron, args, { stdio: 'inherit' });
    console.log(`Mở bằng Electron / opened in Electron: ${electron}`);
    await new Promise<void>((done) => child.once('exit', () => done()));
    await stopAll();
    return;
  }

  const running = await openKioskFromConfig(configPath, samples ? { demoSamples: samples } : {});
  cleanups.unshift(() => running.stop());
  const url = running.url ?? '';
  // With http.lan the local screen is on HTTPS too: it pins the server's key (open-ui.ts UiPin).
  const tls = settings.http.lan && settings.http.certFile ? settings.http.certFile : null;
  const pin = tls
    ? { spki: spkiPin(readFileSync(tls, 'utf8')), profileDir: join(dirname(configPath), '.kiosk-chromium') }
    : undefined;
  const opened = openUi(url, mode === 'electron' ? 'chromium' : mode, pin);
  console.log(`Sẵn sàng quét / ready to scan: ${url}`);
  if (opened.how === 'url')
    console.log(`  Mở địa chỉ trên trong trình duyệt / open that address in a browser (${opened.detail})`);
  else console.log(`  Opened in ${opened.how}: ${opened.detail}`);

  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  console.log('Đang dừng / stopping…');
  await stopAll();
}
