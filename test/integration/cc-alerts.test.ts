// Alerts from a real Kiosk reach the command centre's feed: the scanner unplugged (a socat pseudo-terminal
// closed under the kiosk), repeated failures at the lane, and a denial for an unknown issuer raised as
// that alert.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { onDuty } from '../fixtures/duty.js';
import { checkpoint, makeIssuer, makePermit, makeTrust } from '../fixtures/permits.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';
import { waitFor } from './uplink-helpers.js';

const issuer = makeIssuer();
const stranger = makeIssuer();
const nowS = Math.floor(Date.now() / 1000);
let dir: string;
let broker: MosquittoHandle;
let centre: RunningCommandCentre;
let pty: PtyPair;
let kiosk: Kiosk;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cc-alerts-'));
  broker = await startMosquitto({ extraConfig: 'max_queued_messages 1000000' });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: join(dir, 'cc.db'),
    clientId: `cc-alerts-${randomUUID()}`,
    http: false,
  });
  pty = await openPtyPair();
  kiosk = new Kiosk({
    checkpoint: checkpoint(),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: makeTrust([{ issuer, validFrom: nowS - 86_400, validTo: nowS + 86_400 }]),
    database: join(dir, 'kiosk.db'),
    serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
    mqtt: { urls: [broker.url], summaryWindowSeconds: 1 },
    http: false,
  });
  await kiosk.start();
  await onDuty(kiosk);
}, 60_000);
afterAll(async () => {
  await kiosk?.stop();
  await pty?.close();
  await centre?.stop({ retire: true });
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const alerts = () => centre.ledger.snapshot(Date.now()).alerts;

describe('alerts at the command centre', () => {
  it('raises scanner lost when the working scanner disappears', async () => {
    await waitFor(() => kiosk.status().scanner.state === 'ok', 'scanner ok');
    // Like the serial tests: the far end is opened once, then socat goes away (the scanner unplugged).
    const far = await open(pty.b, 'w');
    await far.close();
    await pty.close();
    await waitFor(() => kiosk.status().scanner.state !== 'ok', 'scanner gone');
    const lost = await waitFor(() => alerts().find((a) => a.alert === 'scanner-lost'), 'scanner-lost alert');
    expect(lost).toMatchObject({
      checkpoint: 'TX-01',
      kiosk: 'L1',
      kind: 'scanner-lost',
      decision: null,
      lane: '1',
    });
  });

  it('raises one repeated-failures alert for a run of bad codes, and an unknown issuer as its own alert', async () => {
    for (let i = 0; i < 7; i++) kiosk.scan(`VNP1:not-a-permit-${i}`, 'api');
    kiosk.scan(makePermit(stranger, { cti: 'STRANGER', iat: nowS - 60, exp: nowS + 3600 }), 'api');
    const repeated = await waitFor(
      () => alerts().find((a) => a.alert === 'repeated-failures'),
      'repeated-failures alert',
    );
    expect(repeated.reasons.length).toBeGreaterThan(0);
    const unknown = await waitFor(() => alerts().find((a) => a.alert === 'unknown-issuer'), 'unknown issuer');
    expect(unknown).toMatchObject({ kind: 'denial', reasons: ['UNKNOWN_ISSUER'] });
    // Five failures make one alert; the next ones within the quiet period do not make more.
    expect(alerts().filter((a) => a.alert === 'repeated-failures')).toHaveLength(1);
  });
});
