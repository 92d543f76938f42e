// Power-cut test: the real kiosk process (`kiosk start`, from the sources) reads scans streamed into a
// socat pseudo-terminal while an API client (a guard's WebSocket) collects every verdict it is shown;
// the process is killed with SIGKILL at a random moment, sometimes while it is still starting. After
// each kill the database must pass `PRAGMA integrity_check`, the hash chain must verify, and every
// passage whose verdict reached the client must be in the file. Used by test/integration/crash.test.ts
// (a few kills) and scripts/crash-test.ts (`npm run crash-test`, 50 or more).
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { seededRandom } from '../../src/base/prng.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { openPtyPair, type PtyPair } from '../../src/hardware/virtual-port.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import { makeIssuer, signedTrust } from '../fixtures/permits.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PIN = '246810';

export interface CrashOptions {
  kills: number;
  seed?: number;
  /** Out of how many runs one is killed while still starting (before "ready"); default 1 in 6. */
  startupKillEvery?: number;
  log?: (line: string) => void;
}

export interface CrashSummary {
  seed: number;
  kills: number;
  startupKills: number;
  scansWritten: number;
  verdictsSeen: number;
  passages: number;
  chainRows: number;
  failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Seen {
  passageId: number;
  cti: string;
}

async function setup(dir: string, pty: PtyPair) {
  const root = generateKeyPair();
  const issuer = makeIssuer();
  const now = Math.floor(Date.now() / 1000);
  writeFileSync(join(dir, 'root.pub.pem'), root.publicPem);
  writeFileSync(
    join(dir, 'trust.jws'),
    await signedTrust(
      [{ issuer, validFrom: now - 30 * 86_400, validTo: now + 30 * 86_400 }],
      root.privatePem,
    ),
  );
  writeFileSync(
    join(dir, 'checkpoint.json'),
    JSON.stringify({
      checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
    }),
  );
  writeFileSync(
    join(dir, 'kiosk.json'),
    JSON.stringify({
      checkpoint: 'checkpoint.json',
      rootKey: 'root.pub.pem',
      trustList: 'trust.jws',
      database: 'kiosk.db',
      serial: { path: pty.a, baudRate: 9600, suffix: 'CR' },
      mqtt: null,
      http: { host: '127.0.0.1', port: 0 },
      open: 'none',
      auth: {
        users: [
          { name: 'admin', role: 'admin', pin: '975310' },
          { name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám', role: 'guard', pin: PIN },
        ],
      },
    }),
  );
  let serial = 0;
  const permit = () => {
    serial++;
    const cti = `CRASH-${serial}`;
    return {
      cti,
      text: issuePermit(
        {
          iss: '01-009',
          cti,
          iat: now - 3600,
          exp: now + 86_400,
          permit: {
            v: 1,
            k: 'travel',
            nam: `Nguyễn Văn ${serial}`,
            idn: '001085001234',
            pur: 'work',
            areas: ['01-009'],
          },
        },
        issuer.privatePem,
      ),
    };
  };
  return { permit };
}

function startKiosk(dir: string): { child: ChildProcess; ready: Promise<string>; exited: Promise<void> } {
  // node --import tsx directly (not the tsx wrapper, which would survive the kill in a child process).
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/main.ts'),
      'start',
      '--config',
      join(dir, 'kiosk.json'),
      '--open',
      'none',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ready to scan: (http:\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`kiosk exited (${code ?? signal}) before ready:\n${out.slice(-2000)}`)),
    );
  });
  ready.catch(() => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready, exited };
}

async function loginCookie(url: string): Promise<string> {
  const res = await fetch(`${url}api/call/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'canbo', pin: PIN }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!res.ok || !cookie) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const csrf = ((await res.json()) as { result: { csrfToken: string } }).result.csrfToken;
  const open = await fetch(`${url}api/call/shift.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-kiosk-csrf': csrf },
    body: '{}',
  });
  if (!open.ok) throw new Error(`shift.open failed: ${open.status} ${await open.text()}`);
  return cookie;
}

