// The shared history's store and watch (src/store/peer-passages.ts, src/uplink/peers.ts): what is heard
// is looked up at once and written in batches; a message heard twice is one passage; old passages are
// forgotten in slices; bad input from the broker changes nothing; a silent peer makes the history
// incomplete and is named.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/base/bus.js';
import type { KioskEvents, PeersState } from '../../src/contract/events.js';
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { PeerPassages } from '../../src/store/peer-passages.js';
import { openStore } from '../../src/store/store.js';
import { PeerWatch } from '../../src/uplink/peers.js';
import { FakeClock } from '../fixtures/clock.js';
import { checkpoint } from '../fixtures/permits.js';
import { permitHash, removeTempDirs, tempDbPath } from './store-fixtures.js';

afterEach(removeTempDirs);

const T0 = Date.UTC(2026, 11, 5, 2, 0, 0);
const AREA = '01-009';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function store() {
  const s = openStore(tempDbPath(), checkpoint());
  return { s, peers: new PeerPassages(s.db) };
}

describe('PeerPassages', () => {
  it('answers from what was heard before it is written, and after', () => {
    const { peers } = store();
    const h = permitHash('P-1');
    peers.add({ id: id(1), permit: h, area: AREA, direction: 'in', atMs: T0 });
    expect(peers.lastLetThrough(h, AREA, 0)).toEqual({ direction: 'in', atMs: T0 });
    expect(peers.stats().pending).toBe(1);
    expect(peers.flush()).toBe(1);
    peers.add({ id: id(2), permit: h, area: AREA, direction: 'out', atMs: T0 + 1000 });
    expect(peers.lastLetThrough(h, AREA, 0)).toEqual({ direction: 'out', atMs: T0 + 1000 });
    peers.flush();
    expect(peers.lastLetThrough(h, AREA, 0)).toEqual({ direction: 'out', atMs: T0 + 1000 });
    expect(peers.lastLetThrough(h, '01-010', 0)).toBeNull();
    expect(peers.lastLetThrough(h, AREA, T0 + 1001)).toBeNull();
  });

  it('keeps one row for a message heard twice (a republish)', () => {
    const { peers } = store();
    const p = { id: id(1), permit: permitHash('P-1'), area: AREA, direction: 'in' as const, atMs: T0 };
    peers.add(p);
    peers.add(p);
    expect(peers.flush()).toBe(1);
    peers.add(p);
    expect(peers.flush()).toBe(0);
    expect(peers.stats().rows).toBe(1);
  });

  it('forgets passages older than the horizon, a slice at a time', () => {
    const { peers } = store();
    for (let i = 0; i < 25; i++) {
      peers.add({ id: id(i), permit: permitHash(`P-${i}`), area: AREA, direction: 'in', atMs: T0 + i });
    }
    peers.flush();
    expect(peers.prune(T0 + 20, 10)).toBe(10);
    expect(peers.prune(T0 + 20, 10)).toBe(10);
    expect(peers.prune(T0 + 20, 10)).toBe(0);
    expect(peers.stats().rows).toBe(5);
  });
});

describe('ALREADY_INSIDE while the shared history may be incomplete', () => {
  it('is at most a review, even in deny mode', async () => {
    const { permitClaims } = await import('../fixtures/permits.js');
    const base = {
      permit: {
        hash: 'ab'.repeat(32),
        iss: '01-009',
        cti: 'x',
        nbf: T0 / 1000 - 60,
        exp: T0 / 1000 + 3600,
        permit: permitClaims().permit,
      },
      checkpoint: checkpoint({}, { antiPassback: 'deny' }),
      now: T0,
      direction: 'in' as const,
      lastDirection: 'in' as const,
    } as unknown as Parameters<typeof evaluatePolicy>[0];
    expect(evaluatePolicy(base)).toEqual({ decision: 'DENY', reasons: ['ALREADY_INSIDE'] });
    expect(evaluatePolicy({ ...base, historyIncomplete: true })).toEqual({
      decision: 'REVIEW',
      reasons: ['ALREADY_INSIDE'],
    });
  });
});

