// The guard's lane as a guard works it, in Debian's Chromium against the real kiosk core (started from
// kiosk.json, SQLite file, serial scanner on a socat pseudo-terminal): PIN login and shift, a serial
// scan, a wedge scan (and the same keys typed slowly into a field, which stay text), a vehicle with its
// plate, a manual entry, an override, a duplicate and anti-passback. Each checks what the screen shows
// and what the database holds. Screenshots of each screen, in both languages and both themes, go to
// test-results/screens/ for a reviewer to look at.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import {
  GUARD,
  type InProcessKiosk,
  lastSound,
  SHOTS,
  shootAll as shoot,
  startKioskInProcess,
} from './guard-fixture.js';

const WINDOW_S = 3; // the duplicate window of this checkpoint: short, so anti-passback is testable

let k: InProcessKiosk;
let pty: PtyPair;
let browser: Browser;
let page: Page;
let scanner: SerialPort;

const nowS = () => Math.floor(Date.now() / 1000);
function permit(cti: string, body: Record<string, unknown> = {}): string {
  return issuePermit(
    permitClaims({ cti, iat: nowS() - 3600, exp: nowS() + 86_400 }, body),
    k.issuer.privateKey,
  );
}

interface Row {
  id: number;
  source: string;
  decision: string;
  reasons: string;
  let_through: number;
  holder_name: string | null;
  vehicle_plate: string | null;
  vehicle_type: string | null;
  people: number;
  passengers: number;
  note: string | null;
  user_id: number | null;
  shift_id: number | null;
}
const rowsOf = (cti: string) => k.query<Row>('SELECT * FROM passages WHERE cti = ? ORDER BY id', cti);

const verdict = () => page.getByTestId('verdict');
/** Waits for the cti's n-th passage in the log, then for the screen to show exactly that verdict. */
async function shownFor(cti: string, decision: string, n = 1, state = 'passage'): Promise<Row> {
  await expect.poll(() => rowsOf(cti).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(n);
  const row = rowsOf(cti)[n - 1] as Row;
  expect(row.decision).toBe(decision);
  await page
    .locator(
      `[data-testid=verdict][data-passage="${row.id}"][data-decision=${decision}][data-state=${state}]`,
    )
    .waitFor({ timeout: 15_000 });
  return row;
}

const sound = () => lastSound(page);

/**
 * Types like a keyboard-wedge scanner: real key events through the browser's input pipeline, each
 * stamped 5 ms after the last, as a scanner's USB reports are. The stamps are given, not waited for,
 * so a test machine busy with other tests cannot stretch the gaps into a person's typing.
 */
async function scannerType(text: string, gapMs = 5): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const t0 = Date.now() / 1000;
  const keys = [...text].map((ch) => ({ key: ch, text: ch }));
  keys.push({ key: 'Enter', text: '\r' });
  // Sent without waiting for each reply (the protocol keeps their order): awaiting every round trip
  // lets a loaded test machine pause mid-code longer than any scanner would, which ends the burst.
  const sent: Promise<unknown>[] = [];
  for (const [i, k] of keys.entries()) {
    const at = t0 + (i * gapMs) / 1000;
    const enter = k.key === 'Enter' ? { code: 'Enter', windowsVirtualKeyCode: 13 } : {};
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...k, ...enter, timestamp: at }));
    sent.push(
      cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k.key, ...enter, timestamp: at + 0.001 }),
    );
  }
  await Promise.all(sent);
  await cdp.detach();
}

/** How far the kiosk's clock runs ahead of real time: a test steps it instead of waiting. */
let ahead = 0;

async function serialScan(text: string): Promise<void> {
  await new Promise<void>((res, rej) => scanner.write(`${text}\r\n`, (e) => (e ? rej(e) : res())));
  await new Promise<void>((res, rej) => scanner.drain((e) => (e ? rej(e) : res())));
}

