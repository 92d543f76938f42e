// Manual entries and overrides written to a real SQLite store: the rows, the chain, the summary
// window, the MQTT outbox, and the anti-passback that an override feeds.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { checkManualPerson } from '../../src/contract/manual-entry.js';
import { resolveVehicle } from '../../src/contract/vehicle.js';
import { OVERRIDE_WINDOW_MS } from '../../src/lane/override.js';
import { manualPassage } from '../../src/lane/passage.js';
import { AuditChain } from '../../src/store/chain-log.js';
import { idnKeyLocation, openIdnKey } from '../../src/store/idn-key-file.js';
import { openStore, type Store } from '../../src/store/store.js';
import { checkpoint, passage, permitHash, removeTempDirs, tempDbPath } from './store-fixtures.js';

const T = Date.UTC(2021, 7, 23, 1, 0, 0);
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  removeTempDirs();
});

function open(): { store: Store; chain: AuditChain } {
  const path = tempDbPath();
  const store = openStore(path, checkpoint);
  store.attachIdn(openIdnKey(store.db, idnKeyLocation({ database: path })).key);
  stores.push(store);
  return { store, chain: new AuditChain(store.db) };
}

const who = { userId: null, userName: 'Trần Văn Bảo', shiftId: null };

function overridePassage(
  store: Store,
  _chain: AuditChain,
  passageId: number,
  reason: string,
  atMs: number,
  w: typeof who,
) {
  return store.recordOverride({ passageId, reason, atMs, who: w, approval: null });
}

function overrideOf(store: Store, passageId: number): { reason: string; atMs: number } | null {
  const r = store.db
    .prepare(`SELECT at_ms, details FROM audit_events WHERE passage_id = ? AND kind = 'override' LIMIT 1`)
    .get(passageId) as { at_ms: number; details: string } | undefined;
  return r ? { reason: JSON.parse(r.details).reason, atMs: r.at_ms } : null;
}

function outboxEvents(store: Store): Array<Record<string, unknown>> {
  return store
    .outboxPeek(0, 100)
    .filter((r) => r.topic.endsWith('/event'))
    .map((r) => JSON.parse(r.payload));
}

function window(store: Store) {
  const r = store.db
    .prepare('SELECT data FROM summary_windows ORDER BY window_start_ms DESC LIMIT 1')
    .get() as {
    data: string;
  };
  return JSON.parse(r.data);
}

describe('manual entry', () => {
  it('is a REVIEW passage with the person, vehicle and note, chained; let through, it is an override', () => {
    const { store } = open();
    const person = checkManualPerson({
      name: 'Lê Thị Mai',
      idNumber: '001185004321',
      purpose: 'medical',
      reason: 'Quên điện thoại ở nhà, có CCCD',
    });
    const vehicle = resolveVehicle({ plate: '29-B1 123.45', passengers: 1 });
    const ctx = { atMs: T, lane: '1', direction: 'in' as const, letThrough: true, who };
    const { id } = store.recordPassage(manualPassage(person, vehicle, ctx));
    const row = store.db.prepare('SELECT * FROM passages WHERE id = ?').get(id) as Record<string, unknown>;
    expect(row).toMatchObject({
      source: 'manual',
      decision: 'REVIEW',
      reasons: '[]',
      holder_name: 'Lê Thị Mai',
      // No digit of the ID number in clear: the masked number is its tail token, decrypted with the key.
      id_masked: null,
      purpose: 'medical',
      vehicle_plate: '29-B1 123.45',
      vehicle_type: 'motorbike',
      people: 2,
      passengers: 1,
      let_through: 1,
      note: 'Quên điện thoại ở nhà, có CCCD',
      chain_v: 4,
      has_idn: 1,
      permit_hash: null,
    });
    expect(JSON.stringify(row)).not.toContain('001185004321');
    expect(JSON.stringify(row)).not.toContain('*4321');
    expect(store.getPassage(id)?.idMasked).toBe('********4321');
    expect(store.verifyChain()).toBeNull();
    expect(window(store).counts.in).toEqual({ allowed: 0, denied: 0, review: 1, overridden: 1 });
    expect(outboxEvents(store)).toEqual([expect.objectContaining({ kind: 'override', decision: 'REVIEW' })]);
    // The MQTT event carries no personal data.
    expect(JSON.stringify(outboxEvents(store))).not.toMatch(/Mai|4321|Quên/);

    // Refused by the guard: REVIEW, not let through, no event.
    store.recordPassage(manualPassage(person, vehicle, { ...ctx, letThrough: false }));
    expect(outboxEvents(store)).toHaveLength(1);
  });

  it('an edit of the note or the passengers behind the kiosk’s back breaks the chain at that row', () => {
    const { store } = open();
    const person = checkManualPerson({
      name: 'Lê Thị Mai',
      idNumber: '123456789',
      purpose: 'work',
      reason: 'Không mang giấy đi đường',
    });
    const ctx = { atMs: T, lane: '1', direction: 'in' as const, letThrough: false, who };
    store.recordPassage(manualPassage(person, resolveVehicle({}), ctx));
    const { id } = store.recordPassage(manualPassage(person, resolveVehicle({ plate: '30E-123.45' }), ctx));
    store.recordPassage(manualPassage(person, resolveVehicle({}), ctx));
    expect(store.verifyChain()).toBeNull();
    store.db.prepare('UPDATE passages SET passengers = 5 WHERE id = ?').run(id);
    expect(store.verifyChain()).toBe(id);
    store.db.prepare('UPDATE passages SET passengers = 0, note = ? WHERE id = ?').run('Bạn của cán bộ', id);
    expect(store.verifyChain()).toBe(id);
  });
});

