// The shell's crash recovery on real parts, short of the Electron binary: the real main-process code
// (against the fake `electron` module) supervising a real backend process (Node running
// electron/backend.ts behind a process.parentPort shim), a socat pseudo-terminal as the scanner, a real
// SQLite file and a real Mosquitto. The backend is SIGKILLed mid-run: it must come back, the window
// must reload, the scanner must work again, the crash must be audited, and the command centre must see
// the kiosk go offline (Last Will) and come back with a new startedAt.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INCIDENT_KV_KEY } from '../../electron/incidents.js';
import { writeKioskFolder } from '../fixtures/kiosk-folder.js';
import { type FakeWebContents, fake, NodeBackendChild } from '../helpers/fake-electron.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

vi.mock('electron', async () => (await import('../helpers/fake-electron.js')).electronModule);
const { runShell } = await import('../../electron/shell.js');

const ELECTRON_DIR = fileURLToPath(new URL('../../electron', import.meta.url));

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('electron shell with a real backend process', () => {
  let dir: string;
  let pty: PtyPair;
  let broker: MosquittoHandle;
  let sub: mqtt.MqttClient;
  const statuses: Array<Record<string, unknown>> = [];
  const children: NodeBackendChild[] = [];
  let shell: NonNullable<Awaited<ReturnType<typeof runShell>>>;
  let permit: (cti: string) => string;

  beforeAll(async () => {
    fake.reset();
    dir = mkdtempSync(join(tmpdir(), 'electron-e2e-'));
    [pty, broker] = await Promise.all([openPtyPair(), startMosquitto()]);
    sub = mqtt.connect(broker.url, { protocolVersion: 5 });
    await new Promise<void>((resolve, reject) => {
      sub.once('connect', () => resolve());
      sub.once('error', reject);
    });
    sub.on('message', (topic, payload) => {
      if (topic.endsWith('/status')) statuses.push(JSON.parse(payload.toString()));
    });
    await sub.subscribeAsync('ckpt/v2/01-009/TX-01/+/status', { qos: 1 });

    const folder = await writeKioskFolder(dir, {
      checkpoint: {},
      kiosk: {
        serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
        auth: { users: [{ name: 'guard1', displayName: 'Nguyễn Văn An', role: 'guard', pin: '246810' }] },
        mqtt: { urls: [broker.url], summaryWindowSeconds: 60 },
      },
    });
    permit = (cti) => folder.permit(cti, { nam: 'Phạm Thu Trang' });
    fake.utilityProcess.impl = (entry, args) => {
      const child = new NodeBackendChild(entry, args);
      children.push(child);
      return child;
    };
    const started = await runShell(
      { configPath: join(dir, 'kiosk.json'), windowed: false },
      {
        appDir: ELECTRON_DIR,
        handleSignals: false,
        log: () => {},
        supervisor: { backoffMinMs: 50, backoffMaxMs: 200 },
      },
    );
    if (!started) throw new Error('shell did not start');
    shell = started;
    await until('the backend to be ready', () => shell.backend.state === 'ready', 60_000);
  }, 120_000);

  afterAll(async () => {
    fake.app.quit();
    await until('the backend to stop', () => shell?.backend.state === 'stopped', 10_000).catch(() => {});
    for (const c of children) c.process.kill('SIGKILL');
    await sub?.endAsync();
    await pty?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const contents = () => shell.window.webContents as unknown as FakeWebContents;
  const verdictsOnScreen = () =>
    contents()
      .sent.filter((s) => s.channel === 'kiosk:event' && (s.args[0] as { name: string }).name === 'verdict')
      .map((s) => (s.args[0] as { data: { decision: string; permit: { cti: string } | null } }).data);
  const scan = (text: string) => writeFileSync(pty.b, `${text}\r\n`);
  const callFromPage = (method: string, params: unknown) =>
    fake.ipcMain.invoke('kiosk:call', contents(), contents().mainFrame, { method, params });

  it('shows a serial scan as a verdict in the window of the guard on shift', async () => {
    expect(await callFromPage('auth.login', { name: 'guard1', pin: '246810' })).toMatchObject({ ok: true });
    expect(await callFromPage('shift.open', {})).toMatchObject({ ok: true });
    scan(permit('EL-1'));
    const v = await until('the verdict', () => verdictsOnScreen().find((x) => x.permit?.cti === 'EL-1'));
    expect(v.decision).toBe('ALLOW');
    expect(await callFromPage('status.get', {})).toMatchObject({
      ok: true,
      result: { checkpoint: { id: 'TX-01' }, scanner: { state: 'ok' } },
    });
  });

  it('survives a backend killed with SIGKILL: restart, reload, scanner back, crash audited and visible', async () => {
    const first = children[0];
    if (!first) throw new Error('no backend');
    const birth = await until('the first birth message', () => statuses.find((s) => s.online === true));
    first.process.kill('SIGKILL');
    const refused = await callFromPage('status.get', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'BACKEND_RESTARTING' } });

    await until(
      'a new backend, ready',
      () => children.length === 2 && shell.backend.state === 'ready',
      60_000,
    );
    expect(contents().reloads).toBe(1);
    expect(children[1]?.pid).not.toBe(first.pid);

    // The guard's session survived the restart (main kept it): verdicts still reach the window.
    scan(permit('EL-2'));
    const v = await until('a verdict from the new backend', () =>
      verdictsOnScreen().find((x) => x.permit?.cti === 'EL-2'),
    );
    expect(v.decision).toBe('ALLOW');
    expect(await callFromPage('status.get', {})).toMatchObject({
      ok: true,
      result: { scanner: { state: 'ok' } },
    });
    const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
    const rows = db.prepare('SELECT decision, source FROM passages ORDER BY id').all();
    db.close();
    expect(rows).toEqual([
      { decision: 'ALLOW', source: 'serial' },
      { decision: 'ALLOW', source: 'serial' },
    ]);

    const trail = await until('the audit record', () => {
      const db = new Database(join(dir, 'kiosk.db'), { readonly: true });
      try {
        const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(INCIDENT_KV_KEY) as
          | { value: string }
          | undefined;
        return row ? (JSON.parse(row.value) as Array<{ kind: string; detail: string }>) : undefined;
      } finally {
        db.close();
      }
    });
    expect(trail).toEqual([expect.objectContaining({ kind: 'backend-exit', detail: 'exit code 137' })]);

    // The status topic shows the crash: the Last Will (offline), then a birth with a new startedAt.
    await until('the Will and a new birth', () => {
      const i = statuses.findIndex((s) => s.online === false);
      return i >= 0 && statuses.slice(i).some((s) => s.online === true && s.startedAt !== birth.startedAt);
    });
  });
});
