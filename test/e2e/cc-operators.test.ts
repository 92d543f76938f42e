// Operators in Debian's Chromium: the login page; a district's operator sees its district's checkpoints,
// alerts, totals and live stream, never another's; a viewer has no publish page and the API refuses it
// too; a trust list sent by one publisher waits until a second publisher approves it; the admin's audit
// page shows each of these on a hash chain that verifies.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CC_WEB_DIR,
  type RunningCommandCentre,
  startCommandCentre,
} from '../../command-centre/server/run.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { event, kioskId, MINUTE, send, status, summary } from '../fixtures/cc-messages.js';
import { addAccount, TEST_OPERATOR_OPTIONS } from '../fixtures/cc-operators.js';
import { isLoginProbe, logIn } from '../fixtures/cc-page.js';
import { makeIssuer, trustPayload } from '../fixtures/permits.js';
import { launchChromium } from '../helpers/chromium.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../integration/uplink-helpers.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';

const HK = '01-001';
const BD = '01-002';
const root = generateKeyPair();
let broker: MosquittoHandle;
let centre: RunningCommandCentre;
let browser: Browser;
let kiosks: mqtt.MqttClient;
const problems: string[] = [];
const shots = process.env.CC_SCREENSHOT_DIR ?? join(tempDbPath(), '..');

async function pageAs(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    // A refused call the test makes on purpose (403) or the login probe (401) is not a page error.
    if (m.type() === 'error' && !isLoginProbe(m.text()) && !/status of 403/.test(m.text()))
      problems.push(m.text());
  });
  await logIn(page, centre.url!, name);
  return page;
}

const window = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
const hk = kioskId('L1', 'HK-01', HK);
const bd = kioskId('L1', 'BD-01', BD);

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  broker = await startMosquitto({ persistence: false });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: tempDbPath(),
    clientId: `cc-e2e-ops-${randomUUID()}`,
    http: { host: '127.0.0.1', port: 0 },
    staticDir: CC_WEB_DIR,
    signingKeyPem: root.privatePem,
    operators: TEST_OPERATOR_OPTIONS,
  });
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected');
  for (const [n, role, scope] of [
    ['admin', 'admin', 'city'],
    ['hk-op', 'operator', [HK]],
    ['viewer', 'viewer', 'city'],
    ['pub1', 'publisher', 'city'],
    ['pub2', 'publisher', 'city'],
  ] as const) {
    await addAccount(centre, n, role, scope === 'city' ? 'city' : [...scope]);
  }
  kiosks = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (const [k, allowed] of [
    [hk, 3],
    [bd, 5],
  ] as const) {
    await send(kiosks, k, 'status', status(k, Date.now(), { lastSeq: 3 }), true);
    await send(kiosks, k, 'summary', summary(k, 1, window, { allowedIn: allowed }));
    await send(kiosks, k, 'event', event(k, 2, Date.now() - 30_000));
  }
  await waitFor(() => centre.ledger.totals().length === 2, 'both districts counted');
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await kiosks?.endAsync();
  await browser?.close();
  await centre?.stop({ retire: true });
  await broker?.stop();
  removeTempDirs();
});

