// With `policy.overrideRequiresSupervisor`, the guard's override dialog asks for a supervisor's login and
// PIN; a wrong PIN is refused on screen and changes nothing, the right one records who approved.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePermit } from '../fixtures/permits.js';
import { launchChromium } from '../helpers/chromium.js';
import { type InProcessKiosk, loginAsGuard, ROOT, startKioskInProcess } from './guard-fixture.js';

const SUPERVISOR = { name: 'chihuy', displayName: 'Lê Văn Chỉ Huy', pin: '135790', role: 'supervisor' };
const SHOTS = join(ROOT, 'test-results', 'screens');

describe('override approved by a supervisor', () => {
  let k: InProcessKiosk;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    k = await startKioskInProcess({ policy: { overrideRequiresSupervisor: true }, users: [SUPERVISOR] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(k.url);
    await loginAsGuard(page);
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await k?.stop();
  });

  it('asks for the supervisor, refuses a wrong PIN, records the approval', async () => {
    const now = Math.floor(Date.now() / 1000);
    const text = makePermit(
      k.issuer,
      { cti: 'SUP-1', iat: now - 3600, exp: now + 86_400 },
      { areas: ['01-005'] },
    );
    k.kiosk.scan(text, 'serial');
    await page.locator('[data-testid=verdict][data-decision=DENY]').waitFor();

    await page.getByTestId('override-open').click();
    await page.getByTestId('reason-chip').first().click();
    await page.getByTestId('override-supervisor').waitFor();
    expect(await page.getByTestId('override-supervisor').textContent()).toContain('Chỉ huy duyệt');
    await page.screenshot({ path: join(SHOTS, 'guard-override-supervisor-vi-day-1280x800.png') });

    await page.getByTestId('override-supervisor-name').fill(SUPERVISOR.name);
    await page.getByTestId('override-supervisor-pin').fill('000000');
    await page.getByTestId('override-confirm').click();
    await page.getByTestId('error').waitFor();
    const overrides = () =>
      k.query<{ details: string }>("SELECT details FROM audit_events WHERE kind = 'override'");
    expect(overrides()).toHaveLength(0);
    await page.getByTestId('error').getByRole('button').click();

    await page.getByTestId('override-supervisor-pin').fill(SUPERVISOR.pin);
    await page.getByTestId('override-confirm').click();
    await page.getByTestId('overridden').waitFor();
    const [event] = overrides();
    expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ supervisor: SUPERVISOR.displayName });
  });
});
