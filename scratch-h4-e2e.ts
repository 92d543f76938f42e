import { chromium } from 'playwright-core';
import { SerialPort } from 'serialport';
import { issuePermit } from './src/permit/issue.js';
import { permitClaims } from './test/fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium.js';
import { openPtyPair } from './test/helpers/socat.js';
import { loginAsGuard, startKioskInProcess } from './test/e2e/guard-fixture.js';

const pty = await openPtyPair();
const k = await startKioskInProcess({ serial: { path: pty.a, baudRate: 9600, suffix: 'auto' }, policy: { duplicateWindowSeconds: 3 } });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
await page.goto(`${k.url}/?fadeMs=600000`);
await loginAsGuard(page);
const nowS = Math.floor(Date.now() / 1000);
const text = issuePermit(permitClaims({ cti: 'W-1', iat: nowS - 3600, exp: nowS + 86400 }), k.issuer.privateKey);
for (let i = 0; i < 2; i++) { await page.getByTestId('lang-toggle').click(); await page.getByTestId('theme-toggle').click(); }
await page.locator('body').click({ position: { x: 5, y: 300 } });
console.log('active:', await page.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.className));
await page.evaluate(() => {
  (window as any).__keys = [];
  window.addEventListener('keydown', (e) => (window as any).__keys.push([e.key, Math.round(e.timeStamp)]), { capture: true });
});
await page.keyboard.type(text, { delay: 5 });
await page.keyboard.press('Enter');
await page.waitForTimeout(1500);
const keys = await page.evaluate(() => (window as any).__keys as [string, number][]);
const gaps = keys.slice(1).map((k, i) => k[1] - keys[i]![1]);
console.log('keys', keys.length, 'max gap', Math.max(...gaps), 'mean', gaps.reduce((a, b) => a + b, 0) / gaps.length);
console.log('verdict', await page.getByTestId('verdict').getAttribute('data-decision'), await page.getByTestId('verdict').getAttribute('data-state'));
console.log(k.query('SELECT id, source, decision, reasons, cti, raw_preview FROM passages'));
await page.screenshot({ path: '/tmp/h4/shots/dbg-wedge.png' });
await browser.close();
await k.stop();
await pty.close();