/** A guard's socket collecting the verdicts shown; resolves once it is open. */
function watch(url: string, cookie: string, seen: Seen[], onSeen: () => void): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}api/ws`, { headers: { cookie } });
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as {
      type: string;
      name?: string;
      data?: { passageId: number | null; permit: { cti: string } | null; duplicate: boolean };
    };
    if (
      m.type === 'event' &&
      m.name === 'verdict' &&
      m.data?.passageId != null &&
      m.data.permit &&
      !m.data.duplicate
    ) {
      seen.push({ passageId: m.data.passageId, cti: m.data.permit.cti });
      onSeen();
    }
  });
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function check(dbPath: string, seen: Seen[]): { problems: string[]; passages: number; chainRows: number } {
  const problems: string[] = [];
  const db = new Database(dbPath);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const chain = verifyLogSync(db);
    if (!chain.ok) problems.push(`chain broken at ${JSON.stringify(chain.broken)}`);
    const get = db.prepare('SELECT cti FROM passages WHERE id = ?');
    for (const s of seen) {
      const row = get.get(s.passageId) as { cti: string } | undefined;
      if (!row)
        problems.push(`verdict shown for passage ${s.passageId} (${s.cti}) but it is not in the database`);
      else if (row.cti !== s.cti)
        problems.push(`passage ${s.passageId} is ${row.cti}, the screen showed ${s.cti}`);
    }
    const passages = (db.prepare('SELECT count(*) AS n FROM passages').get() as { n: number }).n;
    return { problems, passages, chainRows: chain.checked };
  } finally {
    db.close();
  }
}

export async function runCrashTest(opts: CrashOptions): Promise<CrashSummary> {
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-crash-'));
  const pty = await openPtyPair();
  const summary: CrashSummary = {
    seed,
    kills: 0,
    startupKills: 0,
    scansWritten: 0,
    verdictsSeen: 0,
    passages: 0,
    chainRows: 0,
    failures: [],
  };
  const seen: Seen[] = [];
  const { permit } = await setup(dir, pty);
  const dbPath = join(dir, 'kiosk.db');
  let cookie: string | null = null;
  const writer = openSync(pty.b, 'w');
  let onSeen = () => {};
  try {
    for (let run = 0; run < opts.kills; run++) {
      const k = startKiosk(dir);
      const duringStartup = run > 0 && run % (opts.startupKillEvery ?? 6) === 0;
      let ws: WebSocket | null = null;
      if (duringStartup) {
        await sleep(50 + random() * 700);
        summary.startupKills++;
      } else {
        const url = await Promise.race([
          k.ready,
          sleep(60_000).then(() => Promise.reject(new Error('kiosk not ready in 60 s'))),
        ]);
        cookie ??= await loginCookie(url);
        ws = await watch(url, cookie, seen, () => onSeen());
        // A burst of scans the way a scanner queues them, killed when a random number of their verdicts
        // has been shown: the rest are still in the pipe or being judged, whatever the machine's speed.
        const target = 1 + Math.floor(random() * 8);
        const burst = target + 4 + Math.floor(random() * 12);
        const shown = seen.length + target;
        const enough = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 60_000);
          onSeen = () => {
            if (seen.length < shown) return;
            clearTimeout(timer);
            resolve(true);
          };
        });
        for (let i = 0; i < burst; i++) writeSync(writer, `${permit().text}\r`);
        summary.scansWritten += burst;
        if (!(await enough)) summary.failures.push(`run ${run + 1}: ${target} verdicts not shown in 60 s`);
      }
      k.child.kill('SIGKILL');
      await k.exited;
      ws?.terminate();
      summary.kills++;
      const r = check(dbPath, seen);
      summary.passages = r.passages;
      summary.chainRows = r.chainRows;
      summary.verdictsSeen = seen.length;
      for (const p of r.problems) summary.failures.push(`kill ${run + 1}: ${p}`);
      log(
        `kill ${run + 1}/${opts.kills}${duringStartup ? ' (while starting)' : ''}: ${r.passages} passages, ` +
          `${seen.length} verdicts seen, chain ${r.chainRows} rows ${r.problems.length ? `FAILED: ${r.problems[0]}` : 'ok'}`,
      );
      if (r.problems.length) break;
    }
  } finally {
    closeSync(writer);
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return summary;
}
