// One million revocations through the real document store: the full list is read in a worker thread and
// written in slices, so scans (judge + committed passage) keep being served while it applies. Checked
// by interleaving: scans run back to back during the apply and see the old list until the swap.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { runningRevocationWorkers } from '../../src/documents/revocation-read.js';
import { DocumentStore } from '../../src/documents/store.js';
import { judgeScan } from '../../src/lane/judge.js';
import { openStore, type Store } from '../../src/store/store.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0, T0S, trustPayload } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const N = 1_000_000;
const root = generateKeyPair();
const rootPub = loadPublicKey(root.publicPem);
const issuer = makeIssuer();
const cp = checkpoint({}, { duplicateWindowSeconds: 0, antiPassback: 'off' });
const permitHash = (cti: string) => createHash('sha256').update(`01-009/${cti}`).digest('hex');
const oldRevoked = makePermit(issuer, { cti: 'OLD-1' });
const newRevoked = makePermit(issuer, { cti: 'NEW-1' });

let path: string;
let list: string[];
let fullJws: string;
let store: Store;
let docs: DocumentStore;

beforeAll(async () => {
  const raw = randomBytes(N * 32);
  list = Array.from({ length: N }, (_, i) => raw.toString('hex', i * 32, (i + 1) * 32));
  list[N - 1] = permitHash('NEW-1');
  fullJws = await signDocument(
    'revocations',
    { version: 2, issued: T0S, mode: 'full', add: list },
    root.privatePem,
  );
  path = tempDbPath();
  store = openStore(path, cp);
  docs = new DocumentStore(store.db, { root: rootPub, checkpoint: cp, now: () => T0 });
  await docs.load();
  await docs.apply('trust', await signDocument('trust', trustPayload([{ issuer }]), root.privatePem), {
    source: 'test',
  });
  const v1 = { version: 1, issued: T0S, mode: 'full', add: [permitHash('OLD-1')] };
  await docs.apply('revocations', await signDocument('revocations', v1, root.privatePem), { source: 'test' });
}, 120_000);

afterAll(async () => {
  await docs?.stop();
  store?.close();
  removeTempDirs();
});

function scan(text: string) {
  const j = judgeScan(
    { text, now: T0, direction: 'in' },
    {
      checkpoint: docs.current().checkpoint,
      trust: docs.current().trust ?? makeTrust([]),
      revocations: docs.current().revocations,
      history: store,
    },
  );
  store.recordPassage({
    atMs: T0,
    lane: '1',
    direction: 'in',
    source: 'api',
    decision: j.decision,
    reasons: j.reasons,
    letThrough: j.decision === 'ALLOW',
  });
  return j;
}

describe('revocations at 1,000,000 entries', () => {
  it('applies a full list while scans keep being served, then swaps at once', async () => {
    expect(scan(oldRevoked).reasons).toContain('REVOKED');
    let applying = true;
    const during: { list: 'old' | 'new'; phase: 'before' | 'worker' | 'after' }[] = [];
    let phase: 'before' | 'worker' | 'after' = 'before';
    const pending = docs
      .apply('revocations', Buffer.from(fullJws), { source: 'test', mode: 'full' })
      .finally(() => {
        applying = false;
      });
    // Back-to-back scans, each a macrotask, as serial scans arrive: they are served only if the apply yields.
    while (applying) {
      if (runningRevocationWorkers() > 0) phase = 'worker';
      else if (phase === 'worker') phase = 'after';
      const j = scan(oldRevoked);
      during.push({ list: j.reasons.includes('REVOKED') ? 'old' : 'new', phase });
      await new Promise((r) => setImmediate(r));
    }
    const result = await pending;
    expect(result).toEqual({ typ: 'vnp-revocations+jws', version: 2, applied: true });
    // Scans were served in every phase: while the document was hashed (before), read in the worker, and
    // written to SQLite in slices (after); every one saw a whole list. Hashing and writing yield once per
    // slice, so their counts are fixed; how many fit while the worker reads depends on the machine.
    const count = (p: string) => during.filter((d) => d.phase === p).length;
    expect(count('before')).toBeGreaterThanOrEqual(5);
    expect(count('worker')).toBeGreaterThanOrEqual(1);
    expect(count('after')).toBeGreaterThanOrEqual(5);
    // One swap: the old list until the commit, the new one after it (the old generation is then dropped
    // from disk in slices while scans go on).
    const firstNew = during.findIndex((d) => d.list === 'new');
    expect(during.slice(0, firstNew < 0 ? during.length : firstNew).every((d) => d.list === 'old')).toBe(
      true,
    );
    if (firstNew >= 0)
      expect(during.slice(firstNew).every((d) => d.list === 'new' && d.phase === 'after')).toBe(true);
    console.log(
      `scans served during the apply of ${N} revocations: ${during.length} (${count('before')} hashing, ${count('worker')} reading, ${count('after')} writing)`,
    );

    expect(scan(oldRevoked).reasons).not.toContain('REVOKED');
    expect(scan(newRevoked)).toMatchObject({ decision: 'DENY', reasons: ['REVOKED'] });
    const index = docs.current().revocations;
    expect(index.size).toBe(N);
    for (let i = 0; i < N; i += 997) expect(index.has(list[i]!)).toBe(true);
    for (const h of Array.from({ length: 1000 }, () => randomBytes(32).toString('hex'))) {
      expect(index.has(h)).toBe(false);
    }
  }, 120_000);

  it('a delta on top rewrites a few buckets; a restart loads the million without the document', async () => {
    const delta = {
      version: 3,
      issued: T0S,
      mode: 'delta',
      base: 2,
      add: [permitHash('OLD-1')],
      remove: [permitHash('NEW-1'), list[0]],
    };
    const r = await docs.apply('revocations', await signDocument('revocations', delta, root.privatePem), {
      source: 'test',
    });
    expect(r.applied).toBe(true);
    expect(docs.current().revocations.size).toBe(N - 1);
    await docs.stop();
    store.close();

    store = openStore(path, cp);
    docs = new DocumentStore(store.db, { root: rootPub, checkpoint: cp, now: () => T0 });
    await docs.load();
    const index = docs.current().revocations;
    expect(index.size).toBe(N - 1);
    expect([index.has(permitHash('OLD-1')), index.has(permitHash('NEW-1')), index.has(list[0]!)]).toEqual([
      true,
      false,
      false,
    ]);
    for (let i = 1; i < N - 1; i += 1009) expect(index.has(list[i]!)).toBe(true);
    // One generation on disk: the replaced one was dropped.
    const gens = store.db.prepare('SELECT count(DISTINCT generation) AS n FROM revocation_buckets').get();
    expect(gens).toEqual({ n: 1 });
  }, 120_000);
});
