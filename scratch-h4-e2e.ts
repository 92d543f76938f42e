import { chromium } from 'playwright-core';
import { SerialPort } from 'serialport';
import { issuePermit } from './src/permit/issue.js';
import { permitClaims } from './test/fixtures/permits.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium.js';
import { loginAsGuard, startKioskInProcess } from './test/e2e/guard-fixture.js';

const k = await startKioskInProcess({ policy: { duplicateWindowSeconds: 3 } });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', (m) => console.log('console', m.type(), m.text()));
await page.goto(`${k.url}/?fadeMs=600000`);
await loginAsGuard(page);
const nowS = Math.floor(Date.now() / 1000);
const text = issuePermit(permitClaims({ cti: 'W-1', iat: nowS - 3600, exp: nowS + 86400 }), k.issuer.privateKey);
await page.evaluate(() => {
  window.addEventListener('keydown', (e) => { if (e.key === 'Enter') console.log('enter prevented', e.defaultPrevented, e.timeStamp); });
});
const plate = page.getByTestId('plate-input');
await plate.click();
await page.keyboard.type(text.slice(0, 12), { delay: 120 });
await page.waitForTimeout(300);
const cdp = await page.context().newCDPSession(page);
const t0 = Date.now() / 1000;
const keys = [...text].map((ch) => ({ key: ch, text: ch }));
keys.push({ key: 'Enter', text: '\r' });
const r0 = Date.now();
for (const [i, kk] of keys.entries()) {
  const at = t0 + (i * 5) / 1000;
  const enter = kk.key === 'Enter' ? { code: 'Enter', windowsVirtualKeyCode: 13 } : {};
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...kk, ...enter, timestamp: at });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: kk.key, ...enter, timestamp: at + 0.001 });
}
console.log('dispatch real ms', Date.now() - r0, 'stamped ms', keys.length * 5);
await page.waitForTimeout(1000);
console.log('value', await plate.inputValue());
console.log(k.query('SELECT id, source, decision, cti FROM passages'));
await browser.close();
await k.stop();
