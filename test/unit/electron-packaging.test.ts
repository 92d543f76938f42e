// The packaging of the kiosk device, checked without Electron: electron-builder.yml validated by
// electron-builder's own loader and schema, the .deb scripts rendered the way electron-builder renders
// them, the autostart entry and icons, and the staged app (scripts/rebuild-electron.sh) proven
// self-contained by running its backend from a folder with no other node_modules in reach.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/contract/keys.js';
import { makeIssuer, signedTrust } from '../fixtures/permits.js';
import { NodeBackendChild } from '../helpers/fake-electron.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

interface BuilderConfig {
  directories: { app: string; buildResources: string };
  executableName: string;
  npmRebuild: boolean;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  electronFuses: Record<string, boolean>;
  linux: { target: Array<{ target: string; arch: string[] }>; icon: string };
  deb: { afterInstall: string; afterRemove: string };
}

let loaded: Promise<BuilderConfig> | null = null;
function loadBuilderConfig(): Promise<BuilderConfig> {
  loaded ??= loadAndValidate();
  return loaded;
}

async function loadAndValidate(): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<BuilderConfig>;
    validateConfiguration(config: unknown, logger: { isEnabled: boolean; add(): void }): Promise<void>;
  };
  const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
  await validateConfiguration(config, { isEnabled: false, add() {} });
  return config;
}

/** electron-builder's template step for deb scripts (FpmTarget): unknown macros are an error there. */
function renderDebScript(path: string): string {
  const macros: Record<string, string> = {
    executable: 'checkpoint-kiosk',
    sanitizedProductName: 'Checkpoint Kiosk',
    productFilename: 'Checkpoint Kiosk',
  };
  return readFileSync(join(ROOT, path), 'utf8').replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
    if (!(name in macros)) throw new Error(`${path}: macro \${${name}} is not defined for electron-builder`);
    return macros[name] as string;
  });
}