describe('PeerWatch', () => {
  function watch() {
    const clock = new FakeClock(T0);
    const bus = new EventBus<KioskEvents>();
    const seen: PeersState[] = [];
    bus.on('peers.changed', (s) => seen.push(s), seen);
    const { s, peers } = store();
    const w = new PeerWatch({
      scope: { district: '01-009', checkpoint: 'TX-01', kiosk: 'L1' },
      instance: s.outboxStats().instance,
      checkpoint: () => checkpoint({ lanes: ['1', '2'] }, { peerStaleSeconds: 60 }),
      store: peers,
      bus,
      now: clock.now,
      timers: clock,
    });
    w.start();
    bus.emit('uplink.state', {
      connected: true,
      subscribed: true,
      url: null,
      backlog: 0,
      oldestMs: null,
      commandCentre: 'online',
      lastError: null,
    });
    return { w, clock, seen, peers };
  }
  const status = (kiosk: string, lane: string, at: number, area = AREA) =>
    Buffer.from(
      JSON.stringify({
        schema: 'ckpt.status/2',
        online: true,
        at: new Date(at).toISOString(),
        kiosk,
        instance: id(900 + Number(lane)),
        version: '1',
        startedAt: new Date(T0).toISOString(),
        lane,
        direction: 'in',
        scanner: 'ok',
        lastSeq: 0,
        outbox: { unreceipted: 0, oldestAt: null },
        clockSkewMs: null,
        shift: null,
        lastScanAt: null,
        commandCentre: 'online',
        area,
        checkpointKind: 'green-zone',
      }),
    );
  const topic = (c: string, k: string, kind: string) => `ckpt/v2/01-009/${c}/${k}/${kind}`;

  it('names a peer of the area silent past peerStaleSeconds, ignores other areas, and recovers', () => {
    const { w, clock, seen } = watch();
    w.handle(topic('TX-01', 'L2', 'status'), status('L2', '2', T0), false);
    w.handle(topic('TX-09', 'L1', 'status'), status('L1', '1', T0, '01-010'), false);
    expect(w.status()).toEqual({ complete: true, watched: 1, silent: [] });
    clock.advance(61_000);
    expect(w.status().silent).toEqual([{ checkpoint: 'TX-01', kiosk: 'L2', lane: '2', lastHeardMs: T0 }]);
    expect(w.complete()).toBe(false);
    expect(seen.at(-1)?.complete).toBe(false);
    w.handle(topic('TX-01', 'L2', 'status'), status('L2', '2', clock.now()), false);
    expect(w.complete()).toBe(true);
    w.stop();
  });

  it('changes nothing on bad input: garbage, a wrong schema, a foreign district, its own echo', () => {
    const { w, peers } = watch();
    const bad: [string, Buffer][] = [
      [topic('TX-01', 'L2', 'passage'), Buffer.from('not json')],
      [topic('TX-01', 'L2', 'passage'), Buffer.from('{"schema":"ckpt.passage/1"}')],
      [topic('TX-01', 'L2', 'status'), Buffer.from([0xff, 0xfe, 0x00])],
      ['ckpt/v2/01-010/TX-01/L2/passage', Buffer.from('{}')],
      [topic('TX-01', 'L1', 'status'), status('L1', '1', T0)],
      ['ckpt/v2/01-009/TX-01', Buffer.from('{}')],
    ];
    for (const [t, p] of bad) expect(() => w.handle(t, p, false)).not.toThrow();
    expect(w.status()).toEqual({ complete: true, watched: 0, silent: [] });
    expect(peers.stats()).toMatchObject({ rows: 0, pending: 0 });
    w.stop();
  });

  it('keeps let-through passages of its own area only, within the horizon', () => {
    const { w, peers } = watch();
    const passage = (n: number, over: object) =>
      Buffer.from(
        JSON.stringify({
          schema: 'ckpt.passage/1',
          id: id(n),
          seq: n,
          kiosk: 'L2',
          instance: id(902),
          at: new Date(T0).toISOString(),
          area: AREA,
          permit: permitHash('P-1'),
          direction: 'in',
          letThrough: true,
          ...over,
        }),
      );
    w.handle(topic('TX-01', 'L2', 'passage'), passage(1, {}), false);
    w.handle(topic('TX-01', 'L2', 'passage'), passage(2, { letThrough: false }), false);
    w.handle(topic('TX-01', 'L2', 'passage'), passage(3, { area: '01-010' }), false);
    w.handle(
      topic('TX-01', 'L2', 'passage'),
      passage(4, { at: new Date(T0 - 25 * 3_600_000).toISOString() }),
      false,
    );
    w.stop();
    expect(peers.stats().rows).toBe(1);
  });
});
