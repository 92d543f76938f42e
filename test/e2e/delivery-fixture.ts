// Real processes for the delivery tests: `kiosk start` with a socat scanner, `kiosk command-centre`,
// guards logged in over the kiosk's HTTP API, and the expected totals read from each kiosk's own log.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { FINAL_DECISION_SQL, LET_THROUGH_SQL } from '../../src/store/final-decision.js';
import { type FolderKeys, type KioskFolder, writeKioskFolder } from '../fixtures/kiosk-folder.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'kiosk.js');
const run = promisify(execFile);

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process whose output is kept, and a promise of the first line matching a pattern. */
class Proc {
  out = '';
  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
  }
  match(re: RegExp, what: string): Promise<string> {
    return until(what, () => {
      if (this.child.exitCode !== null) throw new Error(`${what}: the process exited:\n${this.out}`);
      return re.exec(this.out)?.[1];
    });
  }
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}

export interface KioskProcess {
  lane: string;
  dir: string;
  folder: KioskFolder;
  url: string;
  /** Logs the guard in and opens a shift; returns the API caller of that session. */
  onDuty(): Promise<Caller>;
  scan(...texts: string[]): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The log's final decisions, counted as the command centre counts them. */
  logTotals(): Totals;
}

export interface Totals {
  in: Record<'allowed' | 'denied' | 'review' | 'overridden', number>;
  out: Record<'allowed' | 'denied' | 'review' | 'overridden', number>;
  people: number;
}

export type Caller = (method: string, params?: unknown) => Promise<unknown>;