describe('electron-builder configuration', () => {
  it('is valid for electron-builder and builds AppImage and .deb for x64 and arm64', async () => {
    const config = await loadBuilderConfig();
    expect(config.linux.target).toEqual([
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ]);
    // The staged copy is packaged (and rebuilt for Electron), never the repository's node_modules.
    expect(config.directories.app).toBe('dist/electron-app');
    expect(config.npmRebuild).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
    for (const r of config.extraResources) expect(existsSync(join(ROOT, r.from)), r.from).toBe(true);
  });

  it('has deb scripts that render, parse, and install the autostart entry the package carries', async () => {
    const config = await loadBuilderConfig();
    const dir = mkdtempSync(join(tmpdir(), 'deb-scripts-'));
    for (const script of [config.deb.afterInstall, config.deb.afterRemove]) {
      const rendered = join(dir, 'script.sh');
      writeFileSync(rendered, renderDebScript(script));
      const check = spawnSync('bash', ['-n', rendered], { encoding: 'utf8' });
      expect(check.stderr, script).toBe('');
      expect(check.status, script).toBe(0);
    }
    rmSync(dir, { recursive: true, force: true });
    const install = renderDebScript(config.deb.afterInstall);
    const autostart = config.extraResources.find((r) => r.from.endsWith('.desktop'));
    expect(install).toContain(`'/opt/Checkpoint Kiosk/resources/${autostart?.to}'`);
    expect(install).toContain('/etc/xdg/autostart/checkpoint-kiosk.desktop');
    expect(install).toContain("chmod 4755 '/opt/Checkpoint Kiosk/chrome-sandbox'");
    expect(renderDebScript(config.deb.afterRemove)).toContain(
      'rm -f /etc/xdg/autostart/checkpoint-kiosk.desktop',
    );
  });

  it('ships an XDG autostart entry that starts the installed command', async () => {
    const config = await loadBuilderConfig();
    const desktop = readFileSync(join(ROOT, 'build', 'autostart', 'checkpoint-kiosk.desktop'), 'utf8');
    const lines = desktop.trim().split('\n');
    expect(lines[0]).toBe('[Desktop Entry]');
    const entry = Object.fromEntries(lines.slice(1).map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(entry).toMatchObject({
      Type: 'Application',
      Exec: `/usr/bin/${config.executableName}`,
      Name: 'Checkpoint Kiosk',
      'Name[vi]': 'Chốt kiểm soát',
      Terminal: 'false',
      'X-GNOME-Autostart-enabled': 'true',
    });
  });

  it('has an icon of every size the Linux targets use', async () => {
    const config = await loadBuilderConfig();
    for (const n of [16, 32, 48, 64, 128, 256, 512]) {
      const png = PNG.sync.read(readFileSync(join(ROOT, config.linux.icon, `${n}x${n}.png`)));
      expect([png.width, png.height]).toEqual([n, n]);
    }
  });

  it('has rebuild scripts that parse', () => {
    for (const s of ['rebuild-electron.sh', 'rebuild-node.sh']) {
      expect(spawnSync('bash', ['-n', join(ROOT, 'scripts', s)]).status, s).toBe(0);
    }
  });
});

describe('the staged app (scripts/rebuild-electron.sh --stage-only)', () => {
  const work = mkdtempSync(join(tmpdir(), 'electron-stage-'));
  let version: string | null = null;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is self-contained: its backend starts from its own files and node_modules', async () => {
    if (!existsSync(join(ROOT, 'dist', 'electron', 'backend.js'))) {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    const app = join(work, 'app');
    execFileSync('bash', [join(ROOT, 'scripts', 'rebuild-electron.sh'), '--stage-only', '--out', app], {
      stdio: 'pipe',
    });
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      main: 'dist/electron/main.js',
      type: 'module',
      productName: 'Checkpoint Kiosk',
    });
    expect(pkg.devDependencies).toBeUndefined();
    for (const f of ['main.js', 'backend.js', 'preload.cjs'])
      expect(existsSync(join(app, 'dist', 'electron', f))).toBe(true);
    expect(existsSync(join(app, 'dist', 'renderer', 'index.html'))).toBe(true);
    expect(existsSync(join(app, 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'electron'))).toBe(false);

    const issuer = makeIssuer();
    const rootKey = generateKeyPair();
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(join(work, 'root.pub.pem'), rootKey.publicPem);
    writeFileSync(
      join(work, 'trust.jws'),
      await signedTrust([{ issuer, validFrom: now - 86_400, validTo: now + 86_400 }], rootKey.privatePem),
    );
    writeFileSync(
      join(work, 'checkpoint.json'),
      JSON.stringify({
        checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
      }),
    );
    writeFileSync(
      join(work, 'kiosk.json'),
      JSON.stringify({
        checkpoint: 'checkpoint.json',
        rootKey: 'root.pub.pem',
        trustList: 'trust.jws',
        database: 'k.db',
      }),
    );
    // No tsx, no repository in reach: only the staged files (under the system temp folder).
    const child = new NodeBackendChild(
      join(app, 'dist', 'electron', 'backend.js'),
      ['--config', join(work, 'kiosk.json')],
      process.env,
      { tsx: false, cwd: work },
    );
    const messages: Array<Record<string, unknown>> = [];
    child.on('message', (m: Record<string, unknown>) => messages.push(m));
    try {
      const deadline = Date.now() + 30_000;
      while (!messages.some((m) => m.type === 'ready' || m.type === 'fatal') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(
        messages.find((m) => m.type === 'ready' || m.type === 'fatal'),
        child.output,
      ).toEqual({ type: 'ready' });
      child.postMessage({ type: 'call', id: 1, method: 'status.get', params: {} });
      while (!messages.some((m) => m.type === 'result') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(messages.find((m) => m.type === 'result')).toMatchObject({
        ok: true,
        result: { checkpoint: { id: 'TX-01' } },
      });
      const status = messages.find((m) => m.type === 'result')?.result as { version?: string } | undefined;
      version = status?.version ?? null;
    } finally {
      child.process.kill('SIGKILL');
    }
  }, 120_000);

  // The staged (and packaged) app carries no sources: package-root.ts must still find its package.json.
  it('reports its own package version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(version).toBe(pkg.version);
  });
});
