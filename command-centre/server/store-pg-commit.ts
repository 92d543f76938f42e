// One batch of deliveries stored on PostgreSQL in a handful of statements, whatever its size: that is
// what keeps an aggregator above 5,000 messages a second over a network. Every kiosk row the batch
// touches is locked first, in one fixed order, so that aggregators sharing the database take turns per
// kiosk instance (never deadlock) and the ranges read, merged and written back here stay exact.
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { AnyStatusPayload, NumberedPayload } from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import { applyPresence, type CountedPassage, seenBefore } from './presence-pg.js';
import { COUNTER_COLUMNS, type CounterRow, counters } from './rows.js';
import type { CommitResult, Delivery } from './store.js';
import { SILENT_MS } from './types.js';

const HOUR_MS = 3_600_000;
type Range = [number, number];

const keyOf = (s: TopicScope, instance: string) =>
  `${s.district}\u0000${s.checkpoint}\u0000${s.kiosk}\u0000${instance}`;

/** Adds seq to sorted, disjoint, non-touching ranges; false when it was already held. */
export function holdSeq(ranges: Range[], seq: number): boolean {
  let i = 0;
  while (i < ranges.length && ranges[i]![1] < seq - 1) i++;
  const r = ranges[i];
  if (!r || r[0] > seq + 1) {
    ranges.splice(i, 0, [seq, seq]);
    return true;
  }
  if (r[0] <= seq && seq <= r[1]) return false;
  if (seq === r[1] + 1) {
    r[1] = seq;
    const next = ranges[i + 1];
    if (next && next[0] === seq + 1) {
      r[1] = next[1];
      ranges.splice(i + 1, 1);
    }
  } else r[0] = seq;
  return true;
}

interface KioskDelta extends CounterRow {
  summaries: number;
  events: number;
  passages: number;
  acks: number;
  duplicates: number;
  lane: string | null;
}

const zeroCounters = () => Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, 0])) as CounterRow;
const newDelta = (): KioskDelta => ({
  ...zeroCounters(),
  summaries: 0,
  events: 0,
  passages: 0,
  acks: 0,
  duplicates: 0,
  lane: null,
});

