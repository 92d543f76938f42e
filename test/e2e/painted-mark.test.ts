// The page's "verdict-painted" mark, which the bench times the guard's wait by: scans through a socat
// pseudo-terminal into the real kiosk core, a guard on shift in Debian's Chromium. Each verdict shown
// leaves exactly one mark, carrying its passage and permit id, and made only after a frame that
// rendered the verdict had run (an order of events in the page, never a duration).
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VERDICT_PAINTED, type VerdictPaintedDetail } from '../../src/contract/paint-mark.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { permitClaims } from '../fixtures/permits.js';
import { launchChromium } from '../helpers/chromium.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import { type InProcessKiosk, loginAsGuard, startKioskInProcess } from './guard-fixture.js';

// In the page before its own scripts: a numbered log of (a) each verdict the DOM shows, from a
// MutationObserver, (b) the animation frame that follows it, from a rAF asked for then (no rAF loop:
// frames come only when the page needs one, as on the kiosk), (c) each verdict-painted mark as it is
// made, wrapping performance.mark.
const LOG_EVENTS = `
window.__events = [];
let seq = 0;
let shown = null;
const log = (e) => window.__events.push({ seq: ++seq, ...e });
new MutationObserver(() => {
  const el = document.querySelector('[data-testid=verdict]');
  const now = el ? [el.dataset.state, el.dataset.decision, el.dataset.passage].join('|') : null;
  if (now === shown) return;
  shown = now;
  log({ what: 'dom', shown: now });
  requestAnimationFrame(() => log({ what: 'frame' }));
}).observe(document, { subtree: true, childList: true, attributes: true });
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => {
  if (name === ${JSON.stringify(VERDICT_PAINTED)}) log({ what: 'mark', detail: options?.detail });
  return mark(name, options);
};
`;

interface Logged {
  seq: number;
  what: 'dom' | 'frame' | 'mark';
  shown?: string | null;
  detail?: VerdictPaintedDetail;
}

let k: InProcessKiosk;
let pty: PtyPair;
let browser: Browser;
let page: Page;
let fd: number;

const nowS = () => Math.floor(Date.now() / 1000);
const permit = (cti: string) =>
  issuePermit(permitClaims({ cti, iat: nowS() - 3600, exp: nowS() + 86_400 }), k.issuer.privateKey);

const marks = () =>
  page.evaluate(
    (name) => performance.getEntriesByName(name, 'mark').map((m) => (m as PerformanceMark).detail),
    VERDICT_PAINTED,
  ) as Promise<VerdictPaintedDetail[]>;

beforeAll(async () => {
  pty = await openPtyPair();
  k = await startKioskInProcess({ serial: { path: pty.a, baudRate: 9600, suffix: 'auto' } });
  fd = openSync(pty.b, 'w');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript({ content: LOG_EVENTS });
  await page.goto(`${k.url}/?fadeMs=600000`);
  await loginAsGuard(page);
  await page.locator('[data-testid=scanner-state][data-state=ok]').waitFor();
}, 180_000);

afterAll(async () => {
  if (fd !== undefined) closeSync(fd);
  await browser?.close();
  await k?.stop();
  await pty?.close();
});

it('marks each verdict once, with its scan, after a frame that rendered it', async () => {
  const a = permit('PAINT-A');
  const scans: Array<{ line: string; state: string; cti: string | null }> = [
    { line: a, state: 'passage', cti: 'PAINT-A' },
    { line: permit('PAINT-B'), state: 'passage', cti: 'PAINT-B' },
    { line: a, state: 'duplicate', cti: 'PAINT-A' },
    { line: 'not a permit at all', state: 'unreadable', cti: null },
    { line: permit('PAINT-C'), state: 'passage', cti: 'PAINT-C' },
  ];
  expect(await marks()).toEqual([]);
  for (const [i, scan] of scans.entries()) {
    writeSync(fd, `${scan.line}\r\n`);
    await expect.poll(async () => (await marks()).length, { timeout: 15_000 }).toBe(i + 1);
  }
  // Two more frames: a second mark for any verdict would have been made by now.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const got = await marks();
  expect(got).toHaveLength(scans.length);

  const passageOf = (cti: string) =>
    k.query<{ id: number }>('SELECT id FROM passages WHERE cti = ? ORDER BY id LIMIT 1', cti)[0]?.id;
  const events = (await page.evaluate(
    () => (globalThis as unknown as { __events: Logged[] }).__events,
  )) as Logged[];
  for (const [i, scan] of scans.entries()) {
    const d = got[i] as VerdictPaintedDetail;
    expect(d.kind).toBe(scan.state);
    expect(d.cti).toBe(scan.cti);
    expect(d.passageId).toBe(scan.cti ? passageOf(scan.cti) : null);
    expect(d.scanId).toContain(`|${scan.state}|${d.passageId ?? '-'}|`);
    // The page's order of events: the verdict in the DOM, then a frame, then its mark.
    const markAt = events.find((e) => e.what === 'mark' && e.detail?.scanId === d.scanId)?.seq ?? -1;
    const shown = `${d.kind}|${d.decision}|${d.passageId ?? ''}`;
    const domAt = events.filter((e) => e.what === 'dom' && e.shown === shown && e.seq < markAt).at(-1)?.seq;
    expect(domAt, `${shown} in the DOM before its mark`).toBeDefined();
    const frames = events.filter((e) => e.what === 'frame' && e.seq > (domAt ?? 0) && e.seq < markAt);
    expect(frames.length, `a frame between ${shown} in the DOM and its mark`).toBeGreaterThan(0);
  }
  // All five ids differ: the bench can match a mark to its scan.
  expect(new Set(got.map((d) => d.scanId)).size).toBe(scans.length);
});
