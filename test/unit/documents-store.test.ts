import { CompactSign } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/base/db.js';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPrivateKey, loadPublicKey } from '../../src/contract/keys.js';
import { runningRevocationWorkers } from '../../src/documents/revocation-read.js';
import { DocumentStore } from '../../src/documents/store.js';
import { openKioskDatabase } from '../../src/store/store.js';
import { checkpoint, makeIssuer, T0, T0S, trustPayload } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const root = generateKeyPair();
const rootPub = loadPublicKey(root.publicPem);
const other = generateKeyPair();
const issuer = makeIssuer();
const cp = checkpoint({}, { duplicateWindowSeconds: 30 });
const hex = (n: number) => n.toString(16).padStart(64, '0');

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  removeTempDirs();
});

async function openDocs(
  path = tempDbPath(),
  over: { root?: typeof rootPub; maxBytes?: number; kioskId?: string } = {},
) {
  const db = openKioskDatabase(path);
  opened.push(db);
  const docs = new DocumentStore(db, { root: over.root ?? rootPub, checkpoint: cp, now: () => T0, ...over });
  await docs.load();
  return { db, docs, path };
}

const sign = (kind: Parameters<typeof signDocument>[0], payload: unknown, key = root.privatePem) =>
  signDocument(kind, payload, key);
const zones = (version: number, z: Record<string, string>, issued = T0S - 60) =>
  sign('zones', { version, issued, default: 'green', zones: z });
const revs = (version: number, mode: 'full' | 'delta', add: string[], remove: string[] = [], base?: number) =>
  sign('revocations', {
    version,
    issued: T0S - 60,
    mode,
    ...(base === undefined ? {} : { base }),
    add,
    remove,
  });
const config = (version: number, target: string, policy: Record<string, unknown>) =>
  sign('config', { version, issued: T0S - 60, checkpoint: target, policy });
const src = { source: 'test' };

function logCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM document_log').get() as { n: number }).n;
}

