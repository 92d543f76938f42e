// The full scan path of the guard's lane, with everything the policy looks up: a revocation list, a
// zone map of every Hà Nội district and ward, a curfew, and anti-passback and duplicates looked up in
// a large recorded history. Beside its floor (one ES256 verify + one committed insert, same run) and
// the look-ups alone, so the cost of the policy and the history is visible.

import { createPublicKey, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CheckpointConfig } from '../src/contract/checkpoint.js';
import { signDocument } from '../src/contract/document-jws.js';
import areas from '../src/contract/hanoi-areas-2021.json' with { type: 'json' };
import { generateKeyPair, loadPublicKey } from '../src/contract/keys.js';
import { buildTrustList } from '../src/documents/trust-list.js';
import { permitHash } from '../src/formats/vnp1.js';
import { issuePermit } from '../src/formats/vnp1-issue.js';
import { Kiosk } from '../src/kiosk.js';
import { onDuty } from '../test/fixtures/duty.js';
import { benchPermitClaims, benchTrustPayload } from './fixtures.js';
import { ms, summarise } from './stats.js';

const LEVELS = ['red', 'orange', 'yellow', 'green'] as const;
const elapsed = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export interface ScanPathOptions {
  scans: number;
  /** Passages already in the log before the bench scans (anti-passback and duplicate look-ups). */
  history: number;
  /** Entries of the revocation list held. */
  revocations: number;
}

