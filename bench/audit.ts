// The supervisor's audit at scale: a log of BENCH_PASSAGES passages (default 5 million; 8-hour shifts,
// a population of holders with Vietnamese names, plates and ID numbers, 10 % denials, overrides),
// generated once into a cached file with the real hash chain, then searched by every kind of filter,
// a shift report gathered and rendered, and the resident memory of a kiosk holding it measured, each
// in a fresh child process (audit-probe.ts) so the generation does not inflate the figures.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/base/db.js';
import { seededRandom } from '../src/base/prng.js';
import { writePrivateFile } from '../src/base/secret-file.js';
import {
  auditChainHash,
  type ChainedPassageV4,
  chainHashV4,
  GENESIS_HASH,
  newSalt,
  personalHashV3,
  sha256Hex,
} from '../src/store/chain.js';
import { IdnKey } from '../src/store/idn.js';
import { BACKFILLED_KV, KEY_CHECK_KV } from '../src/store/idn-key-file.js';
import { NAME_WORDS_FROM_INDEX_SQL } from '../src/store/migration-search.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { recordBudget } from './budgets.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SHIFT_MS = 8 * 3_600_000;
const SURNAMES = [
  'Nguyễn',
  'Nguyễn',
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Thanh', 'Hữu', 'Ngọc', 'Quang', 'Thu', 'Xuân', 'Hoàng', 'Kim'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Đức',
  'Giang',
  'Hà',
  'Hải',
  'Hằng',
  'Hiếu',
  'Hoa',
  'Hùng',
  'Hương',
  'Khánh',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Nga',
  'Ngọc',
  'Phong',
  'Phương',
  'Quân',
  'Quỳnh',
  'Sơn',
  'Tâm',
  'Thảo',
  'Thắng',
  'Trang',
  'Trung',
  'Tuấn',
  'Vân',
  'Việt',
  'Yến',
];
const REASONS = [
  'EXPIRED',
  'AREA_NOT_PERMITTED',
  'OUTSIDE_HOURS',
  'ORIGIN_HIGH_RISK',
  'REVOKED',
  'SIGNATURE_INVALID',
];
const VEHICLES = ['motorbike', 'motorbike', 'motorbike', 'car', 'truck', 'bicycle', null, null];

export interface Person {
  name: string;
  idn: string;
  plate: string | null;
  vehicle: string | null;
  cti: string;
}

/** The holders passing the checkpoint: each comes back about `passages / count` times. */
export function population(count: number, seed = 7): Person[] {
  return [...people(count, seed)];
}

