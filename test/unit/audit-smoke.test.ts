import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditKiosk, PINS, startAuditKiosk } from './audit-fixtures.js';

let k: AuditKiosk;
beforeAll(async () => { k = await startAuditKiosk(); });
afterAll(async () => { await k?.close(); });

describe('smoke', () => {
  it('logs in, opens a shift, scans, searches', async () => {
    const g = await k.login('canbo', PINS.guard);
    const shift = await k.call('shift.open', {}, g);
    const v = await k.call('scan.submit', { text: k.permit('S-1') }, g);
    console.log(shift.id, v.decision, v.reasons);
    const s = await k.login('giamsat', PINS.supervisor);
    const r = await k.call('audit.search', { name: 'nguyen hang' }, s);
    console.log(r.rows.length, r.tookMs, r.rows[0]?.guard);
    const ver = await k.call('audit.verify', {}, s);
    console.log(ver);
    expect(ver.ok).toBe(true);
  });
});
