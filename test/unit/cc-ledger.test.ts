// The command centre's ledger without a broker: seq ranges merged in any order and any copy refused,
// receipts and gaps derived from them, messages classified (topic and body must agree), a kiosk id
// claimed by two live instances raised once, a delta folded into the full revocation list.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../command-centre/server/ingest.js';
import { Ledger } from '../../command-centre/server/ledger.js';
import { gapOf } from '../../command-centre/server/snapshot.js';
import { kioskLiveness, SILENT_MS } from '../../command-centre/server/types.js';
import { event, kioskId, offline, passage, status, summary } from '../fixtures/cc-messages.js';
import { removeTempDirs, tempDbPath } from './store-fixtures.js';

const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);
const ledgers: Ledger[] = [];
afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
  removeTempDirs();
});

function open(path = tempDbPath()): Ledger {
  const l = Ledger.open(path);
  ledgers.push(l);
  return l;
}

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('seq ranges held', () => {
  it('merge in any order, refuse every copy, and give the receipt of what is held', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 120 }), (seqs) => {
        const ledger = open();
        const k = kioskId('L1');
        const held = new Set<number>();
        let id = 0;
        for (const seq of seqs) {
          const r = ledger.ingest(k.scope, event(k, seq, T0), T0);
          id = r.kioskId;
          expect(r.result).toBe(held.has(seq) ? 'duplicate' : 'counted');
          held.add(seq);
        }
        if (seqs.length === 0) return;
        const sorted = [...held].sort((a, b) => a - b);
        const ranges: [number, number][] = [];
        for (const s of sorted) {
          const last = ranges.at(-1);
          if (last && last[1] + 1 === s) last[1] = s;
          else ranges.push([s, s]);
        }
        const upTo = ranges[0]![0] === 1 ? ranges[0]![1] : 0;
        const also = (upTo > 0 ? ranges.slice(1) : ranges).slice(0, 32);
        expect(ledger.receipt(id)).toEqual({ upTo, also });
        expect(ledger.totals()[0]!.events).toBe(held.size);
        ledger.close();
      }),
      { numRuns: 60 },
    );
  });

  it('keeps instances apart, even under one kiosk id', () => {
    const ledger = open();
    const a = kioskId('L1');
    const b = { ...a, instance: randomUUID() };
    expect(ledger.ingest(a.scope, event(a, 1, T0), T0).result).toBe('counted');
    expect(ledger.ingest(b.scope, event(b, 1, T0), T0).result).toBe('counted');
    expect(ledger.ingest(b.scope, event(b, 1, T0), T0).result).toBe('duplicate');
    expect(ledger.totals()[0]!.kiosks.map((r) => r.events)).toEqual([1, 1]);
  });

  it('finds the first range missing: at the start, between, or after what is held', () => {
    expect(gapOf([], 0)).toBeNull();
    expect(gapOf([], 4)).toEqual({ from: 1, to: 4, where: 'tail' });
    expect(gapOf([[3, 5]], 5)).toEqual({ from: 1, to: 2, where: 'start' });
    expect(
      gapOf(
        [
          [1, 2],
          [5, 9],
        ],
        9,
      ),
    ).toEqual({ from: 3, to: 4, where: 'between' });
    expect(gapOf([[1, 9]], 12)).toEqual({ from: 10, to: 12, where: 'tail' });
    expect(gapOf([[1, 9]], 9)).toBeNull();
  });
});

describe('classify', () => {
  const k = kioskId('L1');
  const topic = (kind: string, c = 'TX-01', kiosk = 'L1') => `ckpt/v2/01-009/${c}/${kiosk}/${kind}`;
  it('takes a numbered message whose topic and body agree, refusing the others with a reason', () => {
    expect(classify(topic('summary'), bytes(summary(k, 1, T0, { allowedIn: 1 }))).kind).toBe('numbered');
    expect(classify(topic('passage'), bytes(passage(k, 2, T0))).kind).toBe('numbered');
    expect(classify(topic('status'), bytes(offline(k, T0))).kind).toBe('status');
    const reason = (t: string, p: unknown) => {
      const m = classify(t, bytes(p));
      return m.kind === 'rejected' ? m.reason : m.kind;
    };
    expect(reason(topic('summary', 'TX-01', 'L2'), summary(k, 1, T0))).toBe('scope');
    expect(reason(topic('summary', 'TX-02'), summary(k, 1, T0))).toBe('scope');
    expect(reason(topic('status', 'TX-01', 'L2'), status(k, T0))).toBe('scope');
    expect(reason(topic('summary'), { ...summary(k, 1, T0), id: 'TX-01:L1:later' })).toBe('schema');
    expect(reason(topic('event'), summary(k, 1, T0))).toBe('schema'); // a summary on the event topic
    expect(reason(topic('event'), { ...event(k, 1, T0), seq: 0 })).toBe('schema');
    expect(reason('ckpt/v2/01-009/all/L1/event', event(k, 1, T0))).toBe('topic');
    expect(reason('ckpt/v2/xx/TX-01/L1/event', event(k, 1, T0))).toBe('topic');
    expect(reason('ckpt/v2/01-009/TX-01/L1/receipt', event(k, 1, T0))).toBe('topic');
    expect(reason(topic('event'), 'not json')).toBe('json');
  });
});

