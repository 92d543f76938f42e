// Revocations at a million entries through the real document store (SQLite, worker thread, buckets):
// time to apply a signed full list beside the 10 s budget, the longest stall of the scan thread while it
// applies, lookup latency beside the 0.05 ms budget, a delta, a restart's load, and resident memory.
// The bench process signs the list; a fresh child process (with --expose-gc) measures, so that its
// memory figure is a kiosk's, not the generator's.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CheckpointConfig } from '../src/contract/checkpoint.js';
import { signDocument } from '../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../src/contract/keys.js';
import { packHexHashes } from '../src/contract/revocation-packing.js';
import { DocumentStore } from '../src/documents/store.js';
import { openKioskDatabase } from '../src/store/store.js';
import { compiledProbe } from './audit.js';
import { recordBudget } from './budgets.js';
import { ms, summarise } from './stats.js';

const CHILD_FLAG = '--revocations-child';
const LOAD_FLAG = '--revocations-load';
const MiB = 2 ** 20;

export async function benchRevocations(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-bench-rev-'));
  try {
    process.stdout.write(`  signing a full list of ${n.toLocaleString('en')} revocations… `);
    const raw = randomBytes(n * 32);
    const add = Array.from({ length: n }, (_, i) => raw.toString('hex', i * 32, (i + 1) * 32));
    const root = generateKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const full = await signDocument(
      'revocations',
      // Packed, as the command centre publishes full lists.
      { version: 1, issued: now, mode: 'full', addPacked: packHexHashes(add) },
      root.privatePem,
    );
    // A small delta (rewrites the buckets it touches in place) and a large one (a new generation).
    const delta = (version: number, from: number, count: number) =>
      signDocument(
        'revocations',
        {
          version,
          issued: now,
          mode: 'delta',
          base: version - 1,
          add: add.slice(from, from + count).map(flip),
          remove: add.slice(from, from + count),
        },
        root.privatePem,
      );
    writeFileSync(join(dir, 'full.jws'), full);
    writeFileSync(join(dir, 'delta-2.jws'), await delta(2, 0, 50));
    writeFileSync(join(dir, 'delta-3.jws'), await delta(3, 1000, 1000));
    writeFileSync(join(dir, 'root.pem'), root.publicPem);
    writeFileSync(join(dir, 'probes.txt'), add.filter((_, i) => i % 20 === 0).join('\n'));
    console.log(`${(full.length / MiB).toFixed(1)} MiB of JWS`);
    // Measured on plain JavaScript, as the kiosk ships: under tsx the worker thread loads the
    // transpiler too, and its peak reads hundreds of MiB high.
    const probe = await compiledProbe('revocations');
    if (!probe) console.log('  (esbuild missing: measured under tsx, the peak reads high)');
    const entry = probe ? [probe] : ['--import', 'tsx', fileURLToPath(import.meta.url)];
    for (const flag of [CHILD_FLAG, LOAD_FLAG]) {
      const child = spawnSync(process.execPath, ['--expose-gc', ...entry, flag, dir, String(n)], {
        stdio: 'inherit',
      });
      if (child.status !== 0) throw new Error(`revocation bench child failed (${child.status})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Another valid hash, for the delta's additions. */
function flip(hex: string): string {
  return (hex[0] === 'f' ? '0' : 'f') + hex.slice(1);
}

function rssMiB(): string {
  (globalThis as { gc?: () => void }).gc?.();
  return `${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`;
}

async function measure(dir: string, n: number): Promise<void> {
  const checkpoint = CheckpointConfig.parse({
    checkpoint: { id: 'BENCH', district: '01-009', area: '01-009', kind: 'district-entry' },
  });
  const root = loadPublicKey(readFileSync(join(dir, 'root.pem'), 'utf8'));
  const probes = readFileSync(join(dir, 'probes.txt'), 'utf8').split('\n');
  const absent = Array.from({ length: probes.length }, () => randomBytes(32).toString('hex'));
  const baseline = rssMiB();
  const dbPath = join(dir, 'kiosk.db');
  const db = openKioskDatabase(dbPath);
  const docs = new DocumentStore(db, { root, checkpoint });
  await docs.load();

  // As an MQTT payload arrives: one Buffer.
  let payload: Buffer | null = readFileSync(join(dir, 'full.jws'));
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const t0 = performance.now();
  const applied = await docs.apply('revocations', payload, { source: 'bench', mode: 'full' });
  const applyMs = performance.now() - t0;
  stall.disable();
  if (!applied.applied) throw new Error(`bench: full list refused: ${applied.error?.en}`);
  payload = null;
  const afterApply = rssMiB();
  const peak = (process.resourceUsage().maxRSS * 1024) / MiB;
  const index = docs.current().revocations;
  if (index.size !== n) throw new Error(`bench: ${index.size} entries held, expected ${n}`);
  recordBudget(
    'revocationApply',
    `${(applyMs / 1000).toFixed(2)} s at ${n.toLocaleString('en')}`,
    applyMs <= 10_000,
  );
  recordBudget(
    'revocationPeak',
    `${peak.toFixed(0)} MiB at ${n.toLocaleString('en')}`,
    peak * 1.048576 <= 250,
  );
  console.log(
    `  apply a full list of ${n.toLocaleString('en')} (verify, parse, sort, commit):  ${(applyMs / 1000).toFixed(2)} s   (budget ≤ 10 s → ${applyMs <= 10_000 ? 'within' : 'OVER'} budget)`,
  );
  console.log(
    `    the scan thread meanwhile: longest stall ${ms(stall.max / 1e6)}, p99 ${ms(stall.percentile(99) / 1e6)} (parsing runs in a worker)`,
  );

  // The scan path's lookup, one at a time, half present and half absent.
  const samples: number[] = [];
  let hits = 0;
  for (let i = 0; i < probes.length; i++) {
    for (const h of [probes[i]!, absent[i]!]) {
      const t = process.hrtime.bigint();
      const found = docs.current().revocations.has(h);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (found) hits++;
    }
  }
  if (hits !== probes.length) throw new Error(`bench: ${hits} hits, expected ${probes.length}`);
  const s = summarise(samples);
  recordBudget('revocationLookup', `p99 ${ms(s.p99)}`, s.p99 <= 0.05);
  console.log(
    `  lookup with ${n.toLocaleString('en')} entries (${s.n.toLocaleString('en')} lookups):  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}   (budget ≤ 0.050 ms → ${s.p99 <= 0.05 ? 'within' : 'OVER'} budget)`,
  );

  for (const [version, size] of [
    [2, '+50 −50'],
    [3, '+1,000 −1,000'],
  ] as const) {
    const d0 = performance.now();
    const d = await docs.apply('revocations', readFileSync(join(dir, `delta-${version}.jws`)), {
      source: 'bench',
      mode: 'delta',
    });
    if (!d.applied) throw new Error(`bench: delta refused: ${d.error?.en}`);
    console.log(`  apply a delta (${size}) on top:  ${ms(performance.now() - d0)}`);
  }
  console.log(
    `  resident memory of this process: ${afterApply} after the apply (${baseline} before it; peak ${peak.toFixed(0)} MiB while the worker read the list; the set itself is ${((n * 32) / MiB).toFixed(0)} MiB off-heap)`,
  );
  await docs.stop();
  db.close();
}

/** A kiosk restarting: loads the held list from SQLite, with no document. */
async function load(dir: string): Promise<void> {
  const checkpoint = CheckpointConfig.parse({
    checkpoint: { id: 'BENCH', district: '01-009', area: '01-009', kind: 'district-entry' },
  });
  const root = loadPublicKey(readFileSync(join(dir, 'root.pem'), 'utf8'));
  const baseline = rssMiB();
  const t0 = performance.now();
  const db = openKioskDatabase(join(dir, 'kiosk.db'));
  const docs = new DocumentStore(db, { root, checkpoint });
  await docs.load();
  const loadMs = performance.now() - t0;
  const size = docs.current().revocations.size;
  console.log(
    `  restart: load the held list from SQLite ${ms(loadMs)} (${size.toLocaleString('en')} entries); resident memory ${rssMiB()} (${baseline} before loading)`,
  );
  await docs.stop();
  db.close();
}

if (process.argv[2] === CHILD_FLAG) await measure(process.argv[3]!, Number(process.argv[4]));
if (process.argv[2] === LOAD_FLAG) await load(process.argv[3]!);
