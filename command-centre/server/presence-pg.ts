// Who is inside each area, and the late passback (presence.ts), on PostgreSQL: applied to a batch inside
// its commit (store-pg-commit.ts). The batch's passages are stored in one statement; each is then looked
// at in the batch's order, seeing what was stored before it and nothing after it, so that a batch ends
// as SQLite's ledger ends it message by message. Aggregators sharing the database take turns per
// (area, permit): the presence row of each is written (so locked, even when not changed) before any
// late entry's neighbours are read, so a late entry sees every passage of its permit committed before.
import type { PoolClient } from 'pg';
import type { PassagePayload } from '../../src/contract/mqtt.js';
import { isLateEntry, type KioskWhere, type Neighbour, passbackEvent, passbackPairs } from './presence.js';

/** A passage message this batch counts (its (instance, seq) was not held before). */
export interface CountedPassage {
  kioskId: number;
  seq: number;
  p: PassagePayload;
}

const EVENT_COLUMNS =
  'id, district, checkpoint, kiosk, instance, kiosk_seq, at_ms, received_ms, kind, decision, reasons, permit, direction, lane, detail';

/** Before the batch's passages are stored: which of their ids a message stored before already carried. */
export async function seenBefore(c: PoolClient, items: readonly CountedPassage[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const r = await c.query('SELECT DISTINCT id FROM passages WHERE id = ANY($1::text[])', [
    [...new Set(items.map((i) => i.p.id))],
  ]);
  return new Set(r.rows.map((row) => row.id as string));
}

/** After the batch's passages are stored, in its transaction: presence, then any late passback. */
export async function applyPresence(
  c: PoolClient,
  items: readonly CountedPassage[],
  seenBefore: Set<string>,
  now: number,
): Promise<void> {
  const seen = new Set(seenBefore);
  const newest = new Map<string, PassagePayload>();
  const late: number[] = [];
  items.forEach(({ p }, i) => {
    const again = seen.has(p.id);
    seen.add(p.id);
    if (!p.letThrough) return;
    const key = `${p.area}\u0000${p.permit}`;
    const had = newest.get(key);
    // Message by message a later one replaces only a strictly newer passage: the first of a tie stays.
    if (!had || Date.parse(p.at) > Date.parse(had.at)) newest.set(key, p);
    if (isLateEntry(p, again, now)) late.push(i);
  });
  if (newest.size > 0) {
    // In one order on every aggregator: two batches waiting on each other's rows would deadlock.
    const ps = [...newest.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([, p]) => p);
    await c.query(
      `INSERT INTO presence (area, permit, direction, at_ms, passage)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
       ON CONFLICT (area, permit) DO UPDATE SET direction = excluded.direction, at_ms = excluded.at_ms,
       passage = excluded.passage WHERE excluded.at_ms > presence.at_ms`,
      [
        ps.map((p) => p.area),
        ps.map((p) => p.permit),
        ps.map((p) => p.direction),
        ps.map((p) => Date.parse(p.at)),
        ps.map((p) => p.id),
      ],
    );
  }
  for (const i of late) await lookForPassback(c, items, i, now);
}

/** The neighbours of a late entry among what was stored before it; each new pair raised once. */
async function lookForPassback(
  c: PoolClient,
  items: readonly CountedPassage[],
  i: number,
  now: number,
): Promise<void> {
  const { kioskId, p } = items[i]!;
  const atMs = Date.parse(p.at);
  const later = items.slice(i + 1);
  const near = async (side: 'before' | 'after') => {
    const r = await c.query(
      `SELECT id, direction, at_ms, kiosk_id FROM passages WHERE area = $1 AND permit = $2
         AND let_through = 1 AND at_ms ${side === 'before' ? '<' : '>'} $3 AND id <> $4
         AND NOT EXISTS (SELECT 1 FROM unnest($5::bigint[], $6::bigint[]) AS x(k, s)
           WHERE x.k = passages.kiosk_id AND x.s = passages.seq)
       ORDER BY at_ms ${side === 'before' ? 'DESC' : ''} LIMIT 1`,
      [p.area, p.permit, atMs, p.id, later.map((l) => l.kioskId), later.map((l) => l.seq)],
    );
    return r.rows[0] as Neighbour | undefined;
  };
  const me: Neighbour = { id: p.id, direction: 'in', at_ms: atMs, kiosk_id: kioskId };
  for (const [first, second] of passbackPairs(me, await near('before'), await near('after'))) {
    const pair = await c.query(
      'INSERT INTO passbacks (first, second) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [first.id, second.id],
    );
    if ((pair.rowCount ?? 0) === 0) continue;
    const kiosks = await c.query(
      'SELECT id, district, checkpoint, kiosk, instance, lane FROM kiosks WHERE id = ANY($1::bigint[])',
      [[first.kiosk_id, second.kiosk_id]],
    );
    const byId = new Map(kiosks.rows.map((k) => [Number(k.id), k as KioskWhere]));
    const row = passbackEvent(p, first, second, (id) => byId.get(id), now);
    await c.query(
      `INSERT INTO events (${EVENT_COLUMNS}) VALUES (${row.map((_, n) => `$${n + 1}`).join(', ')})`,
      row,
    );
  }
}
