// Opens the kiosk UI: Electron when its binary is present, else Chromium in app/kiosk mode when a
// display exists, else prints the URL. Never triggers Electron's lazy binary download.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type OpenMode = 'auto' | 'electron' | 'chromium' | 'none';

/** Path of an Electron binary that is already on disk, or null. Reads files only: no download. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const candidates = [
    env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel) : null,
    join(pkgDir, 'dist', rel),
  ];
  return candidates.find((c): c is string => c !== null && existsSync(c)) ?? null;
}

function findChromium(): string | null {
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (existsSync(c)) return c;
  }
  return null;
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface OpenResult {
  how: 'chromium' | 'url';
  detail: string;
}

/**
 * The kiosk's own screen on its HTTPS host (http.lan): the server certificate's key pinned, so the local
 * Chromium needs no CA installed. Chromium honours the pin only with a profile folder of its own.
 */
export interface UiPin {
  /** base64 SHA-256 of the server certificate's SubjectPublicKeyInfo. */
  spki: string;
  profileDir: string;
}

export function chromiumArgs(url: string, pin?: UiPin, root = process.getuid?.() === 0): string[] {
  const args = [`--app=${url}`, '--kiosk', '--no-first-run', '--disable-background-networking'];
  if (pin)
    args.push(`--user-data-dir=${pin.profileDir}`, `--ignore-certificate-errors-spki-list=${pin.spki}`);
  if (root) args.push('--no-sandbox');
  return args;
}

/** Chromium in app/kiosk mode where a display exists, else the URL to print. Electron is start.ts's. */
export function openUi(url: string, mode: OpenMode, pin?: UiPin): OpenResult {
  const chromium = mode === 'auto' || mode === 'chromium' ? findChromium() : null;
  if (chromium && hasDisplay()) {
    spawn(chromium, chromiumArgs(url, pin), { stdio: 'ignore', detached: true }).unref();
    return { how: 'chromium', detail: chromium };
  }
  const why =
    mode === 'none'
      ? 'not opened (open: none)'
      : !hasDisplay()
        ? 'no display (DISPLAY/WAYLAND_DISPLAY unset)'
        : 'no Chromium binary found';
  return { how: 'url', detail: why };
}