/** Inside a transaction on `c`. */
export async function commitBatch(
  c: PoolClient,
  batch: readonly Delivery[],
  now: number,
): Promise<CommitResult & { changed: boolean }> {
  const out: CommitResult = { touched: new Set(), counted: 0, duplicates: 0, rejected: 0, conflicts: [] };
  const keys = new Map<string, TopicScope & { instance: string }>();
  for (const d of batch) {
    if (d.kind !== 'rejected')
      keys.set(keyOf(d.scope, d.payload.instance), { ...d.scope, instance: d.payload.instance });
  }
  const sorted = [...keys.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const ids = new Map<string, number>();
  if (sorted.length > 0) {
    const col = (f: (s: TopicScope & { instance: string }) => string) => sorted.map(([, s]) => f(s));
    const r = await c.query(
      `INSERT INTO kiosks (district, checkpoint, kiosk, instance, first_seen_ms, last_seen_ms)
       SELECT d, c, k, i, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         WITH ORDINALITY AS t(d, c, k, i, n) ORDER BY n
       ON CONFLICT (district, checkpoint, kiosk, instance)
       DO UPDATE SET last_seen_ms = greatest(kiosks.last_seen_ms, excluded.last_seen_ms)
       RETURNING id, district, checkpoint, kiosk, instance`,
      [col((s) => s.district), col((s) => s.checkpoint), col((s) => s.kiosk), col((s) => s.instance), now],
    );
    for (const row of r.rows) ids.set(keyOf(row, row.instance), Number(row.id));
  }
  const numbered = batch.filter((d) => d.kind === 'numbered');
  const ranges = new Map<number, Range[]>();
  if (numbered.length > 0) {
    const wanted = [...new Set(numbered.map((d) => ids.get(keyOf(d.scope, d.payload.instance))!))];
    for (const id of wanted) ranges.set(id, []);
    const r = await c.query(
      'SELECT kiosk_id, lo, hi FROM held WHERE kiosk_id = ANY($1::bigint[]) ORDER BY kiosk_id, lo',
      [wanted],
    );
    for (const row of r.rows) ranges.get(Number(row.kiosk_id))!.push([Number(row.lo), Number(row.hi)]);
  }
  const deltas = new Map<number, KioskDelta>();
  const hours = new Map<string, CounterRow & { hour: number; id: number }>();
  const events: unknown[][] = [];
  const acks = new Map<string, unknown[]>();
  const passages: unknown[][] = [];
  const counted: CountedPassage[] = [];
  const rejected = new Map<string, { count: number; topic: string }>();
  for (const d of batch) {
    if (d.kind === 'rejected') {
      out.rejected++;
      const r = rejected.get(d.reason) ?? { count: 0, topic: d.topic };
      r.count++;
      r.topic = d.topic;
      rejected.set(d.reason, r);
      continue;
    }
    if (d.kind !== 'numbered') continue;
    const p: NumberedPayload = d.payload;
    const id = ids.get(keyOf(d.scope, p.instance))!;
    out.touched.add(id);
    const delta = deltas.get(id) ?? newDelta();
    deltas.set(id, delta);
    if (!holdSeq(ranges.get(id)!, p.seq)) {
      out.duplicates++;
      delta.duplicates++;
      continue;
    }
    out.counted++;
    switch (p.schema) {
      case 'ckpt.summary/2': {
        const cs = counters(p);
        delta.summaries++;
        const hour = Math.floor(Date.parse(p.windowStart) / HOUR_MS) * HOUR_MS;
        const hk = `${hour}:${id}`;
        const h = hours.get(hk) ?? { ...zeroCounters(), hour, id };
        hours.set(hk, h);
        for (const col of COUNTER_COLUMNS) {
          delta[col] += cs[col];
          h[col] += cs[col];
        }
        break;
      }
      case 'ckpt.event/2':
        delta.events++;
        delta.lane ??= p.lane;
        events.push([
          p.id,
          d.scope.district,
          d.scope.checkpoint,
          d.scope.kiosk,
          p.instance,
          p.seq,
          Date.parse(p.at),
          now,
          p.kind,
          p.decision,
          JSON.stringify(p.reasons),
          p.permit,
          p.direction,
          p.lane,
          null,
        ]);
        break;
      case 'ckpt.ack/2':
        delta.acks++;
        // The latest answer per (instance, typ, version): one row per key in the statement.
        acks.set(`${id}:${p.typ}:${p.version}`, [
          id,
          p.typ,
          String(p.version),
          p.applied ? 1 : 0,
          p.error ?? null,
          Date.parse(p.at),
          now,
        ]);
        break;
      case 'ckpt.passage/1':
        delta.passages++;
        counted.push({ kioskId: id, seq: p.seq, p });
        passages.push([
          id,
          p.seq,
          p.id,
          p.area,
          p.permit,
          p.direction,
          p.letThrough ? 1 : 0,
          Date.parse(p.at),
          now,
        ]);
        break;
    }
  }
  // Every write in one statement (one round trip): each part touches its own table.
  const q = new Params();
  const parts: string[] = [];
  if (ranges.size > 0) {
    const all = [...ranges.entries()];
    const flat = all.flatMap(([id, rs]) => rs.map((r) => [id, r[0], r[1]]));
    const [k, lo, hi] = columns(flat, 3).map((col) => q.add(col, 'bigint[]'));
    parts.push(
      `held_new AS (SELECT * FROM unnest(${k}, ${lo}, ${hi}) AS n(kiosk_id, lo, hi))`,
      // The ranges that merged away go; the others are written (new keys never meet deleted ones).
      `held_gone AS (DELETE FROM held h WHERE h.kiosk_id = ANY(${q.add(
        all.map(([id]) => id),
        'bigint[]',
      )}) AND NOT EXISTS (SELECT 1 FROM held_new n WHERE n.kiosk_id = h.kiosk_id AND n.lo = h.lo))`,
      `held_put AS (INSERT INTO held (kiosk_id, lo, hi) SELECT kiosk_id, lo, hi FROM held_new
        ON CONFLICT (kiosk_id, lo) DO UPDATE SET hi = excluded.hi)`,
    );
  }
  if (deltas.size > 0) {
    const ds = [...deltas.entries()];
    const cols = [...COUNTER_COLUMNS, 'summaries', 'events', 'passages', 'acks', 'duplicates'] as const;
    const ids = q.add(
      ds.map(([id]) => id),
      'bigint[]',
    );
    const values = cols.map((col) =>
      q.add(
        ds.map(([, d]) => d[col]),
        'bigint[]',
      ),
    );
    const lanes = q.add(
      ds.map(([, d]) => d.lane),
      'text[]',
    );
    parts.push(`kiosk_counts AS (UPDATE kiosks k SET ${cols.map((col) => `${col} = k.${col} + u.${col}`).join(', ')},
        lane = coalesce(k.lane, u.lane)
      FROM unnest(${ids}, ${values.join(', ')}, ${lanes}) AS u(id, ${cols.join(', ')}, lane)
      WHERE k.id = u.id)`);
  }
  if (hours.size > 0) {
    const hs = [...hours.values()].sort((a, b) => a.hour - b.hour || a.id - b.id);
    const arrays = [
      q.add(
        hs.map((h) => h.hour),
        'bigint[]',
      ),
      q.add(
        hs.map((h) => h.id),
        'bigint[]',
      ),
      ...COUNTER_COLUMNS.map((col) =>
        q.add(
          hs.map((h) => h[col]),
          'bigint[]',
        ),
      ),
    ];
    parts.push(`hours AS (INSERT INTO kiosk_hours (hour_ms, kiosk_id, ${COUNTER_COLUMNS.join(', ')})
      SELECT * FROM unnest(${arrays.join(', ')})
      ON CONFLICT (hour_ms, kiosk_id) DO UPDATE SET
      ${COUNTER_COLUMNS.map((col) => `${col} = kiosk_hours.${col} + excluded.${col}`).join(', ')})`);
  }
  if (events.length > 0) parts.push(`events_new AS (${insertEventsSql(q, events)})`);
  if (acks.size > 0) {
    const a = columns([...acks.values()], 7).map((col, i) => q.add(col, ACK_TYPES[i]!));
    parts.push(`acks AS (INSERT INTO kiosk_acks (kiosk_id, typ, version, applied, error, at_ms, received_ms)
      SELECT * FROM unnest(${a.join(', ')})
      ON CONFLICT (kiosk_id, typ, version) DO UPDATE SET applied = excluded.applied, error = excluded.error,
      at_ms = excluded.at_ms, received_ms = excluded.received_ms)`);
  }
  if (passages.length > 0) {
    const a = columns(passages, 9).map((col, i) => q.add(col, PASSAGE_TYPES[i]!));
    parts.push(`passages_new AS (INSERT INTO passages
      (kiosk_id, seq, id, area, permit, direction, let_through, at_ms, received_ms)
      SELECT * FROM unnest(${a.join(', ')}) ON CONFLICT (kiosk_id, seq) DO NOTHING)`);
  }
  if (rejected.size > 0) {
    const rs = [...rejected.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const reasons = q.add(
      rs.map(([r]) => r),
      'text[]',
    );
    const counts = q.add(
      rs.map(([, v]) => v.count),
      'bigint[]',
    );
    const topics = q.add(
      rs.map(([, v]) => v.topic),
      'text[]',
    );
    parts.push(`rejects AS (INSERT INTO rejected (reason, count, last_topic, last_ms)
      SELECT r, n, t, ${q.add(now, 'bigint')} FROM unnest(${reasons}, ${counts}, ${topics}) AS u(r, n, t)
      ON CONFLICT (reason) DO UPDATE SET count = rejected.count + excluded.count,
      last_topic = excluded.last_topic, last_ms = excluded.last_ms)`);
  }
  const seen = await seenBefore(c, counted);
  // Data-modifying parts of WITH run to completion whether or not the main query reads them.
  if (parts.length > 0) await c.query(`WITH ${parts.join(',\n')} SELECT 1`, q.values);
  await applyPresence(c, counted, seen, now);
  for (const d of batch) {
    if (d.kind !== 'status') continue;
    const id = ids.get(keyOf(d.scope, d.payload.instance))!;
    const conflict = await applyStatus(c, id, d.scope, d.payload, d.retained, now);
    if (conflict) out.conflicts.push({ scope: d.scope, instances: conflict });
  }
  return { ...out, changed: batch.length > 0 };
}

function columns(rows: readonly unknown[][], n: number): unknown[][] {
  return Array.from({ length: n }, (_, i) => rows.map((r) => r[i]));
}

/** Numbered parameters, each cast to its type (unnest needs typed arrays). */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

const EVENT_COLUMNS =
  'id, district, checkpoint, kiosk, instance, kiosk_seq, at_ms, received_ms, kind, decision, reasons, permit, direction, lane, detail';
const EVENT_TYPES = 'text text text text text bigint bigint bigint text text text text text text text'.split(
  ' ',
);
const ACK_TYPES = 'bigint[] text[] text[] int[] text[] bigint[] bigint[]'.split(' ');
const PASSAGE_TYPES = 'bigint[] bigint[] text[] text[] text[] text[] int[] bigint[] bigint[]'.split(' ');

function insertEventsSql(q: Params, rows: unknown[][]): string {
  const arrays = columns(rows, EVENT_TYPES.length).map((col, i) => q.add(col, `${EVENT_TYPES[i]}[]`));
  return `INSERT INTO events (${EVENT_COLUMNS}) SELECT * FROM unnest(${arrays.join(', ')}) ON CONFLICT DO NOTHING`;
}

/** As Ledger.applyStatus (ledger.ts), on a kiosk row this transaction has locked. */
async function applyStatus(
  c: PoolClient,
  id: number,
  scope: TopicScope,
  p: AnyStatusPayload,
  retained: boolean,
  now: number,
): Promise<string[] | null> {
  const prev = (await c.query('SELECT online, last_status_ms, changed_ms FROM kiosks WHERE id = $1', [id]))
    .rows[0] as { online: number; last_status_ms: number | null; changed_ms: number | null };
  if (!p.online) {
    const stamp = retained ? (prev.last_status_ms ?? now) : now;
    const changed = prev.online || prev.changed_ms === null ? stamp : prev.changed_ms;
    await c.query('UPDATE kiosks SET online = 0, changed_ms = $2 WHERE id = $1', [id, changed]);
    return null;
  }
  const stamp = retained ? Math.min(now, Date.parse(p.at)) : now;
  if (retained && prev.last_status_ms !== null && stamp <= prev.last_status_ms) return null;
  const wasLive =
    prev.online === 1 && prev.last_status_ms !== null && stamp - prev.last_status_ms <= SILENT_MS;
  await c.query(
    `UPDATE kiosks SET online = 1, status = $2, lane = $3, last_status_ms = $4, changed_ms = $5,
       last_seen_ms = greatest(last_seen_ms, $4) WHERE id = $1`,
    [id, JSON.stringify(p), p.lane, stamp, prev.online && prev.changed_ms !== null ? prev.changed_ms : stamp],
  );
  if (wasLive) return null;
  const others = (
    await c.query(
      `SELECT instance FROM kiosks WHERE district = $1 AND checkpoint = $2 AND kiosk = $3 AND id != $4
         AND online = 1 AND last_status_ms >= $5 ORDER BY instance`,
      [scope.district, scope.checkpoint, scope.kiosk, id, stamp - SILENT_MS],
    )
  ).rows.map((r) => r.instance as string);
  if (others.length === 0) return null;
  const instances = [...others, p.instance].sort();
  const q = new Params();
  const sql = insertEventsSql(q, [
    [
      randomUUID(),
      scope.district,
      scope.checkpoint,
      scope.kiosk,
      p.instance,
      null,
      stamp,
      now,
      'kiosk-id-conflict',
      null,
      '[]',
      null,
      null,
      p.lane,
      JSON.stringify({ instances }),
    ],
  ]);
  await c.query(sql, q.values);
  return instances;
}
