// The real kiosk for the lane's tests: `kiosk start` run from the TypeScript sources (tsx) in its own
// process, with a checkpoint, keys, a signed trust list and a guard account made with code, and an
// HTTP client that logs in with a PIN as a guard would, keeping the session cookie and CSRF token.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { Kiosk, kioskOptionsFromSettings } from '../../src/kiosk.js';
import { writeKioskFolder } from '../fixtures/kiosk-folder.js';
import type { makeIssuer } from '../fixtures/permits.js';
import { buildRendererInto } from '../helpers/renderer-build.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the screenshots of the guard's screens go, for a reviewer to look at. */
export const SHOTS = join(ROOT, 'test-results', 'screens');
export const GUARD = { name: 'bao', displayName: 'Trần Văn Bảo', pin: '246810' };

export interface KioskProcess {
  url: string;
  pid: number;
  dir: string;
  db: string;
  issuer: ReturnType<typeof makeIssuer>;
  output(): string;
  /** Resident memory of the kiosk process (kB), from /proc. */
  rssKb(): number;
  /** Read-only view of the kiosk's SQLite file. */
  query<T>(sql: string, ...params: unknown[]): T[];
  stop(): Promise<void>;
}

export interface KioskProcessOptions {
  serial?: Record<string, unknown> | null;
  env?: NodeJS.ProcessEnv;
  checkpoint?: Record<string, unknown>;
  policy?: Record<string, unknown>;
  /** More accounts beside the guard's, e.g. a supervisor. */
  users?: Array<{ name: string; displayName: string; pin: string; role: string }>;
  /** Fields of the signed trust list beside the issuer (e.g. `dcc` signers). */
  trust?: Record<string, unknown>;
  /** The in-process kiosk's clock (real time by default), for a test that steps it ahead. */
  now?: () => number;
}

interface Prepared {
  dir: string;
  config: string;
  issuer: ReturnType<typeof makeIssuer>;
}

/** A folder with keys, a signed trust list, a checkpoint with two lanes, and kiosk.json. */
async function prepare(opts: KioskProcessOptions): Promise<Prepared> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-lane-'));
  const { config, issuer } = await writeKioskFolder(dir, {
    checkpoint: { name: 'Chốt Nguyễn Trãi', lanes: ['1', '2'], ...opts.checkpoint },
    policy: { duplicateWindowSeconds: 30, ...opts.policy },
    kiosk: {
      serial: opts.serial ?? null,
      http: { host: '127.0.0.1', port: 0 },
      open: 'none',
      auth: { users: [{ ...GUARD, role: 'guard' }, ...(opts.users ?? [])] },
    },
    ...(opts.trust ? { trust: opts.trust } : {}),
  });
  return { dir, config, issuer };
}

