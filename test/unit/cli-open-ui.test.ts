// How `kiosk start` picks what shows the UI (src/cli/open-ui.ts), without starting anything: an Electron
// binary already on disk (never a download), a display, and the URL printed otherwise.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chromiumArgs, findElectronBinary, hasDisplay, openUi } from '../../src/cli/open-ui.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-open-ui-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('open-ui', () => {
  it('finds an Electron binary under ELECTRON_OVERRIDE_DIST_PATH, and none where there is none', () => {
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(findElectronBinary({}));
    writeFileSync(join(dist, 'electron'), '#!/bin/sh\n');
    chmodSync(join(dist, 'electron'), 0o755);
    expect(findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: dist })).toBe(join(dist, 'electron'));
  });

  it('has a display with DISPLAY or WAYLAND_DISPLAY', () => {
    expect(hasDisplay({})).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' })).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
  });

  it('prints the URL with the reason when there is no display, or when asked for none', () => {
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    expect(openUi('http://127.0.0.1:8080/', 'auto')).toEqual({
      how: 'url',
      detail: 'no display (DISPLAY/WAYLAND_DISPLAY unset)',
    });
    process.env.DISPLAY = ':0';
    // Asked for none: said so, not blamed on a missing browser.
    expect(openUi('http://127.0.0.1:8080/', 'none')).toEqual({
      how: 'url',
      detail: 'not opened (open: none)',
    });
  });

  it('pins the HTTPS host’s key for the kiosk’s own screen, with the profile folder Chromium needs for it', () => {
    expect(chromiumArgs('http://127.0.0.1:8080/', undefined, false)).toEqual([
      '--app=http://127.0.0.1:8080/',
      '--kiosk',
      '--no-first-run',
      '--disable-background-networking',
    ]);
    expect(
      chromiumArgs('https://127.0.0.1:8443/', { spki: 'abc=', profileDir: '/k/.kiosk-chromium' }, true),
    ).toEqual([
      '--app=https://127.0.0.1:8443/',
      '--kiosk',
      '--no-first-run',
      '--disable-background-networking',
      '--user-data-dir=/k/.kiosk-chromium',
      '--ignore-certificate-errors-spki-list=abc=',
      '--no-sandbox',
    ]);
  });
});