export async function startKioskProcess(o: {
  lane: string;
  brokerUrl: string;
  receiptTimeoutSeconds?: number;
  policy?: Record<string, unknown>;
  keys?: FolderKeys;
}): Promise<KioskProcess> {
  const dir = mkdtempSync(join(tmpdir(), `kiosk-lane${o.lane}-`));
  const pty: PtyPair = await openPtyPair();
  const folder = await writeKioskFolder(dir, {
    checkpoint: { lanes: ['1', '2'] },
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.keys ? { keys: o.keys } : {}),
    kiosk: {
      lane: o.lane,
      serial: { path: pty.a, baudRate: 9600, suffix: 'auto' },
      mqtt: {
        urls: [o.brokerUrl],
        summaryWindowSeconds: 1,
        receiptTimeoutSeconds: o.receiptTimeoutSeconds ?? 5,
      },
      http: { host: '127.0.0.1', port: 0 },
      open: 'none',
      auth: { users: [{ name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám', role: 'guard', pin: '111111' }] },
    },
  });
  let proc: Proc;
  const k: KioskProcess = {
    lane: o.lane,
    dir,
    folder,
    url: '',
    onDuty: async () => {
      const call = await login(k.url, 'canbo', '111111');
      const open = (await call('shift.current').catch(() => null)) as { id?: number } | null;
      if (!open?.id) await call('shift.open');
      return call;
    },
    scan: async (...texts) => {
      await run(process.execPath, [BIN, 'simulate-scanner', '--port', pty.b, '--delay-ms', '5', ...texts]);
    },
    restart: async () => {
      await proc.stop();
      await start();
    },
    stop: async () => {
      await proc.stop();
      await pty.close();
    },
    logTotals: () => logTotals(join(dir, 'kiosk.db')),
  };
  async function start(): Promise<void> {
    proc = new Proc(spawn(process.execPath, [BIN, 'start', '--config', folder.config], { cwd: dir }));
    k.url = await proc.match(/ready to scan: (http:\S+)/, `kiosk lane ${o.lane} ready`);
  }
  await start();
  return k;
}

/** A session on the kiosk's HTTP API (`POST /api/call/{method}`), as the browser holds one. */
export async function login(url: string, name: string, pin: string): Promise<Caller> {
  let cookie = '';
  let csrf = '';
  const call: Caller = async (method, params = {}) => {
    const res = await fetch(`${url.replace(/\/$/, '')}/api/call/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { 'x-kiosk-csrf': csrf } : {}),
      },
      body: JSON.stringify(params),
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] ?? '';
    const body = (await res.json()) as {
      ok: boolean;
      result?: unknown;
      error?: { code: string; en: string };
    };
    if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.en}`);
    return body.result;
  };
  const session = (await call('auth.login', { name, pin })) as { csrfToken: string };
  csrf = session.csrfToken;
  return call;
}

export function logTotals(path: string): Totals {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT p.direction AS direction, ${FINAL_DECISION_SQL('p')} AS decision,
          ${LET_THROUGH_SQL('p')} AS letThrough,
          p.people AS people FROM passages p WHERE p.shift_id IS NOT NULL`,
      )
      .all() as { direction: 'in' | 'out'; decision: string; letThrough: number; people: number }[];
    const t: Totals = {
      in: { allowed: 0, denied: 0, review: 0, overridden: 0 },
      out: { allowed: 0, denied: 0, review: 0, overridden: 0 },
      people: 0,
    };
    for (const r of rows) {
      const key = r.decision === 'ALLOW' ? 'allowed' : r.decision === 'DENY' ? 'denied' : 'review';
      t[r.direction][key]++;
      if (r.decision !== 'ALLOW' && r.letThrough) t[r.direction].overridden++;
      t.people += r.people;
    }
    return t;
  } finally {
    db.close();
  }
}

export function addTotals(a: Totals, b: Totals): Totals {
  const dir = (x: Totals['in'], y: Totals['in']) => ({
    allowed: x.allowed + y.allowed,
    denied: x.denied + y.denied,
    review: x.review + y.review,
    overridden: x.overridden + y.overridden,
  });
  return { in: dir(a.in, b.in), out: dir(a.out, b.out), people: a.people + b.people };
}

const CC_PASSWORD = 'delivery-pass-1';

export interface CommandCentreProcess {
  url: string;
  totals(): Promise<unknown>;
  /** Any API path, as the logged-in viewer. */
  get(path: string): Promise<unknown>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startCommandCentreProcess(o: {
  brokerUrl: string;
  db: string;
  clientId: string;
}): Promise<CommandCentreProcess> {
  // The totals are behind a login: a viewer made as the city's first admin is, by the CLI. Aggregators
  // sharing a database share their accounts: the second finds it made.
  await promisify(execFile)(
    process.execPath,
    [
      BIN,
      'command-centre',
      'accounts',
      'add',
      '--db',
      o.db,
      '--name',
      'delivery',
      '--role',
      'viewer',
      '--scope',
      'city',
    ],
    { cwd: tmpdir(), env: { ...process.env, CC_PASSWORD: CC_PASSWORD } },
  ).catch((err: { stderr?: string }) => {
    if (!String(err.stderr).includes('USER_EXISTS')) throw err;
  });
  const proc = new Proc(
    spawn(
      process.execPath,
      [
        BIN,
        'command-centre',
        '--broker',
        o.brokerUrl,
        '--db',
        o.db,
        '--client-id',
        o.clientId,
        '--port',
        '0',
      ],
      { cwd: tmpdir() },
    ),
  );
  const url = await proc.match(/command centre ready: (http:\S+)/, `command centre ${o.clientId} ready`);
  const base = url.replace(/\/$/, '');
  let cookie = '';
  const get = async (path: string): Promise<unknown> => {
    if (!cookie) {
      const login = await fetch(`${base}/api/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'delivery', password: CC_PASSWORD }),
      });
      cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    }
    return (await fetch(`${base}${path}`, { headers: { Cookie: cookie } })).json();
  };
  return {
    url,
    totals: () => get('/api/totals'),
    get,
    stop: () => proc.stop(),
    kill: () => proc.stop('SIGKILL'),
  };
}
