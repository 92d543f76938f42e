import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium.js';
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const page = await browser.newPage();
await page.setContent('<input id=i>');
await page.evaluate(() => { (window as any).k = []; window.addEventListener('keydown', (e) => (window as any).k.push(e.timeStamp)); });
await page.focus('#i');
const cdp = await page.context().newCDPSession(page);
const t0 = Date.now() / 1000;
for (let i = 0; i < 10; i++) {
  const ch = 'ABCDEFGHIJ'[i]!;
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', key: ch, text: ch, timestamp: t0 + i * 0.005 });
  await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch, timestamp: t0 + i * 0.005 + 0.001 });
  await new Promise((r) => setTimeout(r, 50));
}
const ts = await page.evaluate(() => (window as any).k as number[]);
console.log(ts.slice(1).map((t, i) => (t - ts[i]!).toFixed(1)).join(' '), await page.inputValue('#i'));
await browser.close();
