// The scan screen end to end: the built renderer served by the browser host, driven in Debian's
// Chromium, with canned verdicts of every kind (contract/api.ts VerdictKind) and status faults.
// Screenshots land in /tmp/shots/ and, for each kind in both languages and themes, in
// test-results/screens/, for a human to judge legibility.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/contract/api.js';
import { BrowserHost } from '../../src/host/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeTestKiosk, makeVerdict, PERMIT, SAMPLES, type TestKiosk } from '../integration/host-fixture.js';
import { lastSound, SHOTS as SCREENS, shootAll } from './guard-fixture.js';
import { FAULT, iso, KINDS, kindVerdict } from './verdict-kinds-fixture.js';

const repo = path.resolve(import.meta.dirname, '../..');
const staticDir = path.join(repo, 'dist/renderer');
const SHOTS = '/tmp/shots';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when it is missing or older than its sources. */
function ensureBuilt(): void {
  const index = path.join(staticDir, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(repo, 'renderer')),
    newestMtime(path.join(repo, 'src/contract')),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npx', ['vite', 'build', '--config', 'renderer/vite.config.ts'], { cwd: repo, stdio: 'pipe' });
}

let kiosk: TestKiosk;
let host: BrowserHost;
let url: string;
let port: number;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

let seq = 1;
function verdict(
  decision: Verdict['decision'],
  reasons: Verdict['reasons'],
  over: Partial<Verdict> = {},
): Verdict {
  return makeVerdict(decision, reasons, { passageId: seq++, at: new Date().toISOString(), ...over });
}

async function show(v: Verdict): Promise<void> {
  kiosk.emit('verdict', v);
  await page.locator(`[data-testid=verdict][data-decision=${v.decision}]`).waitFor();
}

async function shoot(name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  const size = page.viewportSize();
  await page.screenshot({ path: path.join(SHOTS, `${name}-${size?.width}x${size?.height}.png`) });
}

/** Emits a verdict and waits until the page has played its cue (every new verdict plays one). */
async function showKind(v: Verdict): Promise<void> {
  const count = () => page.evaluate(() => Number(document.documentElement.dataset.soundCount ?? '0'));
  const before = await count();
  kiosk.emit('verdict', v);
  await expect.poll(count).toBeGreaterThan(before);
  await page.locator(`[data-testid=verdict][data-state=${v.kind}][data-decision=${v.decision}]`).waitFor();
}