export async function benchScanPath(o: ScanPathOptions): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-lane-bench-'));
  try {
    const root = generateKeyPair();
    const issuer = generateKeyPair();
    const pub = loadPublicKey(issuer.publicPem);
    const nowS = Math.floor(Date.now() / 1000);
    const trustPayload = benchTrustPayload(pub, nowS, nowS - 3600);
    const checkpoint = CheckpointConfig.parse({
      checkpoint: { id: 'LANE', district: '01-009', area: '01-009', kind: 'district-entry' },
      // A curfew that is not in force now (the bench measures look-ups, not refusals).
      policy: { curfew: ['02:00', '02:01'], antiPassback: 'review', duplicateWindowSeconds: 30 },
    });

    // Permits scanned: half of them have a history at this checkpoint; homes spread over every ward.
    const wards = areas.districts.flatMap((d) => d.wards.map((w) => w.code));
    process.stdout.write(`  issuing ${o.scans} permits… `);
    const scanned = Array.from({ length: o.scans }, (_, i) => ({
      cti: i % 2 === 0 ? `H-${(i / 2) % Math.max(1, Math.floor(o.history / 4))}` : `N-${i}`,
      home: wards[i % wards.length] ?? '01-009',
    }));
    // A cti may come twice from the history half: keep each once, so no scan is a duplicate.
    const unique = [...new Map(scanned.map((s) => [s.cti, s])).values()];
    const texts = unique.map((s) =>
      issuePermit(
        benchPermitClaims(s.cti, nowS, { home: s.home, veh: { plate: '29A-123.45', type: 'car' } }),
        issuer.privatePem,
      ),
    );
    console.log('done');

    const kiosk = new Kiosk({
      checkpoint,
      root: loadPublicKey(root.publicPem),
      trust: buildTrustList(trustPayload),
      trustFile: { jws: await signDocument('trust', trustPayload, root.privatePem), path: 'bench' },
      database: join(dir, 'kiosk.db'),
      serial: null,
      mqtt: null,
      http: false,
    });
    await kiosk.start();
    await onDuty(kiosk);
    const documents = kiosk.currentDocuments();
    const store = kiosk.currentStore();
    if (!documents || !store) throw new Error('bench: kiosk parts missing');

    process.stdout.write(`  documents: ${o.revocations} revocations, ${wards.length + 30} zones… `);
    const revoked = Array.from({ length: o.revocations }, () => randomBytes(32).toString('hex'));
    // Every 50th scanned permit is revoked: the look-up finds real entries too.
    for (let i = 0; i < unique.length; i += 50) revoked.push(permitHash('01-009', unique[i]?.cti ?? ''));
    const rev = await documents.apply(
      'revocations',
      await signDocument(
        'revocations',
        { version: 1, issued: nowS - 60, mode: 'full', add: revoked },
        root.privatePem,
      ),
      { source: 'bench', mode: 'full' },
    );
    const zoneMap: Record<string, string> = {};
    for (const d of areas.districts) zoneMap[d.code] = LEVELS[d.code.length % 4] ?? 'green';
    wards.forEach((w, i) => {
      zoneMap[w] = LEVELS[i % 4] ?? 'green';
    });
    const zones = await documents.apply(
      'zones',
      await signDocument(
        'zones',
        { version: 1, issued: nowS - 60, default: 'green', zones: zoneMap },
        root.privatePem,
      ),
      { source: 'bench' },
    );
    if (!rev.applied || !zones.applied)
      throw new Error(`bench: documents refused ${JSON.stringify([rev, zones])}`);
    console.log('applied');

    // The history, written in one transaction with the log's own columns (hashes are not checked here).
    process.stdout.write(`  history: ${o.history} passages… `);
    const t0 = process.hrtime.bigint();
    const db = store.db;
    db.pragma('synchronous = OFF');
    const head = db
      .prepare(
        'SELECT max(s) AS s FROM (SELECT max(seq) AS s FROM passages UNION ALL SELECT max(seq) FROM audit_events)',
      )
      .get() as { s: number | null };
    const firstId =
      ((db.prepare('SELECT max(id) AS m FROM passages').get() as { m: number | null }).m ?? 0) + 1;
    const insert =
      db.prepare(`INSERT INTO passages (id, seq, chain_v, at_ms, checkpoint_id, area, lane, direction,
      source, decision, reasons, permit_hash, iss, cti, purpose, vehicle_type, people, let_through, personal_salt,
      personal_hash, prev_hash, hash) VALUES (?, ?, 3, ?, 'LANE', '01-009', '1', ?, 'serial', 'ALLOW', '[]', ?,
      '01-009', ?, 'work', 'car', 1, 1, 'x', 'x', ?, ?)`);
    const historyPermits = Math.max(1, Math.floor(o.history / 4));
    // Within anti-passback's memory (antiPassbackHours, 24 by default): older passages no longer count.
    const start = Date.now() - 20 * 3_600_000;
    db.transaction(() => {
      let prev = '0'.repeat(64);
      for (let i = 0; i < o.history; i++) {
        const cti = `H-${i % historyPermits}`;
        const hash = randomBytes(32).toString('hex');
        // Each history permit goes in and out in turn; half of them are last seen going in, so the
        // scan finds them ALREADY_INSIDE.
        const round = Math.floor(i / historyPermits) + ((i % historyPermits) % 2);
        const direction = round % 2 === 0 ? 'in' : 'out';
        const at = start + Math.floor((i / o.history) * 19 * 3_600_000);
        insert.run(
          firstId + i,
          (head.s ?? 0) + 1 + i,
          at,
          direction,
          permitHash('01-009', cti),
          cti,
          prev,
          hash,
        );
        prev = hash;
      }
      // History written in bulk, as if indexed: the search index follower starts after it.
      db.exec('UPDATE search_follower SET last_id = (SELECT COALESCE(MAX(id), 0) FROM passages)');
    })();
    db.pragma('synchronous = FULL');
    console.log(`${(elapsed(t0) / 1000).toFixed(1)} s`);

    // The look-ups of one scan alone: duplicates, anti-passback, revocation, home zone.
    const snap = documents.current();
    const lookups: number[] = [];
    for (let i = 0; i < Math.min(5000, unique.length); i++) {
      const h = permitHash('01-009', unique[i]?.cti ?? '');
      const l0 = process.hrtime.bigint();
      store.recentVerdict(h, Date.now() - 30_000);
      store.lastLetThrough(h, '01-009', Date.now() - 86_400_000);
      snap.revocations.has(h);
      snap.zones?.levelOf(unique[i]?.home ?? '01');
      lookups.push(elapsed(l0));
    }

    const samples: number[] = [];
    const decisions = { ALLOW: 0, DENY: 0, REVIEW: 0 };
    for (const [i, text] of texts.entries()) {
      const s0 = process.hrtime.bigint();
      const v = kiosk.scan(text, 'serial', { direction: i % 7 === 0 ? 'out' : 'in' });
      samples.push(elapsed(s0));
      if (v.kind !== 'passage') throw new Error(`bench: a scan was not recorded: ${v.kind}`);
      decisions[v.decision]++;
    }
    await kiosk.stop();
    if (decisions.ALLOW === 0 || decisions.DENY === 0 || decisions.REVIEW === 0) {
      throw new Error(`bench: expected every decision, got ${JSON.stringify(decisions)}`);
    }

    const floor = measureFloor(join(dir, 'floor.db'), Math.min(5000, texts.length));
    const k = summarise(samples);
    const l = summarise(lookups);
    console.log(
      `  full scan path (${k.n} scans: ${decisions.ALLOW} ALLOW, ${decisions.REVIEW} REVIEW, ${decisions.DENY} DENY):  p50 ${ms(k.p50)}  p99 ${ms(k.p99)}`,
    );
    console.log(
      `    of which the policy's look-ups (duplicate, anti-passback, revocation, zone):  p50 ${ms(l.p50)}  p99 ${ms(l.p99)}`,
    );
    console.log(`  floor: ES256 verify + committed insert:  p50 ${ms(floor.p50)}  p99 ${ms(floor.p99)}`);
    console.log(`  budget: p99 ≤ 5 ms  →  ${k.p99 <= 5 ? 'within' : 'OVER'} budget`);
    return { laneP50: ms(k.p50), laneP99: ms(k.p99), lookupP99: ms(l.p99), floorP99: ms(floor.p99) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function measureFloor(file: string, n: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.alloc(300, 7);
  const sig = createSign('sha256').update(data).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
  const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER, payload TEXT)');
  const insert = db.prepare('INSERT INTO t (at, payload) VALUES (?, ?)');
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    if (!createVerify('sha256').update(data).verify({ key, dsaEncoding: 'ieee-p1363' }, sig))
      throw new Error('floor');
    insert.run(Date.now(), 'x'.repeat(200));
    samples.push(elapsed(t0));
  }
  db.close();
  return summarise(samples);
}