describe('command-centre operators in the browser', () => {
  it('opens on the login page and refuses a wrong password in both languages', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(centre.url!);
    await page.getByTestId('login-form').waitFor();
    await page.screenshot({ path: join(shots, 'cc-login.png') });
    await page.getByTestId('login-name').fill('hk-op');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect
      .poll(() => page.getByTestId('login-error').textContent())
      .toBe('Sai tên đăng nhập hoặc mật khẩu');
    await page.getByTestId('lang-en').click();
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-password').fill('still-wrong-1');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Wrong name or password');
    await context.close();
  }, 30_000);

  it("shows a district's operator only its district: checkpoints, alerts, totals and the live stream", async () => {
    const page = await pageAs('hk-op');
    expect(await page.getByTestId('who').textContent()).toContain('01-001');
    const hkRow = page.getByTestId(`cp-${HK}-HK-01`);
    await expect.poll(() => hkRow.getByTestId('cp-allowed').textContent(), { timeout: 15_000 }).toBe('3');
    expect(await page.getByTestId(`cp-${BD}-BD-01`).count()).toBe(0);
    expect(await page.getByTestId(`district-${BD}`).count()).toBe(0);
    const alerts = page.getByTestId('alerts').locator('li');
    expect(await alerts.count()).toBe(1);
    expect(await alerts.first().textContent()).toContain('HK-01');
    // Only the overview: an operator neither publishes nor reads the audit log.
    expect(await page.getByTestId('tab-publish').count()).toBe(0);
    expect(await page.getByTestId('tab-audit').count()).toBe(0);
    // The live stream: new counts in both districts, only its own reaches this page.
    await send(kiosks, hk, 'summary', summary(hk, 3, window + MINUTE, { allowedIn: 4 }));
    await send(kiosks, bd, 'summary', summary(bd, 3, window + MINUTE, { allowedIn: 40 }));
    await expect.poll(() => hkRow.getByTestId('cp-allowed').textContent(), { timeout: 15_000 }).toBe('7');
    await waitFor(() => centre.ledger.totals().find((t) => t.district === BD)?.total.in.allowed === 45, 'BD');
    expect(await page.getByTestId(`cp-${BD}-BD-01`).count()).toBe(0);
    const totals = await page.evaluate(async () => (await fetch('./api/totals')).json());
    expect((totals as { district: string }[]).map((t) => t.district)).toEqual([HK]);
    // It acknowledges its alert; the page shows who did.
    await alerts.first().getByTestId('ack').click();
    await expect
      .poll(() => alerts.first().getByTestId('acked').textContent(), { timeout: 15_000 })
      .toContain('hk-op');
    await page.screenshot({ path: join(shots, 'cc-district-operator.png'), fullPage: true });
    await page.context().close();
  }, 60_000);

  it('gives a viewer no publish page, and the API refuses it a publication', async () => {
    const page = await pageAs('viewer');
    expect(await page.getByTestId('tab-publish').count()).toBe(0);
    await page.goto(`${centre.url}#/publish`);
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('publish-submit').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const who = await (await fetch('./api/session')).json();
      const res = await fetch('./api/publish', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CC-CSRF': who.csrfToken },
        body: JSON.stringify({ kind: 'zones', payload: { version: 1, issued: 1, zones: {} } }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    await page.context().close();
  }, 30_000);

  it('holds a trust list until a second publisher approves it', async () => {
    const first = await pageAs('pub1');
    await first.getByTestId('tab-publish').click();
    await first.getByTestId('kind-trust').click();
    await first
      .getByTestId('publish-payload')
      .fill(JSON.stringify(trustPayload([{ issuer: makeIssuer() }]), null, 2));
    await first.getByTestId('publish-submit').click();
    await expect.poll(() => first.getByTestId('publish-pending').textContent()).toMatch(/số 1/);
    expect(centre.ledger.lastPublishedVersion(['ckpt/v2/all/trust'])).toBeNull();
    // The one who asked cannot approve it.
    expect(await first.getByTestId('approval-1').getByTestId('approve').isDisabled()).toBe(true);

    const second = await pageAs('pub2');
    await second.getByTestId('tab-publish').click();
    const pending = second.getByTestId('approval-1');
    await pending.waitFor();
    expect(await pending.textContent()).toContain('pub1');
    await second.screenshot({ path: join(shots, 'cc-approval.png'), fullPage: true });
    await pending.getByTestId('approve').click();
    await waitFor(
      () => centre.ledger.lastPublishedVersion(['ckpt/v2/all/trust']) === 1,
      'the trust list published',
    );
    await expect.poll(() => second.getByTestId('approval-1').count()).toBe(0);
    await first.context().close();
    await second.context().close();
  }, 60_000);

  it('shows the admin every one of these in the audit log, on a chain that verifies', async () => {
    const page = await pageAs('admin');
    await page.getByTestId('tab-audit').click();
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    expect(await page.getByTestId('audit-chain').getAttribute('data-intact')).toBe('true');
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.getAttribute('data-kind'),
          tr.children[2]?.textContent ?? '',
          tr.textContent ?? '',
        ]),
      );
    const has = (kind: string, who: string, text = '') =>
      rows.some(([k, w, all]) => k === kind && w === who && (all ?? '').includes(text));
    expect(has('login_failed', '—', 'hk-op') || has('login_failed', 'hk-op')).toBe(true);
    expect(has('login', 'hk-op')).toBe(true);
    expect(has('alert_ack', 'hk-op')).toBe(true);
    expect(has('forbidden', 'viewer', 'POST /api/publish')).toBe(true);
    expect(has('publish_request', 'pub1', 'trust')).toBe(true);
    expect(has('publish_approve', 'pub2', 'trust')).toBe(true);
    expect(has('published', 'pub2', 'trust')).toBe(true);
    expect(has('account_create', '—', 'hk-op')).toBe(true);
    await page.screenshot({ path: join(shots, 'cc-audit.png'), fullPage: true });
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 30_000);
});
