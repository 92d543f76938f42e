// TLS on a real Mosquitto with a test CA made here with openssl: the kiosk pins the CA and presents a
// client certificate (the broker takes the certificate's CN as the username, for the ACL); a broker
// whose certificate another CA signed is refused, and so is a kiosk without a certificate.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCommandCentre } from '../../command-centre/server/run.js';
import { openStore, type Store } from '../../src/store/store.js';
import { Uplink, type UplinkOptions } from '../../src/uplink/uplink.js';
import { FakeClock } from '../fixtures/clock.js';
import { freePort, type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { startReceipter, subscribe, waitFor } from './uplink-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-tls-'));
const file = (name: string) => join(dir, name);
const pem = (name: string) => readFileSync(file(name), 'utf8');

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    `/CN=${name}`,
  );
}

function makeCert(name: string, ca: string, cn: string, ext?: string): void {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  );
  if (ext) writeFileSync(file(`${name}.ext`), ext);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    `${name}.crt`,
    ...(ext ? ['-extfile', `${name}.ext`] : []),
  );
}

let broker: MosquittoHandle;
let tlsUrl: string;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  makeCa('ca');
  makeCa('other-ca');
  makeCert('server', 'ca', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  makeCert('kiosk', 'ca', 'kiosk-TX-01');
  makeCert('cc', 'ca', 'cc');
  // The broker's certificate as another CA would sign it: what a kiosk must refuse.
  makeCert('imposter', 'other-ca', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const tlsPort = await freePort();
  writeFileSync(
    file('acl'),
    [
      'topic readwrite ckpt/v2/#', // the plain listener's anonymous test subscriber and receipts
      'user kiosk-TX-01',
      'topic write ckpt/v2/01-009/TX-01/L1/status',
      'topic write ckpt/v2/01-009/TX-01/L1/summary',
      'topic write ckpt/v2/01-009/TX-01/L1/event',
      'topic write ckpt/v2/01-009/TX-01/L1/ack',
      'topic write ckpt/v2/01-009/TX-01/L1/passage',
      'topic read ckpt/v2/01-009/TX-01/L1/receipt',
      'topic read ckpt/v2/01-009/TX-01/L1/command',
      'topic read ckpt/v2/cc/state/+',
      'user cc',
      'topic read ckpt/v2/#',
      '',
    ].join('\n'),
  );
  broker = await startMosquitto({
    aclFile: file('acl'),
    extraConfig: [
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${file('ca.crt')}`,
      `certfile ${file('server.crt')}`,
      `keyfile ${file('server.key')}`,
      'require_certificate true',
      'use_identity_as_username true',
    ].join('\n'),
  });
  tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
});
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  removeTempDirs();
});

function newStore(): Store {
  const s = openStore(tempDbPath(), checkpoint);
  cleanups.push(() => s.close());
  return s;
}

function newUplink(store: Store, over: Partial<UplinkOptions>): Uplink {
  const u = new Uplink({
    urls: [tlsUrl],
    scope: store.scope,
    clientId: `kiosk-tls-${randomUUID()}`,
    outbox: store,
    version: '0.1.0-test',
    startedAtMs: Date.now(),
    lane: () => '1',
    direction: () => 'in',
    backoffMinMs: 100,
    backoffMaxMs: 300,
    ...over,
  });
  cleanups.push(() => u.stop());
  return u;
}

/** An uplink whose reconnect waits are on a clock the test moves, with the jitter at its middle. */
function refusedUplink(store: Store, over: Partial<UplinkOptions>) {
  const clock = new FakeClock(Date.now());
  const uplink = newUplink(store, { ...over, timers: clock, random: () => 0.5 });
  return { clock, uplink };
}

/**
 * Lets n attempts fail, one after the other: each one's end is seen as the next attempt being scheduled
 * (the only timer of an uplink that never connected); returns the waits it chose.
 */
async function refusedAttempts(clock: FakeClock, n: number): Promise<number[]> {
  const waits: number[] = [];
  for (let i = 1; i <= n; i++) {
    await waitFor(() => clock.pending > 0, `refusal ${i}`);
    const at = clock.nextAt()!;
    waits.push(at - clock.now());
    clock.advanceTo(at);
  }
  return waits;
}

function deny(store: Store, n: number): void {
  for (let i = 0; i < n; i++) {
    store.recordPassage(
      passage(
        {
          permit: null,
          source: 'manual',
          person: { holderName: 'Nguyễn Văn An', purpose: 'work' },
          atMs: Date.now(),
          decision: 'DENY',
          reasons: ['EXPIRED'],
          letThrough: false,
        },
        `TLS-${i}`,
      ),
    );
  }
}

describe('uplink over TLS', () => {
  it('delivers with the pinned CA and a client certificate', async () => {
    const watcher = await subscribe(broker.url, 'ckpt/v2/01-009/TX-01/L1/event');
    cleanups.push(() => watcher.close());
    const cc = await startReceipter(broker.url);
    cleanups.push(() => cc.close());
    const store = newStore();
    const uplink = newUplink(store, { ca: pem('ca.crt'), cert: pem('kiosk.crt'), key: pem('kiosk.key') });
    uplink.start();
    await waitFor(() => uplink.state().subscribed, 'TLS connection, its subscriptions granted');
    deny(store, 3);
    await waitFor(() => store.outboxCount() === 0, 'outbox drained over TLS');
    await waitFor(() => watcher.messages.length >= 3, 'events at the subscriber');
  });

  it('refuses a broker whose certificate is not signed by the pinned CA', async () => {
    const store = newStore();
    deny(store, 2);
    const { clock, uplink } = refusedUplink(store, {
      ca: pem('other-ca.crt'),
      cert: pem('kiosk.crt'),
      key: pem('kiosk.key'),
    });
    const errors: string[] = [];
    uplink.onChange((s) => {
      if (s.lastError) errors.push(s.lastError);
    });
    let connected = false;
    uplink.onChange((s) => {
      connected ||= s.connected;
    });
    uplink.start();
    await waitFor(() => errors.length >= 1, 'refusal');
    expect(errors[0]).toMatch(/certificate|self.signed|unable to verify/i);
    // Several attempts, each refused, backing off 100, 200, then the 300 ms cap.
    expect(await refusedAttempts(clock, 3)).toEqual([100, 200, 300]);
    expect(connected).toBe(false);
    expect(store.outboxCount()).toBe(2); // nothing sent, nothing lost
  });

  it('is refused by the broker without a client certificate', async () => {
    const store = newStore();
    deny(store, 1);
    const { clock, uplink } = refusedUplink(store, { ca: pem('ca.crt') });
    const errors: string[] = [];
    uplink.onChange((s) => {
      if (s.lastError) errors.push(s.lastError);
    });
    let connected = false;
    uplink.onChange((s) => {
      connected ||= s.connected;
    });
    uplink.start();
    await waitFor(() => errors.length >= 1, 'refusal');
    expect(errors[0]).toMatch(/certificate required/i);
    expect(await refusedAttempts(clock, 3)).toEqual([100, 200, 300]);
    expect(connected).toBe(false);
    expect(store.outboxCount()).toBe(1);
  });

  it('refuses an imposter broker presenting a certificate from another CA', async () => {
    const port = await freePort();
    const imposter = await startMosquitto({
      extraConfig: [
        `listener ${port} 127.0.0.1`,
        `certfile ${file('imposter.crt')}`,
        `keyfile ${file('imposter.key')}`,
      ].join('\n'),
    });
    cleanups.push(() => imposter.stop());
    const store = newStore();
    deny(store, 1);
    const uplink = newUplink(store, { urls: [`mqtts://127.0.0.1:${port}`], ca: pem('ca.crt') });
    const errors: string[] = [];
    uplink.onChange((s) => {
      if (s.lastError) errors.push(s.lastError);
    });
    uplink.start();
    await waitFor(() => errors.length >= 1, 'refusal');
    expect(errors[0]).toMatch(/certificate|unable to verify/i);
    expect(uplink.state().connected).toBe(false);
  });

  it('lets the command centre consume over TLS with its own certificate', async () => {
    const centre = await startCommandCentre({
      urls: [tlsUrl],
      database: tempDbPath(),
      clientId: `cc-tls-${randomUUID()}`,
      http: false,
      ca: pem('ca.crt'),
      cert: pem('cc.crt'),
      key: pem('cc.key'),
    });
    cleanups.push(() => centre.stop({ retire: true }));
    await waitFor(() => centre.aggregator.state().connected, 'aggregator over TLS');
    const store = newStore();
    const uplink = newUplink(store, { ca: pem('ca.crt'), cert: pem('kiosk.crt'), key: pem('kiosk.key') });
    uplink.start();
    deny(store, 4);
    await waitFor(() => centre.aggregator.stats.counted >= 4, 'events counted');
    expect(centre.ledger.totals()[0]).toMatchObject({ checkpoint: 'TX-01', events: 4 });
  });
});
