// 1,000 simulated kiosks (500 checkpoints × 2) against one aggregator, the real `kiosk command-centre`
// process on a local Mosquitto: the fleet runs, waits until receipts cover everything it sent, and its
// totals are compared with GET /api/totals kiosk by kiosk; the aggregator's messages per second beside it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFleet } from '../command-centre/server/fleet.js';
import type { CheckpointTotalsRow } from '../command-centre/server/types.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';
import { recordBudget } from './budgets.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function started(cc: ChildProcess): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`command centre did not start: ${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /command centre ready: (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    cc.stdout?.on('data', onData);
    cc.stderr?.on('data', onData);
  });
}

export async function benchCcFleet(checkpoints: number, seconds: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100000' });
  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  // The API is behind a login: a city viewer, made as the first admin is.
  const password = 'bench-pass-1';
  const db = ['--db', join(dir, 'cc.db')];
  const account = ['--name', 'bench', '--role', 'viewer', '--scope', 'city'];
  execFileSync(tsx, ['src/cli/main.ts', 'command-centre', 'accounts', 'add', ...db, ...account], {
    cwd: ROOT,
    env: { ...process.env, CC_PASSWORD: password },
    stdio: 'pipe',
  });
  const cc = spawn(
    tsx,
    ['src/cli/main.ts', 'command-centre', '--broker', broker.url, '--port', '0', '--db', join(dir, 'cc.db')],
    { cwd: ROOT },
  );
  try {
    const url = await started(cc);
    const t0 = performance.now();
    const fleet = await runFleet({
      urls: [broker.url],
      count: checkpoints,
      kiosksPerCheckpoint: 2,
      rate: 0.5,
      durationS: seconds,
      windowS: 10,
      seed: 2021,
      drainTimeoutMs: 120_000,
    });
    const wall = (performance.now() - t0) / 1000;
    const login = await fetch(new URL('api/login', url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench', password }),
    });
    const headers = { Cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '' };
    const stats = (await (await fetch(new URL('api/stats', url), { headers })).json()) as {
      counted: number;
      duplicates: number;
    };
    const rows = (await (
      await fetch(new URL('api/totals', url), { headers })
    ).json()) as CheckpointTotalsRow[];
    const byInstance = new Map(rows.flatMap((r) => r.kiosks.map((k) => [k.instance, k])));
    let exact = 0;
    for (const k of fleet.kiosks) {
      const got = byInstance.get(k.instance);
      if (
        got &&
        JSON.stringify(got.total) === JSON.stringify(k.total) &&
        got.summaries === k.summaries &&
        got.events === k.events &&
        got.passages === k.passages
      ) {
        exact++;
      }
    }
    const f = fleet.total;
    recordBudget('ccFleet', `${exact} / ${f.kiosks} kiosks exact`, f.kiosks >= 1000 && exact === f.kiosks);
    console.log(
      `  ${f.kiosks} kiosks (${f.checkpoints} checkpoints × 2), ${seconds} s at 0.5 scans/s each: ${f.scans} scans, ${f.messages} messages (${f.republished} sent again); ${fleet.undelivered} unreceipted at the end; totals exact for ${exact} / ${f.kiosks} kiosks   budget: all exact`,
    );
    console.log(
      `  the aggregator took in ${stats.counted} messages (+${stats.duplicates} copies) in ${wall.toFixed(1)} s of the fleet's run and drain: ${(stats.counted / wall).toFixed(0)} msg/s offered and stored (the fleet's rate, not the aggregator's ceiling; see the queued burst above)`,
    );
  } finally {
    cc.kill('SIGTERM');
    await new Promise((r) => cc.once('exit', r));
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
