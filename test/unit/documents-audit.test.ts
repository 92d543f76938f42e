// Audit or nothing (DESIGN.md "Threat model"): a signed document whose audit record or ack cannot be
// written does not take effect: no snapshot change, no held row, no log row, no ack, on a real SQLite
// log whose writes are made to fail by a trigger. The downlink tries such a message again (timers on a
// clock the test moves) and reports the fault until a decision is recorded.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/contract/api.js';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { DocumentStore } from '../../src/documents/store.js';
import { verifyLogSync } from '../../src/store/chain-log.js';
import { openStore, type Store } from '../../src/store/store.js';
import { ackFor, Downlink } from '../../src/uplink/downlink.js';
import { FakeClock } from '../fixtures/clock.js';
import { checkpoint, T0, T0S } from '../fixtures/permits.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const root = generateKeyPair();
const cp = checkpoint();
const ZONES = 'ckpt/v2/all/zones';
const zones = (version: number, level = 'red') =>
  signDocument(
    'zones',
    { version, issued: T0S - 60, default: 'green', zones: { '01-009': level } },
    root.privatePem,
  );

const FAIL_AUDIT = `CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.kind = 'document'
  BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END`;
const FAIL_ACK = `CREATE TRIGGER fail_ack BEFORE INSERT ON outbox
  BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END`;

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
  removeTempDirs();
});

async function open(path = tempDbPath()) {
  const store = openStore(path, cp);
  stores.push(store);
  const docs = new DocumentStore(store.db, {
    root: loadPublicKey(root.publicPem),
    checkpoint: cp,
    now: () => T0,
    audit: (e) => store.chain.append(e),
  });
  await docs.load();
  const told: number[] = [];
  store.onOutbox(() => told.push(store.outboxCount()));
  return { store, docs, path, told };
}