describe('document store: applying', () => {
  it('applies each kind, and the snapshot a scan reads changes at once', async () => {
    const { docs } = await openDocs();
    const before = docs.current();
    expect(before.trust).toBeNull();
    expect(before.newestIssuedMs).toBeNull();

    const t = await docs.apply('trust', await sign('trust', trustPayload([{ issuer }], 4)), src);
    expect(t).toEqual({ typ: 'vnp-trust+jws', version: 4, applied: true });
    expect(docs.current().trust?.issuers.has(issuer.kid.toString('base64'))).toBe(true);

    await docs.apply('zones', await zones(1, { '01-009-00343': 'red' }), src);
    expect(docs.current().zones?.levelOf('01-009-00343')).toBe('red');

    await docs.apply('revocations', await revs(1, 'full', [hex(1), hex(2)]), src);
    expect(docs.current().revocations.has(hex(1))).toBe(true);
    expect(docs.current().revocations.has(hex(3))).toBe(false);

    const c = await docs.apply('config', await config(1, '*', { antiPassback: 'deny' }), src);
    expect(c.applied).toBe(true);
    expect(docs.current().checkpoint.policy.antiPassback).toBe('deny');
    expect(docs.current().newestIssuedMs).toBe((T0S - 60) * 1000);
    expect(before.trust).toBeNull(); // an old snapshot is never changed in place
    expect(docs.log(10).map((e) => e.applied)).toEqual([true, true, true, true]);
  });

  it('versions only move forward: equal and older versions are refused STALE and logged', async () => {
    const { docs, db } = await openDocs();
    await docs.apply('zones', await zones(5, { '01-009': 'red' }), src);
    for (const v of [5, 4, 0]) {
      const r = await docs.apply('zones', await zones(v, { '01-009': 'green' }), { source: 'mqtt:x' });
      expect(r).toMatchObject({ applied: false, version: v, error: { code: 'STALE' } });
      expect(r.error?.vi).toMatch(/không mới hơn/);
      expect(r.error?.en).toMatch(/not newer/);
    }
    expect(docs.current().zones?.levelOf('01-009')).toBe('red');
    expect(docs.current().zones?.version).toBe(5);
    const [last] = docs.log(1);
    expect(last).toMatchObject({ source: 'mqtt:x', typ: 'vnp-zones+jws', version: 0, applied: false });
    expect(last?.error?.code).toBe('STALE');
    expect(logCount(db)).toBe(4);
  });

  it('forged, malformed, wrong-type, non-UTF-8 and oversized documents change nothing and are logged', async () => {
    const { docs, db } = await openDocs(undefined, { maxBytes: 4096 });
    await docs.apply('zones', await zones(1, { '01-009': 'yellow' }), src);
    const held = docs.current();
    const good = await zones(2, { '01-009': 'red' });
    const [h, p, s] = good.split('.') as [string, string, string];
    const notJson = await new CompactSign(new TextEncoder().encode('{oops'))
      .setProtectedHeader({ alg: 'ES256', typ: 'vnp-zones+jws' })
      .sign(loadPrivateKey(root.privatePem));
    const badSchema = await sign('zones', { version: 3, issued: 1, zones: { '01-009': 'purple' } });
    // Header and signature of another root-signed document around this payload: a tampered document.
    const [h2, , s2] = (await zones(2, {}, T0S)).split('.') as [string, string, string];
    const cases: [string | Uint8Array, string, number | null][] = [
      [`${h2}.${p}.${s2}`, 'SIGNATURE_INVALID', 2],
      [await sign('zones', { version: 2, issued: 1, zones: {} }, other.privatePem), 'SIGNATURE_INVALID', 2],
      [`${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`, 'SIGNATURE_INVALID', 2],
      [`${h}.${p}`, 'MALFORMED', null],
      ['garbage', 'MALFORMED', null],
      [notJson, 'MALFORMED', null],
      [badSchema, 'MALFORMED', 3],
      [await sign('trust', trustPayload([{ issuer }], 9)), 'WRONG_TYPE', 9],
      [Uint8Array.from([0xff, 0xfe, 0x41]), 'NOT_UTF8', null],
      ['x'.repeat(5000), 'TOO_LARGE', null],
    ];
    for (const [raw, code, version] of cases) {
      const r = await docs.apply('zones', raw, src);
      expect(r.applied, code).toBe(false);
      expect(r.error?.code, String(raw).slice(0, 40)).toBe(code);
      expect(r.version).toBe(version);
      expect(r.error?.vi.length).toBeGreaterThan(10);
      expect(r.error?.en.length).toBeGreaterThan(10);
      expect(docs.current()).toBe(held);
    }
    expect(logCount(db)).toBe(1 + cases.length);
    expect(docs.log(100).filter((e) => !e.applied)).toHaveLength(cases.length);
  });

  it('a delta applies only on its base; otherwise a full list is asked for and nothing changes', async () => {
    const { docs } = await openDocs();
    const noBase = await docs.apply('revocations', await revs(2, 'delta', [hex(9)], [], 1), src);
    expect(noBase.error?.code).toBe('FULL_LIST_NEEDED');
    expect(noBase.error?.en).toMatch(/full revocation list is needed/);

    await docs.apply('revocations', await revs(1, 'full', [hex(1), hex(2)]), src);
    const wrong = await docs.apply('revocations', await revs(3, 'delta', [hex(9)], [], 2), src);
    expect(wrong).toMatchObject({ applied: false, version: 3, error: { code: 'FULL_LIST_NEEDED' } });
    expect(docs.current().revocations.has(hex(9))).toBe(false);

    const ok = await docs.apply('revocations', await revs(2, 'delta', [hex(9)], [hex(1)], 1), src);
    expect(ok.applied).toBe(true);
    const r = docs.current().revocations;
    expect([r.has(hex(1)), r.has(hex(2)), r.has(hex(9)), r.size]).toEqual([false, true, true, 2]);
  });

  it('a revocation list on the topic of the other mode is refused WRONG_TOPIC', async () => {
    const { docs } = await openDocs();
    const r = await docs.apply('revocations', await revs(1, 'full', [hex(1)]), {
      source: 't',
      mode: 'delta',
    });
    expect(r.error?.code).toBe('WRONG_TOPIC');
    expect(docs.current().revocations.size).toBe(0);
  });

  it('configs: `*` then this checkpoint, each with its own versions; others are refused', async () => {
    const { docs } = await openDocs();
    await docs.apply(
      'config',
      await config(7, '*', { antiPassback: 'deny', duplicateWindowSeconds: 5 }),
      src,
    );
    await docs.apply('config', await config(2, 'TX-01', { antiPassback: 'off' }), src);
    let policy = docs.current().checkpoint.policy;
    expect([policy.antiPassback, policy.duplicateWindowSeconds, policy.notBeforeToleranceSeconds]).toEqual([
      'off',
      5,
      300,
    ]);
    const other = await docs.apply('config', await config(9, 'TX-02', { antiPassback: 'deny' }), src);
    expect(other.error?.code).toBe('NOT_THIS_CHECKPOINT');
    const older = await docs.apply('config', await config(6, '*', { curfew: ['22:00', '05:00'] }), src);
    expect(older.error?.code).toBe('STALE');
    const bad = await docs.apply('config', await config(8, '*', { antiPassback: 'sometimes' }), src);
    expect(bad.error?.code).toBe('MALFORMED');
    policy = docs.current().checkpoint.policy;
    expect(policy.curfew).toBeNull();
    expect(docs.current().checkpoint.checkpoint).toEqual(cp.checkpoint);
  });

  it('configs by topic level: district, then checkpoint, then this kiosk, the most specific winning', async () => {
    const { docs } = await openDocs(tempDbPath(), { kioskId: 'L2' });
    const at = (level: 'district' | 'checkpoint' | 'kiosk') => ({ source: `mqtt:${level}`, level });
    await docs.apply(
      'config',
      await config(1, '*', { antiPassback: 'deny', duplicateWindowSeconds: 5 }),
      at('district'),
    );
    await docs.apply('config', await config(1, 'TX-01', { duplicateWindowSeconds: 10 }), at('checkpoint'));
    await docs.apply('config', await config(1, 'TX-01', { antiPassback: 'off' }), at('kiosk'));
    const policy = docs.current().checkpoint.policy;
    expect([policy.antiPassback, policy.duplicateWindowSeconds]).toEqual(['off', 10]);
    // A config naming one checkpoint on the district's topic, or `*` on a checkpoint's, is refused.
    const wrong = await docs.apply('config', await config(2, 'TX-01', {}), at('district'));
    expect(wrong.error?.code).toBe('NOT_THIS_CHECKPOINT');
    const star = await docs.apply('config', await config(2, '*', {}), at('kiosk'));
    expect(star.error?.code).toBe('NOT_THIS_CHECKPOINT');
    expect(
      docs
        .heldDocuments()
        .map((d) => d.slot)
        .filter((s) => s.startsWith('config')),
    ).toEqual(['config:*', 'config:TX-01', 'config:TX-01/L2']);
  });

  it('a byte-identical copy of a held document is neither logged nor refused', async () => {
    const { docs, db } = await openDocs();
    const full = await revs(1, 'full', [hex(1)]);
    await docs.apply('revocations', full, src);
    await docs.apply('revocations', await revs(2, 'delta', [hex(2)], [], 1), src);
    const n = logCount(db);
    // The retained full list comes again at every reconnect, after the deltas applied on it.
    expect(await docs.apply('revocations', Buffer.from(full), src)).toEqual({
      typ: 'vnp-revocations+jws',
      version: 2,
      applied: false,
      unchanged: true,
    });
    expect(logCount(db)).toBe(n);
  });

  it('an apply is atomic: a failure inside the transaction leaves nothing behind', async () => {
    const { docs, path, db } = await openDocs();
    await docs.apply('zones', await zones(1, { '01-009': 'yellow' }), src);
    const r = await docs.apply('zones', await zones(2, { '01-009': 'red' }), {
      source: 'test',
      onDecided: (d) => {
        if (d.applied) throw new Error('disk full');
      },
    });
    expect(r).toMatchObject({ applied: false, error: { code: 'STORE_FAILED' } });
    expect(docs.current().zones?.version).toBe(1);
    db.close();
    const again = await openDocs(path);
    expect(again.docs.current().zones?.levelOf('01-009')).toBe('yellow');
  });
});

