import { afterEach, describe, expect, it, vi } from 'vitest';
import { SummaryPayload } from '../../src/contract/mqtt.js';
import { addPassage, emptySummary, summaryVehicle, windowStartOf } from '../../src/contract/summary.js';
import { openStore, type Store } from '../../src/store/store.js';
import { SummaryScheduler } from '../../src/store/summary-scheduler.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from './store-fixtures.js';

const W = 60_000;
const t0 = Date.UTC(2021, 7, 23, 1, 0, 0); // a window boundary
let open: Store[] = [];
function storeAt(path = tempDbPath(), windowMs = W): Store {
  const s = openStore(path, checkpoint, { windowMs });
  open.push(s);
  return s;
}
afterEach(() => {
  vi.useRealTimers();
  for (const s of open) s.close();
  open = [];
  removeTempDirs();
});

function summaries(s: Store): SummaryPayload[] {
  return s
    .outboxPeek(0, 1000)
    .filter((r) => r.topic.endsWith('/summary'))
    .map((r) => SummaryPayload.parse(JSON.parse(r.payload)));
}

describe('window alignment', () => {
  it('aligns windows to multiples of the window length', () => {
    expect(windowStartOf(t0, W)).toBe(t0);
    expect(windowStartOf(t0 + W - 1, W)).toBe(t0);
    expect(windowStartOf(t0 + W, W)).toBe(t0 + W);
    expect(windowStartOf(t0 + 1500, 1000)).toBe(t0 + 1000);
  });

  it('puts passages either side of a boundary in different summaries', () => {
    const s = storeAt();
    s.recordPassage(passage({ atMs: t0 + W - 1 }));
    s.recordPassage(passage({ atMs: t0 + W }));
    expect(s.closeDueWindows(t0 + W)).toBe(1);
    expect(s.closeDueWindows(t0 + 2 * W)).toBe(1);
    const [a, b] = summaries(s);
    expect(a!.id).toBe('TX-01:L1:2021-08-23T01:00:00.000Z');
    expect(a!.windowEnd).toBe('2021-08-23T01:01:00.000Z');
    expect(b!.windowStart).toBe('2021-08-23T01:01:00.000Z');
    expect(a!.counts.in.allowed + b!.counts.in.allowed).toBe(2);
  });
});

describe('summary contents', () => {
  it('counts decisions, overrides, people, vehicles, purposes and reasons', () => {
    const s = storeAt();
    s.recordPassage(passage({ atMs: t0 + 1 }));
    s.recordPassage(passage({ atMs: t0 + 2, direction: 'out', people: 3, vehicleType: 'car' }));
    s.recordPassage(
      passage({ atMs: t0 + 3, decision: 'DENY', reasons: ['EXPIRED', 'REVOKED'], letThrough: false }),
    );
    s.recordPassage(
      passage({
        atMs: t0 + 4,
        decision: 'REVIEW',
        reasons: ['VEHICLE_MISMATCH'],
        vehicleType: null,
        vehiclePlate: null,
      }),
    );
    s.recordPassage(
      passage({
        atMs: t0 + 5,
        decision: 'DENY',
        reasons: ['FORMAT_INVALID'],
        permit: null,
        rawPreview: 'garbage',
        vehicleType: 'tank',
        letThrough: true,
      }),
    );
    expect(s.closeDueWindows(t0 + W - 1)).toBe(0);
    expect(s.closeDueWindows(t0 + W)).toBe(1);
    const [sum] = summaries(s);
    expect(sum).toEqual({
      schema: 'ckpt.summary/2',
      id: 'TX-01:L1:2021-08-23T01:00:00.000Z',
      seq: expect.any(Number),
      kiosk: 'L1',
      instance: s.outboxStats().instance,
      checkpoint: 'TX-01',
      district: '01-009',
      windowStart: '2021-08-23T01:00:00.000Z',
      windowEnd: '2021-08-23T01:01:00.000Z',
      counts: {
        in: { allowed: 1, denied: 2, review: 1, overridden: 2 },
        out: { allowed: 1, denied: 0, review: 0, overridden: 0 },
      },
      people: 7,
      unreadable: 0,
      vehicles: { motorbike: 2, car: 1, truck: 0, bicycle: 0, other: 1, none: 1 },
      byPurpose: { work: 4 },
      byReason: { EXPIRED: 1, REVOKED: 1, VEHICLE_MISMATCH: 1, FORMAT_INVALID: 1 },
    });
    expect(JSON.stringify(sum)).not.toMatch(/Nguyễn|garbage|29A/);
  });

  it('maps vehicle types to the summary buckets', () => {
    expect(summaryVehicle('truck', null)).toBe('truck');
    expect(summaryVehicle('spaceship', null)).toBe('other');
    expect(summaryVehicle(null, '29A12345')).toBe('other');
    expect(summaryVehicle(null, null)).toBe('none');
    const d = addPassage(emptySummary(), {
      direction: 'in',
      decision: 'DENY',
      reasons: ['EXPIRED', 'EXPIRED'],
      letThrough: false,
      purpose: null,
      vehicleType: 'none',
      people: 1,
    });
    expect(d.byReason).toEqual({ EXPIRED: 1 });
  });

  it('emits nothing for a window without passages', () => {
    const s = storeAt();
    expect(s.closeDueWindows(t0 + 10 * W)).toBe(0);
    expect(s.outboxCount()).toBe(0);
  });
});