describe('status', () => {
  it('raises a kiosk id claimed by two live instances once, and not a replaced one gone silent', () => {
    const ledger = open();
    const a = kioskId('L1');
    const b = { ...a, instance: randomUUID() };
    const c = { ...a, instance: randomUUID() };
    expect(ledger.applyStatus(a.scope, status(a, T0), false, T0).conflict).toBeNull();
    // b replaces a after a went silent without a Will reaching us: no conflict.
    const later = T0 + SILENT_MS + 1000;
    expect(ledger.applyStatus(b.scope, status(b, later), false, later).conflict).toBeNull();
    expect(ledger.applyStatus(b.scope, status(b, later + 20_000), false, later + 20_000).conflict).toBeNull();
    // c comes alive while b is live: raised once, with both instances, not again on heartbeats.
    const r = ledger.applyStatus(c.scope, status(c, later + 25_000), false, later + 25_000);
    expect(r.conflict).toEqual([b.instance, c.instance].sort());
    expect(ledger.applyStatus(c.scope, status(c, later + 50_000), false, later + 50_000).conflict).toBeNull();
    expect(ledger.applyStatus(b.scope, status(b, later + 50_000), false, later + 50_000).conflict).toBeNull();
    const snap = ledger.snapshot(later + 50_000);
    expect(snap.alerts.filter((x) => x.kind === 'kiosk-id-conflict')).toHaveLength(1);
    expect(snap.checkpoints[0]!.kiosks.map((v) => [v.instance, v.conflict])).toEqual(
      [
        [a.instance, false],
        [b.instance, true],
        [c.instance, true],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('goes offline on a Will stamped when received; an older retained status changes nothing', () => {
    const ledger = open();
    const k = kioskId('L2');
    ledger.applyStatus(k.scope, status(k, T0, { lastSeq: 7 }), false, T0);
    ledger.applyStatus(k.scope, offline(k, T0 - 3_600_000), false, T0 + 40_000);
    let v = ledger.snapshot(T0 + 40_000).checkpoints[0]!.kiosks[0]!;
    expect(v).toMatchObject({ online: false, changedAt: new Date(T0 + 40_000).toISOString(), lastSeq: 7 });
    expect(kioskLiveness(v, T0 + 40_000)).toBe('offline');
    // The retained birth of the same connection, delivered again on a resubscription: old news.
    ledger.applyStatus(k.scope, status(k, T0, { lastSeq: 7 }), true, T0 + 60_000);
    v = ledger.snapshot(T0 + 60_000).checkpoints[0]!.kiosks[0]!;
    expect(v.online).toBe(false);
  });
});

describe('revocations held', () => {
  it('replaces the list on a full one and applies a delta to it', () => {
    const ledger = open();
    expect(ledger.revocations()).toBeNull();
    ledger.setRevocations(1, { full: true, add: ['aa', 'bb'], remove: [] });
    ledger.setRevocations(2, { full: false, add: ['cc'], remove: ['aa'] });
    expect(ledger.revocations()).toEqual({ version: 2, hashes: ['bb', 'cc'] });
    ledger.setRevocations(3, { full: true, add: ['dd'], remove: [] });
    expect(ledger.revocations()).toEqual({ version: 3, hashes: ['dd'] });
  });
});

describe('opening', () => {
  it('refuses a PostgreSQL URL rather than making a SQLite file of it, without showing its password', () => {
    let err: unknown;
    try {
      Ledger.open('postgres://cc:s3cret@db.example/cc');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'STORE_OPEN_FAILED', en: expect.stringMatching(/PostgreSQL/) });
    expect(JSON.stringify(err)).not.toContain('s3cret');
  });
});