async function inEnglish<T>(fn: () => Promise<T>): Promise<T> {
  await page.getByTestId('lang-toggle').click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
  try {
    return await fn();
  } finally {
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('vi');
  }
}

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(SHOTS, { recursive: true });
  kiosk = makeTestKiosk({ demo: true });
  host = new BrowserHost({ staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
  ({ url, port } = await host.start());
  browser = await launchChromium();
  // A browser far from Vietnam: every time on screen must still be Vietnam time.
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'America/New_York',
    colorScheme: 'light',
  });
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(`${url}?fadeMs=600000`);
});

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('scan screen', () => {
  it('starts idle with the status bar filled in', async () => {
    const panel = page.getByTestId('verdict');
    await expect.poll(() => panel.getAttribute('data-decision')).toBe('IDLE');
    await expect.poll(() => panel.innerText()).toContain('Sẵn sàng quét');
    await page.getByTestId('scanner-state').waitFor();
    expect(await page.getByTestId('scanner-state').getAttribute('data-state')).toBe('ok');
    expect(await page.getByTestId('scanner-state').innerText()).toContain('Máy quét: Hoạt động');
    expect(await page.getByTestId('uplink-state').getAttribute('data-state')).toBe('disconnected');
    expect(await page.getByTestId('uplink-state').innerText()).toContain('12 chưa được xác nhận');
    expect(await page.getByTestId('checkpoint-name').innerText()).toContain('Chốt Nguyễn Trãi');
    expect(await page.getByTestId('count-allowed').innerText()).toContain('41');
    expect(await page.getByTestId('demo-sample').count()).toBe(SAMPLES.length);
  });

  it('shows a DENY verdict with name, reasons and Vietnam-time validity', async () => {
    await show(verdict('DENY', ['EXPIRED', 'AREA_NOT_PERMITTED']));
    const panel = page.getByTestId('verdict');
    expect(await panel.innerText()).toContain('KHÔNG CHO QUA');
    expect(await page.getByTestId('holder-name').innerText()).toBe('Nguyễn Thị Hằng');
    const reasons = await page.getByTestId('reasons').innerText();
    expect(reasons).toContain('Giấy đã hết hạn');
    expect(reasons).toContain('Không được phép vào khu vực này');
    // 00:00Z and 16:59Z are 07:00 and 23:59 in Vietnam, whatever the browser's own zone.
    expect(await page.getByTestId('permit-validity').innerText()).toContain(
      '01/08/2021 07:00 – 15/09/2021 23:59',
    );
    expect(await page.getByTestId('permit-purpose').innerText()).toContain('Khám chữa bệnh');
    expect(await page.getByTestId('permit-vehicle').innerText()).toContain('29A-123.45');
    expect(await page.getByTestId('permit-id').innerText()).toContain(PERMIT.idnMasked);
    await shoot('deny');
  });

  it('shows ALLOW and REVIEW with their words', async () => {
    await show(verdict('ALLOW', []));
    expect(await page.getByTestId('verdict').innerText()).toContain('CHO QUA');
    await shoot('allow');
    await show(
      verdict('REVIEW', ['UNRECOGNISED'], {
        kind: 'unreadable',
        passageId: null,
        permit: null,
        preview: 'HTTPS://EXAMPLE.COM/?ID=42',
      }),
    );
    const text = await page.getByTestId('verdict').innerText();
    expect(text).toContain('CẦN KIỂM TRA');
    expect(text).toContain('Không phải giấy đi đường');
    expect(text).toContain('HTTPS://EXAMPLE.COM/?ID=42');
    expect(await page.getByTestId('not-counted').innerText()).toContain('Không tính lượt — quét lại');
    await shoot('review');
  });

  it('switches to English and remembers the choice', async () => {
    await show(verdict('DENY', ['EXPIRED']));
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('DENY');
    expect(await page.getByTestId('reasons').innerText()).toContain('Permit expired');
    expect(await page.getByTestId('permit-purpose').innerText()).toContain('Medical care');
    expect(await page.getByTestId('scanner-state').innerText()).toContain('Scanner: Working');
    await page.reload();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('Ready to scan');
    expect(await page.getByTestId('lang-toggle').getAttribute('data-lang')).toBe('en');
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('verdict').innerText()).toContain('Sẵn sàng quét');
  });

  it('shows a duplicate scan as "already scanned", not as a fresh verdict', async () => {
    await show(verdict('ALLOW', ['DUPLICATE_SCAN'], { kind: 'duplicate', duplicate: true }));
    const panel = page.getByTestId('verdict');
    expect(await panel.getAttribute('data-state')).toBe('duplicate');
    const text = await panel.innerText();
    expect(text).toContain('ĐÃ QUÉT RỒI');
    expect(text).toContain('Kết quả lần trước');
    await shoot('duplicate');
  });

  it('feeds demo samples through scan.submit and lists them once in recent verdicts', async () => {
    await page.getByTestId('demo-sample').first().click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-state')).toBe('passage');
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-decision')).toBe('ALLOW');
    expect(kiosk.submitted.at(-1)).toBe('SAMPLE-ALLOW');
    const recent = page.getByTestId('recent').locator('li');
    expect(await recent.count()).toBeLessThanOrEqual(5);
    expect(await recent.first().getAttribute('data-decision')).toBe('ALLOW');
    await page.getByTestId('demo-sample').nth(1).click();
    await expect.poll(() => page.getByTestId('verdict').getAttribute('data-decision')).toBe('DENY');
    // The verdict came back both as the call's result and as an event: one row, not two.
    expect(await recent.nth(1).getAttribute('data-decision')).toBe('ALLOW');
    expect(await recent.first().getAttribute('data-decision')).toBe('DENY');
  });

  for (const c of KINDS) {
    it(`shows ${c.name} in a panel of its own, with its own sound`, async () => {
      const v = c.v();
      await showKind(v);
      const panel = page.getByTestId('verdict');
      const text = await panel.innerText();
      for (const words of c.vi) expect(text).toContain(words);
      expect(await lastSound(page)).toBe(c.sound);
      if (v.kind !== 'passage' && v.kind !== 'unreadable') {
        // Whatever the permit check found, a scan that is no passage never says ALLOW nor looks it.
        expect(text).not.toContain('CHO QUA');
        expect(await panel.getAttribute('class')).not.toMatch(/verdict--(allow|deny|review)/);
      }
      const en = await inEnglish(() => panel.innerText());
      for (const words of c.en) expect(en).toContain(words);
      if (v.kind !== 'passage' && v.kind !== 'unreadable') expect(en).not.toMatch(/\bALLOW\b/);
      await shootAll(page, `kind-${c.name}`);
    });
  }

  it('marks every scan that is no passage in the recent list', async () => {
    const list = page.getByTestId('recent');
    const marks = await list
      .locator('li')
      .evaluateAll((items) =>
        items.map((li) => [
          li.getAttribute('data-kind'),
          li.querySelector('.recent__mark')?.textContent ?? '',
        ]),
      );
    expect(marks).toEqual([
      ['not-recorded', 'CHƯA GHI'],
      ['no-shift', 'CHƯA MỞ CA'],
      ['passage', ''],
      ['health-proof', 'GIẤY Y TẾ'],
      ['health-proof', 'GIẤY Y TẾ'],
    ]);
    await list.scrollIntoViewIfNeeded();
    await page.locator('.recent').screenshot({ path: path.join(SCREENS, 'guard-kind-recent-vi-day.png') });
  });

  it('scanner with no serial port in grey words; a recent scanner diagnostic; the log-fault banner', async () => {
    const now = Date.now();
    const faulty = {
      ...kiosk.status,
      now: iso(now),
      scanner: {
        state: 'none' as const,
        path: null,
        detail: null,
        diagnostic: {
          code: 'LINE_TOO_LONG',
          vi: 'Bỏ qua dòng quét dài quá 8192 byte',
          en: 'Dropped a scanned line longer than 8192 bytes',
          at: iso(now - 5_000),
        },
      },
      store: { ok: false, fault: FAULT, since: iso(now - 60_000) },
    };
    kiosk.emit('status', faulty);
    const scanner = page.getByTestId('scanner-state');
    await expect.poll(() => scanner.getAttribute('data-state')).toBe('none');
    expect(await scanner.innerText()).toContain('Máy quét: Bàn phím / camera');
    expect(await scanner.getAttribute('class')).toContain('pill--muted');
    const note = page.getByTestId('scanner-diagnostic');
    expect(await note.innerText()).toContain('Bỏ qua dòng quét dài quá 8192 byte');
    const banner = page.getByTestId('store-fault');
    expect(await banner.innerText()).toContain('SỔ GHI LỖI — ghi lượt qua vào sổ giấy');
    expect(await banner.innerText()).toContain('Ổ đĩa đã đầy');
    expect(await inEnglish(() => note.innerText())).toContain(
      'Dropped a scanned line longer than 8192 bytes',
    );
    await shootAll(page, 'kind-status-faults');
    // A diagnostic older than a minute by the kiosk's clock is gone; a log that writes again, too.
    kiosk.emit('status', {
      ...faulty,
      scanner: { ...faulty.scanner, diagnostic: { ...faulty.scanner.diagnostic, at: iso(now - 120_000) } },
      store: { ok: true, fault: null, since: null },
    });
    await note.waitFor({ state: 'detached' });
    await banner.waitFor({ state: 'detached' });
    kiosk.emit('status', { ...kiosk.status, now: iso(Date.now()) });
    await expect.poll(() => scanner.getAttribute('data-state')).toBe('ok');
  });

  it('names the lanes and checkpoints out of contact, and what that means for "already inside"', async () => {
    const now = Date.now();
    const connected = { ...kiosk.status.uplink, connected: true, backlog: 0 };
    kiosk.emit('status', {
      ...kiosk.status,
      now: iso(now),
      uplink: {
        ...connected,
        peers: {
          complete: false,
          watched: 3,
          silent: [
            { checkpoint: 'TX-01', kiosk: 'TX-01-L2', lane: '2', lastHeardAt: iso(now - 90_000) },
            { checkpoint: 'TX-04', kiosk: 'TX-04-L1', lane: '1', lastHeardAt: null },
          ],
        },
      },
    });
    const note = page.getByTestId('peers-silent');
    await expect.poll(() => note.getAttribute('data-silent')).toBe('TX-01/TX-01-L2 TX-04/TX-04-L1');
    expect(await note.innerText()).toMatch(/Mất liên lạc với:\s*làn 2, chốt TX-04 làn 1/);
    expect(await note.innerText()).toContain('«Đã ở trong» chỉ để kiểm tra lại, không từ chối');
    expect(await inEnglish(() => note.innerText())).toMatch(
      /Out of contact with:\s*lane 2, checkpoint TX-04 lane 1/,
    );
    kiosk.emit('verdict', verdict('REVIEW', ['ALREADY_INSIDE']));
    await page.locator('[data-testid=verdict][data-decision=REVIEW]').waitFor();
    await shootAll(page, 'peers-silent');
    // Offline: nobody named, only this kiosk's passages are known.
    kiosk.emit('status', {
      ...kiosk.status,
      now: iso(Date.now()),
      uplink: { ...connected, connected: false, peers: { complete: false, watched: 3, silent: [] } },
    });
    await expect.poll(() => note.innerText()).toContain('Mất kết nối: chỉ biết lượt qua của máy này');
    // Every peer heard again: the note goes.
    kiosk.emit('status', {
      ...kiosk.status,
      now: iso(Date.now()),
      uplink: { ...connected, peers: { complete: true, watched: 3, silent: [] } },
    });
    await note.waitFor({ state: 'detached' });
  });

  it('switches direction through lane.set', async () => {
    await page.getByTestId('direction-out').click();
    await expect.poll(() => page.getByTestId('direction').getAttribute('data-direction')).toBe('out');
    expect(kiosk.status.direction).toBe('out');
    await page.getByTestId('direction-in').click();
    await expect.poll(() => kiosk.status.direction).toBe('in');
  });

  it('renders the night theme', async () => {
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('night');
    await show(verdict('DENY', ['ORIGIN_HIGH_RISK']));
    await shoot('night-deny');
    await show(verdict('ALLOW', []));
    await shoot('night-allow');
    await show(verdict('REVIEW', ['VEHICLE_MISMATCH']));
    await shoot('night-review');
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('day');
  });

  it('takes the large-screen screenshots', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await show(verdict('ALLOW', []));
    await shoot('allow');
    await show(verdict('DENY', ['REVOKED', 'OUTSIDE_HOURS']));
    await shoot('deny');
    await show(verdict('REVIEW', ['ALREADY_INSIDE', 'HEALTH_PROOF_REQUIRED']));
    await shoot('review');
    await page.getByTestId('theme-toggle').click();
    await show(verdict('DENY', ['SIGNATURE_INVALID'], { permit: null, preview: 'VNP1:6BFOXN*TS0BI$ZD' }));
    await shoot('night-deny');
    await page.getByTestId('theme-toggle').click();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('fades a verdict to the compact "last verdict" line', async () => {
    const p2 = await context.newPage();
    await p2.goto(`${url}?fadeMs=800`);
    await p2.getByTestId('scanner-state').waitFor();
    kiosk.emit('verdict', verdict('DENY', ['EXPIRED']));
    await p2.locator('[data-testid=verdict][data-decision=DENY]').waitFor();
    await p2.locator('[data-testid=verdict][data-decision=IDLE]').waitFor();
    const last = p2.getByTestId('last-verdict');
    expect(await last.getAttribute('data-decision')).toBe('DENY');
    expect(await last.innerText()).toContain('KHÔNG CHO QUA');
    expect(await last.innerText()).toContain('Nguyễn Thị Hằng');
    await p2.screenshot({ path: path.join(SHOTS, 'faded-1280x800.png') });
    // A scan the log refused fades to its own words, never to the ALLOW its check found.
    kiosk.emit('verdict', kindVerdict('not-recorded', 'ALLOW', { fault: FAULT }));
    await p2.locator('[data-testid=verdict][data-state=not-recorded]').waitFor();
    await p2.locator('[data-testid=last-verdict][data-kind=not-recorded]').waitFor();
    const lost = await p2.getByTestId('last-verdict').innerText();
    expect(lost).toContain('CHƯA GHI ĐƯỢC');
    expect(lost).not.toContain('CHO QUA');
    await p2.close();
  });

  it('shows a banner while the connection is lost and recovers', async () => {
    await host.stop();
    await page.getByTestId('connection-lost').waitFor();
    expect(await page.getByTestId('connection-lost').innerText()).toContain('MẤT KẾT NỐI');
    await page.screenshot({ path: path.join(SHOTS, 'connection-lost-1280x800.png') });
    host = new BrowserHost({ port, staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
    await host.start();
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 20_000 });
    // Events flow again after the reconnect without re-registering listeners.
    await show(verdict('REVIEW', ['VEHICLE_MISMATCH']));
    // Only the dropped socket may have logged errors; no CSP violation, no script error.
    const unexpected = consoleErrors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED/i.test(e));
    expect(unexpected).toEqual([]);
  });
});