export async function startKioskProcess(opts: KioskProcessOptions = {}): Promise<KioskProcess> {
  const { dir, issuer } = await prepare(opts);
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'start', '--config', join(dir, 'kiosk.json')],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const tick = () => {
      const m = /ready to scan: (http:\S+)/.exec(out);
      if (m?.[1]) return resolve(m[1]);
      if (child.exitCode !== null) return reject(new Error(`kiosk exited ${child.exitCode}:\n${out}`));
      if (Date.now() > deadline) return reject(new Error(`kiosk not ready:\n${out}`));
      setTimeout(tick, 50);
    };
    tick();
  });
  const db = join(dir, 'kiosk.db');
  return {
    url: url.replace(/\/$/, ''),
    pid: child.pid ?? -1,
    dir,
    db,
    issuer,
    output: () => out,
    rssKb: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return Number(m?.[1] ?? 0);
    },
    query: <T>(sql: string, ...params: unknown[]) => {
      const d = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return d.prepare(sql).all(...params) as T[];
      } finally {
        d.close();
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResult<T = unknown> {
  ok: boolean;
  result?: T;
  error?: { code: string; vi: string; en: string };
}

/** The kiosk API over HTTP as a logged-in browser page would call it (cookie + CSRF header). */
export class GuardSession {
  private cookie = '';
  private csrf = '';

  constructor(private readonly url: string) {}

  async call<T = unknown>(method: string, params: unknown = {}): Promise<ApiResult<T>> {
    const res = await fetch(`${this.url}/api/call/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.url,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrf ? { 'x-kiosk-csrf': this.csrf } : {}),
      },
      body: JSON.stringify(params),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    return (await res.json()) as ApiResult<T>;
  }

  /** Logs in with the PIN and opens the shift (or joins the one already open). */
  async start(): Promise<void> {
    const login = await this.call<{ csrfToken: string }>('auth.login', { name: GUARD.name, pin: GUARD.pin });
    if (!login.ok || !login.result) throw new Error(`login failed: ${JSON.stringify(login.error)}`);
    this.csrf = login.result.csrfToken;
    const shift = await this.call('shift.open');
    if (!shift.ok && shift.error?.code !== 'SHIFT_ALREADY_OPEN') {
      throw new Error(`shift.open failed: ${JSON.stringify(shift.error)}`);
    }
  }
}

/** Polls until probe() returns a value (not undefined), or fails after timeoutMs. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let rendererDir: string | null = null;

/**
 * The renderer built once per test process into a folder of its own, so that tests running side by
 * side never serve a half-written dist/renderer.
 */
export function buildRenderer(): string {
  if (!rendererDir) rendererDir = buildRendererInto('kiosk-renderer-');
  return rendererDir;
}

export interface InProcessKiosk {
  kiosk: Kiosk;
  url: string;
  dir: string;
  issuer: ReturnType<typeof makeIssuer>;
  query<T>(sql: string, ...params: unknown[]): T[];
  stop(): Promise<void>;
}

/**
 * The real kiosk core in this process, started from kiosk.json exactly as `kiosk start` does, serving
 * the freshly built renderer: the browser tests see the real API, store and scanner driver.
 */
export async function startKioskInProcess(opts: KioskProcessOptions = {}): Promise<InProcessKiosk> {
  const { dir, config, issuer } = await prepare(opts);
  const options = await kioskOptionsFromSettings(loadSettings(config, {}));
  const kiosk = new Kiosk({
    ...options,
    staticDir: buildRenderer(),
    pinCost: 1024,
    ...(opts.now ? { now: opts.now } : {}),
  });
  await kiosk.start();
  const db = new Database(join(dir, 'kiosk.db'), { readonly: true, fileMustExist: true });
  return {
    kiosk,
    url: (kiosk.baseUrl ?? '').replace(/\/$/, ''),
    dir,
    issuer,
    query: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    stop: async () => {
      db.close();
      await kiosk.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in on the page with the PIN, as a guard does, and opens (or joins) the shift. */
export async function loginAsGuard(page: Page): Promise<void> {
  await page.getByTestId('login-screen').waitFor();
  await page.getByTestId('login-name').fill(GUARD.name);
  await page.getByTestId('login-pin').fill(GUARD.pin);
  await page.getByTestId('login-submit').click();
  const open = page.getByTestId('open-shift');
  const lane = page.getByTestId('vehicle-card');
  await open.or(lane).first().waitFor();
  if (await open.isVisible()) await open.click();
  await lane.waitFor();
}

/**
 * The screen as it is, in Vietnamese and English, day and night, into SHOTS as
 * guard-<name>-<lang>-<theme>-<w>x<h>.png; leaves the page as it found it (vi, day). A dialog covers
 * the switches: `dialog` opens it after each switch and closes it before the next.
 */
export async function shootAll(
  page: Page,
  name: string,
  dialog?: { open: () => Promise<void>; close: () => Promise<void> },
): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  if (dialog) await dialog.close();
  for (const lang of ['vi', 'en'] as const) {
    for (const theme of ['day', 'night'] as const) {
      await setLook(page, lang, theme);
      if (dialog) await dialog.open();
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({
        path: join(SHOTS, `guard-${name}-${lang}-${theme}-${size?.width}x${size?.height}.png`),
      });
      if (dialog) await dialog.close();
    }
  }
  await setLook(page, 'vi', 'day');
  if (dialog) await dialog.open();
}

/** Switches language and theme with the status bar's buttons (or, without one, the stored choice). */
export async function setLook(page: Page, lang: 'vi' | 'en', theme: 'day' | 'night'): Promise<void> {
  const toggle = page.getByTestId('lang-toggle');
  if ((await toggle.count()) > 0) {
    if ((await toggle.getAttribute('data-lang')) !== lang) await toggle.click();
    const t = page.getByTestId('theme-toggle');
    if ((await t.getAttribute('data-theme')) !== theme) await t.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
  } else {
    // Screens without the status bar (login): the stored choice, read at load.
    await page.evaluate(
      ([l, t]) => {
        localStorage.setItem('kiosk.lang', l as string);
        localStorage.setItem('kiosk.theme', t as string);
      },
      [lang, theme],
    );
    await page.reload();
    await page.locator('body').waitFor();
  }
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe(lang);
}

/** The cue the page played last (sounds.ts marks it on <html> even with no speaker). */
export const lastSound = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.documentElement.dataset.lastSound ?? null);