describe('override', () => {
  function denied(store: Store, at = T) {
    return store.recordPassage(
      passage({ atMs: at, decision: 'DENY', reasons: ['OUTSIDE_HOURS'], letThrough: false }, 'P-9'),
    ).id;
  }

  it('is a chained audit event naming the passage, which keeps its verdict', () => {
    const { store, chain } = open();
    const id = denied(store);
    const o = overridePassage(store, chain, id, '  Xe cấp cứu   chở bệnh nhân ', T + 30_000, who);
    expect(o).toMatchObject({ passageId: id, by: 'Trần Văn Bảo', reason: 'Xe cấp cứu chở bệnh nhân' });
    expect(store.getPassage(id)).toMatchObject({
      decision: 'DENY',
      reasons: ['OUTSIDE_HOURS'],
      letThrough: false,
    });
    const ev = store.db.prepare('SELECT * FROM audit_events WHERE id = ?').get(o.eventId) as Record<
      string,
      unknown
    >;
    expect(ev).toMatchObject({ kind: 'override', passage_id: id, user_name: 'Trần Văn Bảo' });
    expect(JSON.parse(ev.details as string)).toMatchObject({
      reason: 'Xe cấp cứu chở bệnh nhân',
      decision: 'DENY',
    });
    expect(overrideOf(store, id)).toEqual({ reason: 'Xe cấp cứu chở bệnh nhân', atMs: T + 30_000 });
    expect(store.verifyChain()).toBeNull();
    // The summary counts it overridden, not as a second passage; the command centre hears of it.
    expect(window(store).counts.in).toEqual({ allowed: 0, denied: 1, review: 0, overridden: 1 });
    expect(outboxEvents(store).map((e) => e.kind)).toEqual(['denial', 'override']);
  });

  it('counts as a let-through passage for anti-passback', () => {
    const { store, chain } = open();
    const id = denied(store);
    expect(store.lastLetThrough(permitHash('P-9'), '01-009', 0)).toBeNull();
    overridePassage(store, chain, id, 'Công an phường xác nhận', T + 1000, who);
    expect(store.lastLetThrough(permitHash('P-9'), '01-009', 0)?.direction).toBe('in');
  });

  it.each<[string, (s: Store, c: AuditChain) => number, number, string]>([
    [
      'twice',
      (s, c) => {
        const id = denied(s);
        overridePassage(s, c, id, 'Công an phường xác nhận', T, who);
        return id;
      },
      T,
      'ALREADY_OVERRIDDEN',
    ],
    ['an ALLOW', (s) => s.recordPassage(passage({ atMs: T })).id, T, 'OVERRIDE_NOT_NEEDED'],
    ['after 15 minutes', (s) => denied(s), T + OVERRIDE_WINDOW_MS + 1, 'OVERRIDE_TOO_LATE'],
    ['an unknown passage', () => 4242, T, 'PASSAGE_NOT_FOUND'],
  ])('refuses %s with %s and writes nothing', (_name, make, now, code) => {
    const { store, chain } = open();
    const id = make(store, chain);
    const before = chain.headNow();
    const outbox = store.outboxCount();
    let err: unknown = null;
    try {
      overridePassage(store, chain, id, 'Công an phường xác nhận', now, who);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe(code);
    expect(chain.headNow()).toEqual(before);
    expect(store.outboxCount()).toBe(outbox);
  });

  it('a short reason is refused before anything is written', () => {
    const { store, chain } = open();
    const id = denied(store);
    expect(() => overridePassage(store, chain, id, 'cho qua', T, who)).toThrow(/10/);
    expect(overrideOf(store, id)).toBeNull();
  });
});