/** The same holders one at a time (the probe keeps a sample only: its memory is what it measures). */
export function* people(count: number, seed = 7): Generator<Person> {
  const r = seededRandom(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  for (let i = 0; i < count; i++) {
    const vehicle = pick(VEHICLES);
    const province = 29 + Math.floor(r() * 3);
    const letter = String.fromCharCode(65 + Math.floor(r() * 12));
    const digits = String(10000 + Math.floor(r() * 90000));
    yield {
      name: `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`,
      idn: `001${String(Math.floor(r() * 1e9)).padStart(9, '0')}`,
      plate:
        vehicle && vehicle !== 'bicycle'
          ? `${province}${letter}-${digits.slice(0, 3)}.${digits.slice(3)}`
          : null,
      vehicle,
      cti: `TX-2021-${String(i).padStart(7, '0')}`,
    };
  }
}

/** Generates the log (about 2 minutes for 5 million rows on the development machine). */
function generate(path: string, passages: number, endMs: number): void {
  const tmp = `${path}.part`;
  rmSync(tmp, { force: true });
  const db = openDatabase(tmp, MIGRATIONS);
  // Generation only: no fsync per transaction, a big page cache, and the passages' secondary indexes
  // and triggers dropped during the load and re-created after it (one sorted build instead of millions
  // of random inserts). The file ends with exactly the kiosk's schema; the kiosk always runs FULL.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const deferred = db
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'passages' AND type IN ('index', 'trigger')
      AND sql IS NOT NULL`)
    .all() as { type: string; name: string; sql: string }[];
  for (const d of deferred) db.exec(`DROP ${d.type.toUpperCase()} ${d.name}`);
  const persons = population(Math.max(100, Math.floor(passages / 16)));
  const r = seededRandom(11);
  // The ID-number key beside the log, as a kiosk keeps it (src/store/idn-key-file.ts).
  const idn = IdnKey.generate();
  rmSync(auditBenchKey(path), { force: true });
  writePrivateFile(auditBenchKey(path), idn.serialise());
  db.prepare('INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, 0)').run(KEY_CHECK_KV, idn.check);
  // Every row is written with its tokens, as by a kiosk of this version: nothing for a start to backfill.
  db.prepare('INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, 0)').run(BACKFILLED_KV, '1');
  const guards = 20;
  const insertUser =
    db.prepare(`INSERT INTO users (name, display_name, role, pin_hash, created_ms, updated_ms)
    VALUES (?, ?, ?, 'scrypt$1$8$1$AA==$AA==', 0, 0)`);
  db.transaction(() => {
    for (let g = 1; g <= guards; g++) insertUser.run(`canbo${g}`, `Cán bộ ${g}`, 'guard');
    insertUser.run('giamsat', 'Đại uý Nguyễn Văn Bình', 'supervisor');
  })();
  const insertPassage =
    db.prepare(`INSERT INTO passages (id, at_ms, checkpoint_id, area, lane, direction, source,
    decision, reasons, permit_hash, iss, cti, purpose, vehicle_type, people, let_through, holder_name, id_masked,
    vehicle_plate, raw_preview, personal_salt, personal_hash, purged, prev_hash, hash, seq, chain_v, user_id,
    shift_id, idn_hmac, passengers, note, has_idn, idn_full, idn_tail, idn_mac) VALUES (@id, @at_ms,
    @checkpoint_id, @area, @lane, @direction, @source, @decision, @reasons, @permit_hash, @iss, @cti, @purpose,
    @vehicle_type, @people, @let_through, @holder_name, NULL, @vehicle_plate, NULL, @personal_salt,
    @personal_hash, 0, @prev_hash, @hash, @seq, 4, @user_id, @shift_id, NULL, 0, NULL, 1, @idn_full, @idn_tail,
    @idn_mac)`);
  const insertAudit =
    db.prepare(`INSERT INTO audit_events (id, seq, at_ms, kind, user_id, user_name, shift_id,
    passage_id, details, prev_hash, hash) VALUES (@id, @seq, @at_ms, @kind, @user_id, @user_name, @shift_id,
    @passage_id, @details, @prev_hash, @hash)`);
  const insertShift =
    db.prepare(`INSERT INTO shifts (id, user_id, lane, opened_ms, closed_ms, closed_by, handover_notes,
    close_seq, close_hash) VALUES (?, ?, '1', ?, ?, ?, ?, ?, ?)`);
  // One passage every 4.3 s on average, day and night: a busy lane, ~6,700 passages per 8-hour shift.
  const startMs = endMs - passages * 4320;
  let prev = GENESIS_HASH;
  let seq = 0;
  let auditId = 0;
  let shiftId = 0;
  let shiftEnd = 0;
  let shiftCounts = { allowed: 0, denied: 0, review: 0, overridden: 0, people: 0 };
  let at = startMs;
  const audit = (
    kind: string,
    atMs: number,
    userId: number,
    shift: number,
    passageId: number | null,
    details: object,
  ) => {
    seq++;
    auditId++;
    const row = {
      id: auditId,
      seq,
      at_ms: atMs,
      kind,
      user_id: userId,
      user_name: `Cán bộ ${userId}`,
      shift_id: shift,
      passage_id: passageId,
      details: JSON.stringify(details),
    };
    const hash = auditChainHash(prev, row);
    insertAudit.run({ ...row, prev_hash: prev, hash });
    prev = hash;
    return { seq, hash };
  };
  const closeShift = () => {
    if (shiftId === 0) return;
    const guard = ((shiftId - 1) % guards) + 1;
    const ev = audit('shift_close', shiftEnd, guard, shiftId, null, { notes: '', counts: shiftCounts });
    insertShift.run(
      shiftId,
      guard,
      shiftEnd - SHIFT_MS,
      shiftEnd,
      guard,
      'Bàn giao bình thường',
      ev.seq,
      ev.hash,
    );
  };
  const BATCH = 50_000;
  const t0 = Date.now();
  let done = 0;
  while (done < passages) {
    db.transaction(() => {
      const n = Math.min(BATCH, passages - done);
      for (let i = 0; i < n; i++) {
        const id = done + i + 1;
        at += 1 + Math.floor(r() * 8639);
        if (at >= shiftEnd) {
          closeShift();
          shiftId++;
          shiftEnd = (Math.floor(at / SHIFT_MS) + 1) * SHIFT_MS;
          shiftCounts = { allowed: 0, denied: 0, review: 0, overridden: 0, people: 0 };
          audit(
            'shift_open',
            Math.floor(at / SHIFT_MS) * SHIFT_MS,
            ((shiftId - 1) % guards) + 1,
            shiftId,
            null,
            { lane: '1' },
          );
        }
        const p = persons[Math.floor(r() * persons.length)]!;
        const roll = r();
        const decision = roll < 0.85 ? 'ALLOW' : roll < 0.95 ? 'DENY' : 'REVIEW';
        const reasons =
          decision === 'ALLOW'
            ? []
            : decision === 'DENY'
              ? [REASONS[Math.floor(r() * REASONS.length)]!]
              : ['VEHICLE_MISMATCH'];
        const guard = ((shiftId - 1) % guards) + 1;
        const personal = {
          holder_name: p.name,
          id_masked: null,
          note: null,
          vehicle_plate: p.plate,
          raw_preview: null,
          idn_hmac: null,
        };
        const full = idn.full(p.idn);
        const tail = idn.tailOfNumber(p.idn);
        const tokens = { idn_full: full, idn_tail: tail, idn_mac: idn.mac(id, full, tail) };
        const salt = newSalt();
        seq++;
        const row: ChainedPassageV4 = {
          has_idn: 1,
          id,
          seq,
          user_id: guard,
          shift_id: shiftId,
          passengers: 0,
          at_ms: at,
          checkpoint_id: 'TX-01',
          area: '01-009',
          lane: '1',
          direction: r() < 0.5 ? 'in' : 'out',
          source: 'serial',
          decision,
          reasons: JSON.stringify(reasons),
          permit_hash: sha256Hex(`01-009/${p.cti}`),
          iss: '01-009',
          cti: p.cti,
          purpose: 'work',
          vehicle_type: p.vehicle,
          people: 1,
          let_through: decision === 'ALLOW' ? 1 : 0,
          personal_hash: personalHashV3(salt, personal),
        };
        const hash = chainHashV4(prev, row);
        insertPassage.run({ ...row, ...personal, ...tokens, personal_salt: salt, prev_hash: prev, hash });
        prev = hash;
        if (decision === 'ALLOW') shiftCounts.allowed++;
        else if (decision === 'DENY') shiftCounts.denied++;
        else shiftCounts.review++;
        shiftCounts.people++;
        // One denial in fifty is let through by the guard, with a written reason.
        if (decision === 'DENY' && r() < 0.02) {
          audit('override', at + 30_000, guard, shiftId, id, {
            reason: 'Cấp cứu, đã gọi xác minh với phường',
            decision,
            reasons,
          });
          shiftCounts.overridden++;
        }
      }
      done += n;
    })();
    if (done % 500_000 === 0 || done === passages) {
      process.stdout.write(
        `\r  generating: ${done.toLocaleString('en')} / ${passages.toLocaleString('en')} passages, ${Math.round((Date.now() - t0) / 1000)} s   `,
      );
    }
  }
  closeShift();
  process.stdout.write('\n  indexing… ');
  const t1 = Date.now();
  db.transaction(() => {
    for (const d of deferred.filter((x) => x.type === 'index')) db.exec(d.sql);
    // What the dropped triggers would have written, in bulk.
    db.exec(`INSERT OR IGNORE INTO passage_reasons (reason, at_ms, passage_id)
      SELECT j.value, p.at_ms, p.id FROM passages p, json_each(p.reasons) j WHERE p.decision <> 'ALLOW'`);
    db.exec(`INSERT INTO passage_names (rowid, name) SELECT id, replace(replace(holder_name, 'đ', 'd'), 'Đ', 'D')
      FROM passages WHERE holder_name IS NOT NULL`);
    db.exec(NAME_WORDS_FROM_INDEX_SQL);
    for (const d of deferred.filter((x) => x.type === 'trigger')) db.exec(d.sql);
    // Indexed in bulk: the search index follower starts after the last passage.
    db.exec('UPDATE search_follower SET last_id = (SELECT COALESCE(MAX(id), 0) FROM passages)');
  })();
  process.stdout.write(`${Math.round((Date.now() - t1) / 1000)} s\n`);
  db.pragma('synchronous = FULL');
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, path);
  for (const ext of ['-wal', '-shm']) rmSync(`${tmp}${ext}`, { force: true });
}

/**
 * A probe bundled to one ES module beside node_modules (its packages stay external), with the report
 * and revocation workers and any other worker it starts (`workers`, names in bench/).
 */
export async function compiledProbe(name = 'audit-probe', workers: string[] = []): Promise<string | null> {
  try {
    const { build } = await import('esbuild');
    // One folder per checkout: worktrees share node_modules, and each bundles its own sources.
    const outdir = join(HERE, '..', 'node_modules', '.cache', `kiosk-bench-${sha256Hex(HERE).slice(0, 8)}`);
    mkdirSync(outdir, { recursive: true });
    // ES modules named .js, as the compiled kiosk's are: the report worker is found as ./pdf-worker.js.
    writeFileSync(join(outdir, 'package.json'), '{ "type": "module" }\n');
    await build({
      entryPoints: [
        join(HERE, `${name}.ts`),
        join(HERE, '..', 'src', 'reports', 'pdf-worker.ts'),
        join(HERE, '..', 'src', 'documents', 'revocation-worker.ts'),
        ...workers.map((w) => join(HERE, `${w}.ts`)),
      ],
      outdir,
      entryNames: '[name]',
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
      // JSON imported from packages is inlined: esbuild would drop its `with { type: 'json' }`.
      plugins: [
        {
          name: 'inline-json',
          setup(b) {
            b.onResolve({ filter: /\.json$/ }, (a) => ({ path: createRequire(a.importer).resolve(a.path) }));
          },
        },
      ],
    });
    return join(outdir, `${name}.js`);
  } catch {
    return null;
  }
}

/** The ID-number key file of a cached log. */
export function auditBenchKey(dbPath: string): string {
  return `${dbPath}.idn.key`;
}

/** Path of the cached log for this size and schema (regenerated when any migration changes). */
export function auditBenchDb(passages: number): string {
  const schema = sha256Hex(MIGRATIONS.map((m) => m.sql).join('\n')).slice(0, 10);
  return join(tmpdir(), `kiosk-bench-audit-${passages}-${schema}.db`);
}

/** The cached log of this size, generated first when there is none (its end: AUDIT_BENCH_END_MS). */
export function ensureAuditBenchDb(passages: number): string {
  const path = auditBenchDb(passages);
  if (!existsSync(path)) generate(path, passages, AUDIT_BENCH_END_MS);
  else console.log(`  using the cached log ${path}`);
  return path;
}

export const AUDIT_BENCH_END_MS = Date.UTC(2021, 8, 30, 17, 0, 0);

export async function benchAudit(passages: number): Promise<void> {
  const path = ensureAuditBenchDb(passages);
  // Searches, reports and memory in a fresh process holding the log as a kiosk does, on plain
  // JavaScript like the shipped kiosk (tsx's in-process transpiler alone adds ~35 MB of memory).
  const probe = await compiledProbe();
  const args = probe
    ? [probe, path, String(passages)]
    : ['--import', 'tsx', join(HERE, 'audit-probe.ts'), path, String(passages)];
  if (!probe) console.log('  (esbuild missing: the probe runs under tsx, memory reads ~35 MB high)');
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  process.stdout.write(out);
}

/**
 * The kiosk's memory while it makes reports over the generated log, each kind in a fresh process
 * (bench/report-probe.ts): its peak beside the floor it started from, and the budget.
 */
export async function benchReportMemory(passages: number): Promise<void> {
  const path = ensureAuditBenchDb(passages);
  const probe = await compiledProbe('report-probe', ['report-probe-worker']);
  if (!probe) {
    console.log('  (esbuild missing: report memory not measured, tsx alone would add ~35 MB)');
    return;
  }
  const results: { kind: string; floor: number; peak: number }[] = [];
  for (const kind of ['pdf', 'largest', 'csv']) {
    const out = execFileSync(process.execPath, [probe, path, kind], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = out.trimEnd().split('\n');
    results.push(JSON.parse(lines.pop()!) as { kind: string; floor: number; peak: number });
    for (const line of lines) if (line.startsWith('  ')) console.log(line);
  }
  const worst = results.reduce((a, b) => (b.peak > a.peak ? b : a));
  for (const r of results) {
    console.log(
      `    ${r.kind.padEnd(8)} peak ${r.peak.toFixed(0)} MB, floor ${r.floor.toFixed(0)} MB: ` +
        `${r.peak <= REPORT_RSS_BUDGET ? 'within' : 'OVER'} budget`,
    );
  }
  recordBudget(
    'reportMemory',
    `peak ${worst.peak.toFixed(0)} MB (${worst.kind}; floor ${worst.floor.toFixed(0)} MB)`,
    worst.peak <= REPORT_RSS_BUDGET,
  );
}

const REPORT_RSS_BUDGET = 200;