const shootAll = (name: string, dialog?: Parameters<typeof shoot>[2]) => shoot(page, name, dialog);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  pty = await openPtyPair();
  k = await startKioskInProcess({
    serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
    policy: { duplicateWindowSeconds: WINDOW_S, antiPassback: 'review' },
    now: () => Date.now() + ahead,
  });
  scanner = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => scanner.open((e) => (e ? rej(e) : res())));
  browser = await (await import('playwright-core')).chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Sounds play without a tap first (a guard's first tap is the PIN pad).
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.text().includes('WEDGE')) console.log('PAGE', m.text());
  });
  await page.goto(`${k.url}/?fadeMs=600000`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (scanner?.isOpen) await new Promise<void>((r) => scanner.close(() => r()));
  await k?.stop();
  await pty?.close();
});

describe('the guard’s lane', () => {
  it('PIN login and shift start', async () => {
    await page.getByTestId('login-screen').waitFor();
    await shootAll('login');
    await page.getByTestId('login-name').fill(GUARD.name);
    await page.getByTestId('login-pin').fill(GUARD.pin);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('open-shift').click();
    await page.getByTestId('vehicle-card').waitFor();
    await expect.poll(() => page.getByTestId('scanner-state').getAttribute('data-state')).toBe('ok');
    expect(await page.getByTestId('guard-bar').innerText()).toContain(GUARD.displayName);
    const shifts = k.query<{ id: number; closed_ms: number | null }>('SELECT id, closed_ms FROM shifts');
    expect(shifts).toEqual([{ id: 1, closed_ms: null }]);
    await shootAll('idle');
  });

  it('a serial scan: ALLOW on screen, with sound; recorded for the guard’s shift', async () => {
    await serialScan(permit('SER-1'));
    await shownFor('SER-1', 'ALLOW');
    expect(await page.getByTestId('holder-name').innerText()).toContain('Nguyễn Thị Hằng');
    expect(await sound()).toBe('ALLOW');
    const [row] = rowsOf('SER-1');
    expect(row).toMatchObject({
      source: 'serial',
      decision: 'ALLOW',
      let_through: 1,
      shift_id: 1,
      user_id: 1,
    });
    await shootAll('allow');
  });

  it('a wedge scan typed fast; the same keys typed slowly into a field stay text', async () => {
    const text = permit('WEDGE-1');
    // Outside any field: the burst is a scan, nothing is typed anywhere.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await scannerType(text);
    await shownFor('WEDGE-1', 'ALLOW');
    expect(rowsOf('WEDGE-1')).toMatchObject([{ source: 'wedge', decision: 'ALLOW' }]);

    // Slowly into the plate field: it stays text, and nothing is scanned.
    const plate = page.getByTestId('plate-input');
    await plate.click();
    const slow = text.slice(0, 12);
    await page.keyboard.type(slow, { delay: 120 });
    await expect.poll(() => plate.inputValue()).toBe(slow.toUpperCase());
    expect(await page.getByTestId('plate-error').isVisible()).toBe(true);
    const before = k.query<{ n: number }>('SELECT count(*) AS n FROM passages')[0]?.n;

    // The full code fast into the same field: a scan, and the field keeps only what the guard typed.
    const text2 = permit('WEDGE-2');
    await scannerType(text2);
    await expect.poll(() => rowsOf('WEDGE-2').length, { timeout: 15_000 }).toBe(1);
    expect(rowsOf('WEDGE-2')[0]?.source).toBe('wedge');
    await expect.poll(() => plate.inputValue()).toBe(slow.toUpperCase());
    expect(k.query<{ n: number }>('SELECT count(*) AS n FROM passages')[0]?.n).toBe((before ?? 0) + 1);
    await page.getByTestId('vehicle-clear').click();
  });

  it('a vehicle with its plate and passengers goes with the next scan', async () => {
    await page.getByTestId('plate-input').fill('29b1 12345');
    await expect.poll(() => page.getByTestId('plate-display').innerText()).toBe('29-B1 123.45');
    await page.getByTestId('passengers-plus').click();
    await expect.poll(() => page.getByTestId('vehicle-pending').getAttribute('data-pending')).toBe('true');
    expect(await page.getByTestId('vehicle-motorbike').getAttribute('aria-pressed')).toBe('true');
    await shootAll('vehicle-entry');
    // The permit names another plate: the guard is asked to check (VEHICLE_MISMATCH).
    await serialScan(permit('VEH-1', { veh: { plate: '29-B1 999.99', type: 'motorbike' } }));
    await shownFor('VEH-1', 'REVIEW');
    expect(await page.getByTestId('reasons').innerText()).toContain('Biển số không khớp với giấy');
    expect(await page.getByTestId('lane-recorded-vehicle').innerText()).toContain('29-B1 123.45');
    expect(await sound()).toBe('REVIEW');
    expect(rowsOf('VEH-1')).toMatchObject([
      {
        decision: 'REVIEW',
        reasons: '["VEHICLE_MISMATCH"]',
        vehicle_plate: '29-B1 123.45',
        vehicle_type: 'motorbike',
        passengers: 1,
        people: 2,
      },
    ]);
    // The vehicle went with that scan: the card is empty for the next one.
    await expect.poll(() => page.getByTestId('vehicle-pending').getAttribute('data-pending')).toBe('false');
    expect(await page.getByTestId('plate-input').inputValue()).toBe('');
    await shootAll('review-vehicle');
  });

  it('an override: DENY stays DENY, the guard lets the person through with a reason', async () => {
    await serialScan(permit('OVR-1', { areas: ['01-005'] }));
    await shownFor('OVR-1', 'DENY');
    expect(await sound()).toBe('DENY');
    await shootAll('deny');
    await page.getByTestId('override-open').click();
    await page.getByTestId('override-reason').fill('ngắn');
    await page.getByTestId('override-confirm').click();
    await expect.poll(() => page.getByTestId('error').innerText()).toContain('ít nhất 10 ký tự');
    await page.getByTestId('error').getByRole('button').click();
    await page.getByTestId('reason-chip').first().click();
    await shootAll('override-dialog', {
      open: async () => {
        await page.getByTestId('override-open').click();
        await page.getByTestId('reason-chip').first().click();
      },
      close: () => page.getByTestId('override-cancel').click(),
    });
    await page.getByTestId('override-confirm').click();
    await page.getByTestId('overridden').waitFor();
    expect(await page.getByTestId('override-reason-shown').innerText()).toContain('Xe cấp cứu chở bệnh nhân');
    expect(await verdict().getAttribute('data-decision')).toBe('DENY');
    await shootAll('overridden');
    const [row] = rowsOf('OVR-1');
    expect(row).toMatchObject({ decision: 'DENY', reasons: '["AREA_NOT_PERMITTED"]', let_through: 0 });
    const events = k.query<{ passage_id: number; user_id: number; details: string }>(
      "SELECT passage_id, user_id, details FROM audit_events WHERE kind = 'override'",
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ passage_id: row?.id, user_id: 1 });
    expect(JSON.parse(events[0]?.details ?? '{}')).toMatchObject({ reason: 'Xe cấp cứu chở bệnh nhân' });
  });

  it('a duplicate is shown as already scanned and not counted again', async () => {
    const text = permit('DUP-1');
    await serialScan(text);
    const first = await shownFor('DUP-1', 'ALLOW');
    await serialScan(text);
    // The duplicate names the earlier passage.
    await page.locator(`[data-testid=verdict][data-passage="${first.id}"][data-state=duplicate]`).waitFor();
    expect(await verdict().innerText()).toContain('ĐÃ QUÉT RỒI');
    expect(await sound()).toBe('DUPLICATE');
    expect(rowsOf('DUP-1')).toHaveLength(1);
    await shootAll('duplicate');
  });

  it('anti-passback: entering twice is ALREADY_INSIDE; an override counts as a passage through', async () => {
    const text = permit('APB-1');
    await serialScan(text);
    await shownFor('APB-1', 'ALLOW');
    ahead += WINDOW_S * 1000 + 1; // past the duplicate window, by the kiosk's clock
    await serialScan(text);
    await shownFor('APB-1', 'REVIEW', 2);
    expect(await page.getByTestId('reasons').innerText()).toContain('Đã vào nhưng chưa ra');
    expect(rowsOf('APB-1').map((r) => [r.decision, r.reasons])).toEqual([
      ['ALLOW', '[]'],
      ['REVIEW', '["ALREADY_INSIDE"]'],
    ]);
    // OVR-1 was DENY but let through by the override: scanned again, it is already inside.
    await serialScan(permit('OVR-1', { areas: ['01-009'] }));
    await expect.poll(() => rowsOf('OVR-1').length, { timeout: 15_000 }).toBe(2);
    const again = rowsOf('OVR-1')[1];
    expect(again).toMatchObject({ decision: 'REVIEW', reasons: '["ALREADY_INSIDE"]' });
    await page.locator(`[data-testid=verdict][data-passage="${again?.id}"]`).waitFor();
  });

  it('a manual entry for a person with no QR: REVIEW, decided by the guard, recorded with the reason', async () => {
    await page.getByTestId('manual-open').click();
    await page.getByTestId('manual-name').fill('Lê Thị Mai');
    await page.getByTestId('manual-id').fill('0011850');
    await page.getByTestId('manual-purpose-medical').click();
    await page.getByTestId('manual-reason').fill('Quên điện thoại ở nhà, có CCCD');
    await page.getByTestId('manual-allow').click();
    await expect.poll(() => page.getByTestId('manual-problem').innerText()).toContain('CCCD 12 số');
    await page.getByTestId('manual-id').fill('001185004321');
    await shootAll('manual-dialog', {
      open: async () => {
        await page.getByTestId('manual-open').click();
        await page.getByTestId('manual-name').fill('Lê Thị Mai');
        await page.getByTestId('manual-id').fill('001185004321');
        await page.getByTestId('manual-purpose-medical').click();
        await page.getByTestId('manual-reason').fill('Quên điện thoại ở nhà, có CCCD');
      },
      close: () => page.getByTestId('manual-cancel').click(),
    });
    await page.getByTestId('manual-allow').click();
    await page.locator('[data-testid=verdict][data-decision=REVIEW] [data-testid=overridden]').waitFor();
    expect(await page.getByTestId('holder-name').innerText()).toContain('Lê Thị Mai');
    await page.getByTestId('overridden').waitFor();
    await shootAll('manual-done');
    const rows = k.query<Row & { id_masked: string }>("SELECT * FROM passages WHERE source = 'manual'");
    expect(rows).toMatchObject([
      {
        decision: 'REVIEW',
        reasons: '[]',
        let_through: 1,
        holder_name: 'Lê Thị Mai',
        // No digit of the number in the file: the masked number is the tail token, decrypted by the kiosk.
        id_masked: null,
        has_idn: 1,
        note: 'Quên điện thoại ở nhà, có CCCD',
        shift_id: 1,
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('001185004321');
    expect(JSON.stringify(rows)).not.toContain('*4321');
    const id = (rows[0] as unknown as { id: number }).id;
    expect(k.kiosk.currentStore()?.getPassage(id)?.idMasked).toBe('********4321');
  });

  it('the shift’s counts and the large screen', async () => {
    const counts = k.query<{ decision: string; n: number }>(
      'SELECT decision, count(*) AS n FROM passages WHERE shift_id = 1 GROUP BY decision ORDER BY decision',
    );
    const byDecision = Object.fromEntries(counts.map((c) => [c.decision, c.n]));
    await expect
      .poll(() => page.getByTestId('count-allowed').innerText())
      .toContain(String(byDecision.ALLOW));
    expect(await page.getByTestId('count-denied').innerText()).toContain(String(byDecision.DENY));
    expect(await page.getByTestId('count-review').innerText()).toContain(String(byDecision.REVIEW));
    await page.setViewportSize({ width: 1920, height: 1080 });
    await serialScan(permit('BIG-1', { veh: { plate: '30E-123.45', type: 'car' } }));
    await shownFor('BIG-1', 'ALLOW');
    await shootAll('allow');
    await serialScan(permit('BIG-2', { areas: ['01-005'] }));
    await shownFor('BIG-2', 'DENY');
    await shootAll('deny');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
