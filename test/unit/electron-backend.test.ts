// The backend side of the shell's protocol on a real kiosk core (SQLite file, real permits), through a
// stand-in for process.parentPort; plus the shell's start-up options and the incident audit.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '../../electron/backend-messages.js';
import { EXIT_START_FAILED, serveBackend, startError } from '../../electron/backend-server.js';
import { INCIDENT_EVENT_KIND, INCIDENT_KV_KEY } from '../../electron/incidents.js';
import { parseShellOptions } from '../../electron/options.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { EVENT_KINDS } from '../../src/contract/mqtt.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { makeIssuer, signedTrust } from '../fixtures/permits.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

class FakePort extends EventEmitter {
  readonly posted: Array<Record<string, unknown>> = [];
  postMessage(message: unknown): void {
    // What crosses a real port is a structured clone, not the object itself.
    this.posted.push(structuredClone(message) as Record<string, unknown>);
  }
  send(data: unknown): void {
    this.emit('message', { data });
  }
  of(type: string) {
    return this.posted.filter((m) => m.type === type);
  }
}

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A complete kiosk.json with a real trust list, as a technician would install it. */
async function writeKioskConfig(dir: string, extra: Record<string, unknown> = {}) {
  const issuer = makeIssuer();
  const root = generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  writeFileSync(join(dir, 'root.pub.pem'), root.publicPem);
  writeFileSync(
    join(dir, 'trust.jws'),
    await signedTrust([{ issuer, validFrom: now - 86_400, validTo: now + 86_400 }], root.privatePem),
  );
  writeFileSync(
    join(dir, 'checkpoint.json'),
    JSON.stringify({
      checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
    }),
  );
  const config = join(dir, 'kiosk.json');
  writeFileSync(
    config,
    JSON.stringify({
      checkpoint: 'checkpoint.json',
      rootKey: 'root.pub.pem',
      trustList: 'trust.jws',
      database: 'kiosk.db',
      auth: { users: [{ name: 'guard1', displayName: 'Nguyễn Văn An', role: 'guard', pin: '246810' }] },
      ...extra,
    }),
  );
  const permit = (cti: string) =>
    issuePermit(
      {
        iss: '01-009',
        cti,
        iat: now - 3600,
        exp: now + 86_400,
        permit: {
          v: 1,
          k: 'travel',
          nam: 'Trần Văn Bình',
          idn: '001085001234',
          pur: 'work',
          areas: ['01-009'],
        },
      },
      issuer.privatePem,
    );
  return { config, permit };
}

