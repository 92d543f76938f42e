// The shift/day counts the guard sees: each committed passage counted exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Kiosk } from '../../src/kiosk.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';

describe('Kiosk counts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('counts the first scan once even when nothing asked for the status before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-counts-'));
    dirs.push(dir);
    const issuer = makeIssuer();
    const kiosk = new Kiosk({
      checkpoint: checkpoint(),
      root: issuer.privateKey,
      trust: makeTrust([{ issuer }]),
      database: join(dir, 'k.db'),
      serial: null,
      mqtt: null,
      http: false,
      pinCost: 1024,
      now: () => T0,
    });
    await kiosk.start();
    try {
      await onDuty(kiosk);
      expect(kiosk.scan(makePermit(issuer, { cti: 'C-1' }), 'serial').decision).toBe('ALLOW');
      expect(kiosk.status().counts).toMatchObject({ allowed: 1, denied: 0, review: 0 });
      kiosk.scan(makePermit(issuer, { cti: 'C-2' }), 'serial');
      expect(kiosk.status().counts.allowed).toBe(2);
    } finally {
      await kiosk.stop();
    }
  });
});