describe('document store: persistence', () => {
  it('what was applied is there after a reopen, without the documents again', async () => {
    const first = await openDocs();
    await first.docs.apply('trust', await sign('trust', trustPayload([{ issuer }], 3)), src);
    await first.docs.apply('zones', await zones(2, { '01-009-00343': 'orange' }), src);
    await first.docs.apply('revocations', await revs(4, 'full', [hex(1), hex(300)]), src);
    await first.docs.apply('revocations', await revs(5, 'delta', [hex(2)], [hex(1)], 4), src);
    await first.docs.apply('config', await config(1, 'TX-01', { duplicateWindowSeconds: 0 }), src);
    first.db.close();

    const { docs } = await openDocs(first.path);
    const s = docs.current();
    expect(s.trust?.version).toBe(3);
    expect(s.zones?.levelOf('01-009-00343')).toBe('orange');
    expect([s.revocations.has(hex(1)), s.revocations.has(hex(2)), s.revocations.has(hex(300))]).toEqual([
      false,
      true,
      true,
    ]);
    expect(s.checkpoint.policy.duplicateWindowSeconds).toBe(0);
    expect(docs.heldDocuments().map((d) => [d.slot, d.version])).toEqual([
      ['config:TX-01', 1],
      ['revocations', 5],
      ['trust', 3],
      ['zones', 2],
    ]);
    // Versions keep moving forward across the restart.
    expect((await docs.apply('zones', await zones(2, {}), src)).error?.code).toBe('STALE');
  });

  it('stored documents that no longer verify (another root key pinned) are dropped, and the drop logged', async () => {
    const first = await openDocs();
    await first.docs.apply('zones', await zones(2, { '01-009': 'red' }), src);
    first.db.close();
    const { docs } = await openDocs(first.path, { root: loadPublicKey(other.publicPem) });
    expect(docs.current().zones).toBeNull();
    expect(docs.log(1)[0]).toMatchObject({
      source: 'store',
      applied: false,
      error: { code: 'SIGNATURE_INVALID' },
    });
    expect(docs.heldDocuments()).toEqual([]);
  });

  it('damaged revocation buckets are not trusted', async () => {
    const first = await openDocs();
    await first.docs.apply('revocations', await revs(1, 'full', [hex(1), `ff${hex(2).slice(2)}`]), src);
    first.db.prepare("UPDATE revocation_buckets SET data = x'0102' WHERE bucket = 0").run();
    first.db.close();
    const { docs } = await openDocs(first.path);
    expect(docs.current().revocations.size).toBe(0);
    expect(docs.log(1)[0]?.error?.code).toBe('STORE_FAILED');
    // The list can be sent again from scratch.
    expect((await docs.apply('revocations', await revs(1, 'full', [hex(1)]), src)).applied).toBe(true);
  });
});