describe('backend over a message port', () => {
  let dir: string;
  let port: FakePort;
  const exits: number[] = [];
  const logs: string[] = [];
  let permit: (cti: string) => string;
  let pty: PtyPair;
  const count = (sql: string) => {
    const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const passages = () => count('SELECT count(*) AS n FROM passages');
  const noShiftScans = () => count("SELECT count(*) AS n FROM audit_events WHERE kind = 'no_shift_scan'");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'electron-backend-'));
    pty = await openPtyPair();
    const made = await writeKioskConfig(dir, { serial: { path: pty.a, baudRate: 9600, suffix: 'auto' } });
    permit = made.permit;
    port = new FakePort();
    await serveBackend(port, {
      configPath: made.config,
      exit: (code) => exits.push(code),
      log: (line) => logs.push(line),
    });
  });
  afterAll(async () => {
    port.send({ type: 'stop' });
    await until('stopped', () => port.of('stopped').length === 1).catch(() => {});
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends a call and waits for its answer. */
  let nextId = 100;
  async function call(method: string, params: unknown = {}) {
    const id = nextId++;
    port.send({ type: 'call', id, method, params });
    await until(`the answer to ${method}`, () => port.of('result').some((r) => r.id === id));
    return port.of('result').find((r) => r.id === id) as Record<string, unknown>;
  }

  it('announces ready and answers calls through the Dispatcher', async () => {
    expect(port.of('ready')).toHaveLength(1);
    expect(await call('status.get')).toMatchObject({
      ok: true,
      result: { checkpoint: { id: 'TX-01' }, lane: '1' },
    });
    // Roles apply to the window like to any other transport.
    expect(await call('lane.set', { lane: '1' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
  });

  it('sends no verdict to a window nobody is logged in to', async () => {
    // Nobody on duty: the scan is audited (its hash only), not a passage, and shown to no one.
    writeFileSync(pty.b, `${permit('BK-0')}\r\n`);
    await until('the audited scan', () => noShiftScans() === 1);
    expect(passages()).toBe(0);
    port.send({ type: 'ping', id: 1 });
    await until('a later message', () => port.of('pong').length === 1);
    expect(port.of('event').filter((e) => e.name === 'verdict')).toEqual([]);
  });

  it('keeps the login session of the window, tells main, and then sends verdicts', async () => {
    const login = await call('auth.login', { name: 'guard1', pin: '246810' });
    expect(login).toMatchObject({ ok: true });
    const session = port.of('session');
    expect(session).toHaveLength(1);
    expect(typeof session[0]?.token).toBe('string');
    expect(await call('shift.open')).toMatchObject({ ok: true });
    expect(await call('scan.submit', { text: permit('BK-1') })).toMatchObject({
      ok: true,
      result: { decision: 'ALLOW' },
    });
    await until('the verdict event', () => port.of('event').some((e) => e.name === 'verdict'));
    const event = port.of('event').find((e) => e.name === 'verdict');
    expect(event?.data).toMatchObject({ decision: 'ALLOW', permit: { nam: 'Trần Văn Bình' } });
    expect(passages()).toBe(1);
  });

  it('accepts the session back from main (after a restart, main hands it to the new backend)', async () => {
    const token = port.of('session')[0]?.token;
    port.send({ type: 'session', token: null });
    expect(await call('verdicts.recent')).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    port.send({ type: 'session', token });
    expect(await call('verdicts.recent')).toMatchObject({ ok: true });
  });

  it('answers pings and drops malformed messages', async () => {
    port.send({ type: 'ping', id: 3 });
    port.send({ type: 'call', id: 'x', method: 'status.get' });
    port.send('rm -rf /');
    expect(port.of('pong')).toContainEqual({ type: 'pong', id: 3 });
    expect(logs.filter((l) => l.includes('malformed'))).toHaveLength(2);
  });

  it('audits an incident in the database and reports it when the MQTT schema has the kind', async () => {
    const incident: Incident = {
      kind: 'renderer-gone',
      at: new Date().toISOString(),
      detail: 'crashed (exit 139)',
    };
    port.send({ type: 'incident', incident });
    await until('the audit', () => logs.some((l) => l.startsWith('incident renderer-gone')));
    const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
    const trail = db.prepare('SELECT value FROM kv WHERE key = ?').get(INCIDENT_KV_KEY) as { value: string };
    const events = db.prepare("SELECT payload FROM outbox WHERE topic LIKE '%/event'").all() as {
      payload: string;
    }[];
    db.close();
    expect(JSON.parse(trail.value)).toEqual([incident]);
    const crashEvents = events
      .map((e) => JSON.parse(e.payload))
      .filter((p) => p.kind === INCIDENT_EVENT_KIND);
    if ((EVENT_KINDS as readonly string[]).includes(INCIDENT_EVENT_KIND)) {
      expect(crashEvents).toEqual([
        expect.objectContaining({ schema: 'ckpt.event/2', at: incident.at, lane: '1' }),
      ]);
    } else {
      // The contract (src/contract/mqtt.ts) does not list the kind yet: audited only, and said so.
      expect(crashEvents).toEqual([]);
      expect(logs.find((l) => l.startsWith('incident renderer-gone'))).toContain('not sent over MQTT');
    }
  });

  it('stops cleanly when asked', async () => {
    port.send({ type: 'stop' });
    await until('stopped', () => port.of('stopped').length === 1);
    expect(exits).toEqual([0]);
  });
});

describe('backend that cannot start', () => {
  it('says why, in both languages, and exits for the supervisor to retry', async () => {
    const port = new FakePort();
    const exits: number[] = [];
    await serveBackend(port, {
      configPath: '/nonexistent/kiosk.json',
      exit: (c) => exits.push(c),
      log: () => {},
    });
    expect(port.posted).toEqual([
      {
        type: 'fatal',
        error: expect.objectContaining({
          code: 'CONFIG_UNREADABLE',
          vi: expect.stringContaining('Không đọc được'),
        }),
      },
    ]);
    expect(exits).toEqual([EXIT_START_FAILED]);
  });

  it('names the fix when better-sqlite3 was built for another ABI', () => {
    const err = new Error(
      "The module 'better_sqlite3.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115. This version of Node.js requires NODE_MODULE_VERSION 150.",
    );
    expect(startError(err)).toMatchObject({
      code: 'NATIVE_MODULE_ABI',
      en: expect.stringContaining('rebuild-electron.sh'),
    });
    expect(startError(new Error('disk full'))).toMatchObject({
      code: 'START_FAILED',
      vi: expect.stringContaining('disk full'),
    });
  });
});

describe('shell start-up options', () => {
  const where = { userData: '/home/kiosk/.config/checkpoint-kiosk', cwd: '/srv', exists: () => false };

  it('takes --config, then KIOSK_CONFIG, then /etc, then the user-data folder', () => {
    expect(parseShellOptions(['electron', '.', '--config', 'k.json'], {}, where).configPath).toBe(
      '/srv/k.json',
    );
    expect(parseShellOptions(['app', '--config=/x/k.json'], {}, where).configPath).toBe('/x/k.json');
    expect(parseShellOptions(['app'], { KIOSK_CONFIG: '/y/k.json' }, where).configPath).toBe('/y/k.json');
    expect(
      parseShellOptions(['app'], {}, { ...where, exists: (p) => p === '/etc/checkpoint-kiosk/kiosk.json' })
        .configPath,
    ).toBe('/etc/checkpoint-kiosk/kiosk.json');
    expect(parseShellOptions(['app'], {}, where).configPath).toBe(
      '/home/kiosk/.config/checkpoint-kiosk/kiosk.json',
    );
  });

  it('is a kiosk unless a technician asks for a window', () => {
    expect(parseShellOptions(['app'], {}, where).windowed).toBe(false);
    expect(parseShellOptions(['app', '--windowed'], {}, where).windowed).toBe(true);
    expect(parseShellOptions(['app'], { KIOSK_WINDOWED: '1' }, where).windowed).toBe(true);
    expect(parseShellOptions(['app'], { KIOSK_WINDOWED: '0' }, where).windowed).toBe(false);
    expect(parseShellOptions(['app', '--demo-samples', 'd/s.json'], {}, where).demoSamplesFile).toBe(
      '/srv/d/s.json',
    );
  });
});