const count = (store: Store, table: string) =>
  (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const documentEvents = (store: Store) =>
  (store.db.prepare(`SELECT count(*) AS n FROM audit_events WHERE kind = 'document'`).get() as { n: number })
    .n;

describe('document store: audit or nothing', () => {
  it('a change whose audit record cannot be written is not applied, logged or acked, not even after a restart', async () => {
    const { store, docs, path, told } = await open();
    await docs.apply('zones', await zones(1, 'yellow'), { source: 'test' });
    const before = docs.current();
    const logged = count(store, 'document_log');
    store.db.exec(FAIL_AUDIT);
    const r = await docs.apply('zones', await zones(2), {
      source: 'mqtt:x',
      onDecided: (d) => store.enqueue('ack', ackFor(d, Date.now())),
    });
    expect(r).toMatchObject({
      applied: false,
      error: { code: 'AUDIT_FAILED' },
      unrecorded: { code: 'AUDIT_FAILED' },
    });
    expect(r.error?.vi).toMatch(/nhật ký kiểm toán/);
    expect(r.error?.en).toMatch(/audit record could not be written/);
    expect(docs.current()).toBe(before);
    expect(docs.current().zones?.levelOf('01-009')).toBe('yellow');
    expect(count(store, 'document_log')).toBe(logged);
    expect(count(store, 'outbox')).toBe(0);
    await Promise.resolve();
    expect(told).toEqual([]);
    store.close();

    const again = await open(path);
    expect(again.docs.current().zones?.version).toBe(1);
    expect(again.docs.heldDocuments().find((d) => d.slot === 'zones')?.version).toBe(1);
    expect(verifyLogSync(again.store.db).ok).toBe(true);
  });

  it('every kind, a revocation list included, is held back the same way; once the audit writes, it applies', async () => {
    const { store, docs } = await open();
    store.db.exec(FAIL_AUDIT);
    const cases = [
      ['trust', await signDocument('trust', { version: 3, issued: T0S - 60, issuers: [] }, root.privatePem)],
      ['zones', await zones(1)],
      [
        'revocations',
        await signDocument(
          'revocations',
          { version: 1, issued: T0S - 60, mode: 'full', add: ['ab'.repeat(32)] },
          root.privatePem,
        ),
      ],
      [
        'config',
        await signDocument(
          'config',
          { version: 1, issued: T0S - 60, checkpoint: '*', policy: { antiPassback: 'deny' } },
          root.privatePem,
        ),
      ],
    ] as const;
    for (const [kind, jws] of cases) {
      expect((await docs.apply(kind, jws, { source: 'test' })).applied, kind).toBe(false);
    }
    const s = docs.current();
    expect([s.trust, s.zones, s.revocations.size, s.checkpoint.policy.antiPassback]).toEqual([
      null,
      null,
      0,
      cp.policy.antiPassback,
    ]);
    expect(docs.heldDocuments()).toEqual([]);
    expect(documentEvents(store)).toBe(0);

    store.db.exec('DROP TRIGGER fail_audit');
    for (const [kind, jws] of cases) {
      expect((await docs.apply(kind, jws, { source: 'test' })).applied, kind).toBe(true);
    }
    expect(docs.current().revocations.has('ab'.repeat(32))).toBe(true);
    expect(documentEvents(store)).toBe(cases.length);
  });

  it('a refusal that cannot be audited is not logged or acked either, and says so', async () => {
    const { store, docs } = await open();
    store.db.exec(FAIL_AUDIT);
    const r = await docs.apply('zones', 'garbage', {
      source: 'test',
      onDecided: (d) => store.enqueue('ack', ackFor(d, Date.now())),
    });
    expect(r).toMatchObject({
      applied: false,
      error: { code: 'MALFORMED' },
      unrecorded: { code: 'AUDIT_FAILED' },
    });
    expect(count(store, 'document_log')).toBe(0);
    expect(count(store, 'outbox')).toBe(0);
  });

  it('a stored document that no longer verifies, whose drop cannot be audited, is not used and stays for the next start', async () => {
    const first = await open();
    await first.docs.apply('zones', await zones(1), { source: 'test' });
    first.store.db.exec(FAIL_AUDIT);
    first.store.db.prepare(`UPDATE documents SET jws = 'tampered' WHERE slot = 'zones'`).run();
    first.store.close();
    const again = await open(first.path);
    expect(again.docs.current().zones).toBeNull();
    expect(count(again.store, 'documents')).toBe(1);
  });
});

describe('downlink: an ack that cannot be queued', () => {
  function downlink(store: Store, docs: DocumentStore, clock: FakeClock) {
    const faults: (ApiError | null)[] = [];
    let reported: (() => void) | null = null;
    const d = new Downlink({
      scope: { district: '01-009', checkpoint: 'TX-01', kiosk: 'L1' },
      documents: docs,
      acks: store,
      now: clock.now,
      timers: clock,
      onFault: (f) => {
        faults.push(f);
        reported?.();
      },
    });
    /** The retry runs the apply, which is asynchronous (the signature check): its report says it ran. */
    const nextReport = () =>
      new Promise<void>((resolve) => {
        reported = resolve;
      });
    return { d, faults, nextReport };
  }

  it('undoes the decision, is reported, and the message is tried again until it is recorded', async () => {
    const { store, docs, told } = await open();
    const clock = new FakeClock(T0);
    const { d, faults, nextReport } = downlink(store, docs, clock);
    store.db.exec(FAIL_ACK);
    const payload = Buffer.from(await zones(1));
    const r = await d.handle(ZONES, payload);
    expect(r).toMatchObject({ applied: false, unrecorded: { code: 'STORE_FAILED' } });
    expect(r?.error?.en).toMatch(/ack could not be queued/);
    expect(docs.current().zones).toBeNull();
    expect([count(store, 'document_log'), count(store, 'outbox'), documentEvents(store)]).toEqual([0, 0, 0]);
    expect(faults.map((f) => f?.code)).toEqual(['STORE_FAILED']);
    expect(d.pendingRetries).toBe(1);

    // Still failing at the first retry (5 s): tried again later (10 s more).
    let report = nextReport();
    clock.advance(5_000);
    await report;
    expect(faults).toHaveLength(2);
    expect(docs.current().zones).toBeNull();
    expect(d.pendingRetries).toBe(1);

    store.db.exec('DROP TRIGGER fail_ack');
    clock.advance(9_999);
    expect(docs.current().zones).toBeNull();
    report = nextReport();
    clock.advance(1);
    await report;
    expect(faults.at(-1)).toBeNull();
    expect(docs.current().zones?.levelOf('01-009')).toBe('red');
    expect(store.outboxPeek(0, 10).map((row) => JSON.parse(row.payload))).toEqual([
      expect.objectContaining({ schema: 'ckpt.ack/2', typ: 'vnp-zones+jws', version: 1, applied: true }),
    ]);
    expect(told).toEqual([1]);
    expect(d.pendingRetries).toBe(0);
  });

  it('a newer message on the topic replaces the one waiting; stop ends the retries', async () => {
    const { store, docs } = await open();
    const clock = new FakeClock(T0);
    const { d } = downlink(store, docs, clock);
    store.db.exec(FAIL_ACK);
    await d.handle(ZONES, Buffer.from(await zones(1)));
    store.db.exec('DROP TRIGGER fail_ack');
    expect((await d.handle(ZONES, Buffer.from(await zones(2, 'orange'))))?.applied).toBe(true);
    expect(d.pendingRetries).toBe(0);
    clock.advance(60_000);
    expect(docs.current().zones?.version).toBe(2);

    store.db.exec(FAIL_ACK);
    await d.handle(ZONES, Buffer.from(await zones(3)));
    expect(clock.pending).toBe(1);
    d.stop();
    expect(clock.pending).toBe(0);
    expect(await d.handle(ZONES, Buffer.from(await zones(3)))).toBeNull();
  });
});

describe('downlink: a delta that does not apply', () => {
  it('asks for the retained full list again, and only then', async () => {
    const { store, docs } = await open();
    const asked: string[] = [];
    const d = new Downlink({
      scope: { district: '01-009', checkpoint: 'TX-01', kiosk: 'L1' },
      documents: docs,
      acks: store,
      refetch: (topic) => asked.push(topic),
    });
    const delta = await signDocument(
      'revocations',
      { version: 5, issued: Math.floor(T0 / 1000) - 60, mode: 'delta', base: 4, add: ['ab'.repeat(32)] },
      root.privatePem,
    );
    const r = await d.handle('ckpt/v2/all/revocations/delta', Buffer.from(delta));
    expect(r?.error?.code).toBe('FULL_LIST_NEEDED');
    expect(asked).toEqual(['ckpt/v2/all/revocations']);
    await d.handle(ZONES, Buffer.from(await zones(1)));
    expect(asked).toHaveLength(1);
  });
});
