// Every kind of scan on the guard's screen (spec/policy.md "What is counted"), from a real `kiosk start`
// process with a serial scanner on a socat pseudo-terminal, in Debian's Chromium: a scan while nobody
// is on duty, unreadable scans, health certificates alone and beside a permit, a passage a health proof
// completes, the scanner sending noise, and a passage the log refuses because its files were made
// immutable (chattr +i) under the running kiosk. Each checks the panel, the sound and the database;
// each screen is shot in both languages and both themes into test-results/screens/.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { permitClaims } from '../fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import { dccTrustPayload, makeHc1, makeSigner, negativeTest, vaccination } from '../unit/dcc-fixtures.js';
import { type KioskProcess, lastSound, loginAsGuard, shootAll, startKioskProcess } from './guard-fixture.js';

const DAY_S = 86_400;
const signer = makeSigner();
const nowS = () => Math.floor(Date.now() / 1000);
const HANG = { nam: 'Nguyễn Thị Hằng', dob: '1985-11-18' };
const BINH = { nam: 'Trần Văn Bình', idn: '001090007777', dob: '1990-02-03' };

let k: KioskProcess;
let pty: PtyPair;
let browser: Browser;
let page: Page;

function permit(cti: string, body: Record<string, unknown> = HANG): string {
  return issuePermit(
    permitClaims({ cti, iat: nowS() - 3600, exp: nowS() + DAY_S }, body),
    k.issuer.privateKey,
  );
}
/** A health certificate of Nguyễn Thị Hằng (born 1985-11-18), signed by the trusted signer. */
const proof = (valid = true): string =>
  valid
    ? makeHc1(signer, vaccination(), { iat: nowS() - 2 * DAY_S, exp: nowS() + 300 * DAY_S })
    : makeHc1(signer, negativeTest(), { iat: nowS() - 10 * DAY_S, exp: nowS() - DAY_S });

const serial = (data: string | Buffer) => writeFileSync(pty.b, data);
const scan = (text: string) => serial(`${text}\r\n`);
const verdict = () => page.getByTestId('verdict');
const text = () => verdict().innerText();
const passages = (cti: string) =>
  k.query<{ id: number; decision: string; reasons: string }>(
    'SELECT id, decision, reasons FROM passages WHERE cti = ? ORDER BY id',
    cti,
  );
const events = (kind: string) =>
  k.query<{ passage_id: number | null; details: string }>(
    'SELECT passage_id, details FROM audit_events WHERE kind = ? ORDER BY id',
    kind,
  );

/** Waits for the panel of a kind (and of a decision). */
async function panel(kind: string, decision?: string): Promise<void> {
  const d = decision ? `[data-decision=${decision}]` : '';
  await page.locator(`[data-testid=verdict][data-state=${kind}]${d}`).waitFor({ timeout: 15_000 });
}

/** Makes the kiosk's log files refuse writes (the -shm map is left alone: SQLite needs it to read). */
function immutable(on: boolean): void {
  execFileSync('chattr', [on ? '+i' : '-i', k.db, `${k.db}-wal`]);
}
/** chattr +i needs root (CAP_LINUX_IMMUTABLE) and a file system that keeps the flag (ext4, xfs...). */
const canChattr = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v chattr'], { stdio: 'ignore' });
    return process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  pty = await openPtyPair();
  k = await startKioskProcess({
    serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
    policy: { health: { required: true } },
    trust: { dcc: dccTrustPayload(signer).dcc },
  });
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
}, 180_000);

afterAll(async () => {
  if (canChattr && k) immutable(false);
  await browser?.close();
  await k?.stop();
  await pty?.close();
});