describe('closing windows', () => {
  it('closes each window once, writing its summary to the outbox', () => {
    const s = storeAt();
    s.recordPassage(passage({ atMs: t0 + 5 }));
    expect(s.closeDueWindows(t0 + W)).toBe(1);
    expect(s.closeDueWindows(t0 + W)).toBe(0);
    expect(s.closeDueWindows(t0 + 5 * W)).toBe(0);
    expect(summaries(s)).toHaveLength(1);
  });

  it('counts a late passage in the first open window, never in one already sent', () => {
    const s = storeAt();
    s.recordPassage(passage({ atMs: t0 + W + 5 }));
    s.closeDueWindows(t0 + 2 * W);
    s.recordPassage(passage({ atMs: t0 + 10 })); // clock stepped back
    s.closeDueWindows(t0 + 3 * W);
    const all = summaries(s);
    expect(all.map((x) => x.windowStart)).toEqual(['2021-08-23T01:01:00.000Z', '2021-08-23T01:02:00.000Z']);
    expect(all.reduce((n, x) => n + x.counts.in.allowed, 0)).toBe(2);
  });

  it('closes windows left open by a previous run at startup, then at each window end', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(t0 + 1_000);
    const path = tempDbPath();
    const first = storeAt(path, 1000);
    first.recordPassage(passage({ atMs: Date.now() }));
    first.close();

    vi.setSystemTime(t0 + 60_500); // restarted a minute later
    const s = storeAt(path, 1000);
    const sched = new SummaryScheduler(s);
    sched.start();
    expect(summaries(s)).toHaveLength(1);

    s.recordPassage(passage({ atMs: Date.now() }));
    vi.advanceTimersByTime(400);
    expect(summaries(s)).toHaveLength(1);
    vi.advanceTimersByTime(100); // reaches t0 + 61 s, the end of that window
    expect(summaries(s).map((x) => x.windowStart)).toEqual([
      '2021-08-23T01:00:01.000Z',
      '2021-08-23T01:01:00.000Z',
    ]);
    sched.stop();
    s.recordPassage(passage({ atMs: Date.now() }));
    vi.advanceTimersByTime(5_000);
    expect(summaries(s)).toHaveLength(2);
  });

  it('rejects a window shorter than a second', () => {
    expect(() => openStore(tempDbPath(), checkpoint, { windowMs: 10 })).toThrow(/1000 ms/);
  });
});
