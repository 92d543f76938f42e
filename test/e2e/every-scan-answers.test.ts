// Whatever bytes arrive at the scanner port, the guard's screen answers: a real `kiosk start` reading a
// socat pseudo-terminal, a guard on shift in Debian's Chromium. Validly signed permits breaking each
// value rule of spec/permit-format.md §1 end in exactly one verdict (FORMAT_INVALID, not a passage);
// binary noise, a 1 MB line and a line at the wrong baud rate end in the scanner's diagnostic on the
// status bar, in words; after each the kiosk still records the next good scan. (A scan the log refuses
// is in guard-kinds.test.ts.)
import { writeFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import { type KioskProcess, loginAsGuard, startKioskProcess } from './guard-fixture.js';

const DAY_S = 86_400;
const nowS = () => Math.floor(Date.now() / 1000);
let k: KioskProcess;
let pty: PtyPair;
let browser: Browser;
let page: Page;
let serial = 0;

function permit(body: Record<string, unknown> = {}, claims: Record<string, unknown> = {}): string {
  return issuePermit(
    permitClaims({ cti: `ANS-${++serial}`, iat: nowS() - 3600, exp: nowS() + DAY_S, ...claims }, body),
    k.issuer.privateKey,
  );
}

const sounds = () => page.evaluate(() => Number(document.documentElement.dataset.soundCount ?? '0'));
const passageCount = () => k.query<{ n: number }>('SELECT count(*) AS n FROM passages')[0]!.n;

/** Sends one line and waits for the screen's answer: exactly one verdict more, nothing recorded. */
async function oneVerdict(line: string | Buffer): Promise<{ state: string; reasons: string }> {
  const before = await sounds();
  const recorded = passageCount();
  writeFileSync(pty.b, Buffer.concat([Buffer.from(line), Buffer.from('\r\n')]));
  await expect.poll(sounds, { timeout: 15_000 }).toBe(before + 1);
  const v = page.getByTestId('verdict');
  const state = (await v.getAttribute('data-state')) ?? '';
  const reasons = (await page.getByTestId('reasons').innerText()).trim();
  // Still exactly one: nothing else arrived late.
  await goodScanRecorded();
  expect(await sounds()).toBe(before + 2);
  expect(passageCount()).toBe(recorded + 1);
  return { state, reasons };
}

/** A fresh valid permit right after: recorded and shown ALLOW, so the kiosk is alive and unharmed. */
async function goodScanRecorded(): Promise<void> {
  const before = passageCount();
  writeFileSync(pty.b, `${permit()}\r\n`);
  await expect.poll(passageCount, { timeout: 15_000 }).toBe(before + 1);
  await page.locator('[data-testid=verdict][data-state=passage][data-decision=ALLOW]').waitFor();
}

/** Bytes that are no code end in the scanner's diagnostic, in words on the status bar. */
async function diagnosticShown(bytes: Buffer, code: string): Promise<void> {
  const before = await sounds();
  writeFileSync(pty.b, bytes);
  const diagnostic = page.getByTestId('scanner-diagnostic');
  await expect
    .poll(async () => ((await diagnostic.count()) > 0 ? diagnostic.getAttribute('data-code') : null), {
      timeout: 15_000,
    })
    .toBe(code);
  // In words, in the language on screen (Vietnamese first).
  expect((await diagnostic.innerText()).length).toBeGreaterThan(10);
  expect(await sounds()).toBe(before);
  await goodScanRecorded();
}

beforeAll(async () => {
  pty = await openPtyPair();
  k = await startKioskProcess({ serial: { path: pty.a, baudRate: 9600, suffix: 'auto' } });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  page = await context.newPage();
  await page.goto(`${k.url}/?fadeMs=600000`);
  await loginAsGuard(page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await k?.stop();
  await pty?.close();
});

const LONG = 'Nguyễn Thị Hằng '.repeat(15);
const BROKEN: [string, Record<string, unknown>, Record<string, unknown>][] = [
  ['a 300-character name', { nam: `${LONG}${'A'.repeat(300 - [...LONG].length)}` }, {}],
  ['a 65-digit ID number', { idn: '1'.repeat(65) }, {}],
  ['a 5-digit ID number', { idn: '12345' }, {}],
  ['a 300-character serial', {}, { cti: 'S'.repeat(300) }],
  ['purpose spaceship', { pur: 'spaceship' }, {}],
  ['vehicle type tank', { veh: { plate: '29A-123.45', type: 'tank' } }, {}],
  ['a 100-character plate', { veh: { plate: '9'.repeat(100), type: 'car' } }, {}],
  ['date of birth "yesterday"', { dob: 'yesterday' }, {}],
  ['a date of birth after issue', { dob: '2099-01-01' }, {}],
  ['a home that is no area code', { home: 'Hà Nội' }, {}],
  ['no areas', { areas: [] }, {}],
  ['a bidi override in the name', { nam: 'Nguyễn \u202Eanh\u202C' }, {}],
  ['hours 25:00', { hours: ['06:00', '25:00'] }, {}],
  ['valid for 401 days', {}, { exp: nowS() + 400 * DAY_S }],
];

describe('every scan answers', () => {
  it.each(BROKEN)(
    'a validly signed permit with %s: one verdict, FORMAT_INVALID, not a passage',
    async (_n, body, claims) => {
      const v = await oneVerdict(permit(body, claims));
      expect(v.state).toBe('unreadable');
      expect(v.reasons).toMatch(/QR hỏng|sai định dạng/);
    },
  );

  it('binary noise: the status bar says the scanner sent something that is not a code', async () => {
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131 + 7) % 256;
    await diagnosticShown(Buffer.concat([noise, Buffer.from('\r\n')]), 'NOT_TEXT');
  });

  it('a 1 MB line without an end: dropped, said, and the next code is read', async () => {
    await diagnosticShown(Buffer.concat([Buffer.alloc(1 << 20, 0x41), Buffer.from('\r\n')]), 'LINE_TOO_LONG');
  });

  it('a line at the wrong baud rate: the garbled bytes are said, not shown as a verdict', async () => {
    // What a 9600-baud reader makes of a code sent at 115200: framing errors and stray high bits.
    const garbled = Buffer.from(permit().slice(0, 120), 'latin1').map((b, i) =>
      i % 3 === 0 ? 0xfe : b | 0x80,
    );
    await diagnosticShown(Buffer.concat([garbled, Buffer.from('\r\n')]), 'NOT_TEXT');
  });
});