describe('each kind of scan on the guard’s screen', () => {
  it('a scan with nobody on duty is no passage: the login screen says so; once on shift, the recent list marks it', async () => {
    await page.getByTestId('login-screen').waitFor();
    scan(permit('NOSHIFT-1'));
    await expect.poll(() => events('no_shift_scan').length, { timeout: 15_000 }).toBe(1);
    expect(passages('NOSHIFT-1')).toEqual([]);
    // The login screen (public: no name, no permit) asks a guard to open a shift and scan again.
    const notice = page.getByTestId('no-shift-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('CHƯA MỞ CA TRỰC');
    expect(await notice.innerText()).not.toContain('NOSHIFT-1');
    await shootAll(page, 'login-no-shift-scan');
    await loginAsGuard(page);
    const entry = page.locator('[data-testid=recent] li[data-kind=no-shift]');
    await entry.waitFor();
    expect(await entry.innerText()).toContain('CHƯA MỞ CA');
    expect(await entry.innerText()).not.toContain('CHO QUA');
  });

  it('unreadable scans: their decision’s colour, not counted, scan again', async () => {
    scan('HELLO WORLD, NOT A PERMIT');
    await panel('unreadable', 'REVIEW');
    expect(await text()).toContain('CẦN KIỂM TRA');
    expect(await page.getByTestId('not-counted').innerText()).toContain('Không tính lượt — quét lại');
    expect(await lastSound(page)).toBe('REVIEW');
    expect(await page.locator('[data-testid=override-open]').count()).toBe(0);
    await shootAll(page, 'unreadable-review');
    scan('VNP1:THIS-IS-NOT-BASE45');
    await panel('unreadable', 'DENY');
    expect(await lastSound(page)).toBe('DENY');
    expect(k.query('SELECT id FROM passages')).toEqual([]);
    expect(events('unreadable')).toHaveLength(2);
    await expect.poll(() => page.getByTestId('count-review').innerText()).toContain('0');
    expect(await page.getByTestId('count-denied').innerText()).toContain('0');
    const marked = page.locator('[data-testid=recent] li[data-kind=unreadable]');
    expect(await marked.count()).toBe(2);
    expect(await marked.first().innerText()).toContain('KHÔNG TÍNH');
  });

  it('a health proof alone: its own panel and sound, never ALLOW; not recorded', async () => {
    scan(proof(false));
    await panel('health-proof', 'DENY');
    expect(await page.getByTestId('proof-status').innerText()).toContain('KHÔNG HỢP LỆ');
    expect(await page.getByTestId('reasons').innerText()).toContain('Giấy y tế đã hết hạn');
    expect(await lastSound(page)).toBe('HEALTH_BAD');
    await shootAll(page, 'proof-invalid');
    scan(proof());
    await panel('health-proof', 'ALLOW');
    const shown = await text();
    expect(shown).toContain('GIẤY Y TẾ');
    expect(shown).not.toContain('CHO QUA');
    expect(await page.getByTestId('proof-status').innerText()).toContain('HỢP LỆ');
    expect(await page.getByTestId('proof-next').innerText()).toContain('Quét tiếp giấy đi đường');
    expect(await page.getByTestId('holder-name').innerText()).toBe('NGUYEN THI HANG');
    expect(await lastSound(page)).toBe('HEALTH_OK');
    await shootAll(page, 'proof-alone');
    expect(k.query('SELECT id FROM passages')).toEqual([]);
  });

  it('the permit after it: one passage with the proof; another person’s permit waits for its proof', async () => {
    scan(permit('HANG-1'));
    await panel('passage', 'ALLOW');
    expect(await page.getByTestId('health-line').getAttribute('data-counts')).toBe('true');
    expect(await lastSound(page)).toBe('ALLOW');
    expect(passages('HANG-1')).toMatchObject([{ decision: 'ALLOW', reasons: '[]' }]);
    await shootAll(page, 'passage-with-proof');

    scan(permit('BINH-1', BINH));
    await panel('passage', 'REVIEW');
    expect(await page.getByTestId('reasons').innerText()).toContain('Cần giấy xét nghiệm / tiêm chủng');
    // Hằng's certificate shown now: beside Bình's permit, another person; nothing changes.
    scan(proof());
    await panel('health-proof');
    const beside = page.getByTestId('proof-beside');
    expect(await beside.getAttribute('data-match')).toBe('false');
    expect(await beside.innerText()).toContain('Trần Văn Bình');
    expect(await beside.innerText()).toContain('KHÁC NGƯỜI');
    expect(await lastSound(page)).toBe('HEALTH_BAD');
    expect(passages('BINH-1')).toMatchObject([{ decision: 'REVIEW' }]);
    expect(events('amendment')).toEqual([]);
    await shootAll(page, 'proof-beside-other');
  });

  it('a health proof after the permit completes its passage: CẦN KIỂM TRA → CHO QUA', async () => {
    scan(permit('HANG-2'));
    await panel('passage', 'REVIEW');
    const id = passages('HANG-2')[0]?.id;
    scan(proof());
    await page
      .locator(`[data-testid=verdict][data-state=passage][data-decision=ALLOW][data-passage="${id}"]`)
      .waitFor();
    const amended = page.getByTestId('amended');
    expect(await amended.getAttribute('data-from')).toBe('REVIEW');
    expect(await amended.innerText()).toContain('CẦN KIỂM TRA → CHO QUA');
    expect(await lastSound(page)).toBe('ALLOW');
    expect(events('amendment')).toMatchObject([{ passage_id: id }]);
    // The recent list holds the passage once, as it is now.
    const first = page.locator('[data-testid=recent] li').first();
    expect(await first.getAttribute('data-decision')).toBe('ALLOW');
    expect(await first.innerText()).toContain('Nguyễn Thị Hằng');
    const review = page.locator('[data-testid=recent] li[data-kind=passage][data-decision=REVIEW]');
    expect((await review.allInnerTexts()).join('\n')).not.toContain('Nguyễn Thị Hằng');
    await shootAll(page, 'amended');
  });

  it('the scanner sends noise: the status bar says so, in words', async () => {
    serial(Buffer.from([0x01, 0x02, 0x1b, 0x5b, 0x00, 0x7f, 0x0d, 0x0a]));
    const note = page.getByTestId('scanner-diagnostic');
    await note.waitFor({ timeout: 15_000 });
    expect(await note.getAttribute('data-code')).toBe('NOT_TEXT');
    expect(await note.innerText()).toContain('không phải văn bản (nhiễu hoặc sai tốc độ baud?)');
    expect(await page.getByTestId('scanner-state').getAttribute('data-state')).toBe('ok');
  });

  it.skipIf(!canChattr)(
    'the log refuses the write: NOT RECORDED, never green; the paper-log banner',
    async () => {
      // A valid proof first, so the permit's own check is ALLOW: the screen must still not say so.
      scan(proof());
      await panel('health-proof', 'ALLOW');
      immutable(true);
      try {
        scan(permit('LOST-1'));
        await panel('not-recorded', 'ALLOW');
        const shown = await text();
        expect(shown).toContain('CHƯA GHI ĐƯỢC');
        expect(shown).toContain('GHI VÀO SỔ GIẤY');
        expect(shown).not.toContain('CHO QUA');
        expect(await page.getByTestId('checked-word').innerText()).toContain('Giấy hợp lệ');
        expect(await page.getByTestId('fault').getAttribute('data-code')).toMatch(/^STORE_/);
        expect(await verdict().getAttribute('class')).not.toContain('verdict--allow');
        expect(await lastSound(page)).toBe('NOT_RECORDED');
        const banner = page.getByTestId('store-fault');
        await banner.waitFor();
        expect(await banner.innerText()).toContain('SỔ GHI LỖI — ghi lượt qua vào sổ giấy');
        const entry = page.locator('[data-testid=recent] li[data-kind=not-recorded]');
        expect(await entry.innerText()).toContain('CHƯA GHI');
        await shootAll(page, 'not-recorded');
      } finally {
        immutable(false);
      }
      expect(passages('LOST-1')).toEqual([]);
      // The log writes again: the next scan is a passage and the banner goes.
      scan(permit('BACK-1', BINH));
      await panel('passage', 'REVIEW');
      await page.getByTestId('store-fault').waitFor({ state: 'detached' });
      expect(passages('BACK-1')).toHaveLength(1);
    },
  );
});