describe('document store: large revocation lists', () => {
  it('are read in a worker thread; one that exceeds its memory cap is refused and the kiosk goes on', async () => {
    const list = Array.from({ length: 40_000 }, (_, i) => hex(i + 1));
    const jws = await revs(1, 'full', list);
    const db = openKioskDatabase(tempDbPath());
    opened.push(db);
    const small = new DocumentStore(db, {
      root: rootPub,
      checkpoint: cp,
      offThreadBytes: 1024,
      workerHeapMb: 8,
    });
    await small.load();
    const refused = await small.apply('revocations', jws, src);
    expect(refused).toMatchObject({ applied: false, version: null, error: { code: 'TOO_LARGE' } });
    expect(small.current().revocations.size).toBe(0);

    const roomy = new DocumentStore(db, { root: rootPub, checkpoint: cp, offThreadBytes: 1024 });
    await roomy.load();
    expect(await roomy.apply('revocations', jws, src)).toMatchObject({ applied: true, version: 1 });
    expect(roomy.current().revocations.has(hex(40_000))).toBe(true);
    // The worker refuses what the main thread would: a forged list.
    const forged = await sign(
      'revocations',
      { version: 2, issued: 1, mode: 'full', add: list },
      other.privatePem,
    );
    expect((await roomy.apply('revocations', forged, src)).error?.code).toBe('SIGNATURE_INVALID');
  });

  it('a stop while a list is being read ends the worker; nothing changes, and a restart is clean', async () => {
    const path = tempDbPath();
    const db = openKioskDatabase(path);
    opened.push(db);
    const docs = new DocumentStore(db, { root: rootPub, checkpoint: cp, offThreadBytes: 1024 });
    await docs.load();
    await docs.apply('revocations', await revs(1, 'full', [hex(1)]), src);
    const pending = docs.apply(
      'revocations',
      await revs(
        2,
        'full',
        Array.from({ length: 40_000 }, (_, i) => hex(i + 2)),
      ),
      src,
    );
    for (let i = 0; i < 2000 && runningRevocationWorkers() === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(runningRevocationWorkers()).toBe(1);
    await docs.stop();
    expect(await pending).toMatchObject({ applied: false });
    expect(runningRevocationWorkers()).toBe(0);
    db.close();
    const again = await openDocs(path);
    expect(again.docs.heldDocuments().map((d) => [d.slot, d.version])).toEqual([['revocations', 1]]);
    expect(again.docs.current().revocations.has(hex(1))).toBe(true);
  });
});
