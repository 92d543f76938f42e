// The shared history at the command centre (spec/policy.md "Shared history"): who is inside each area now
// (the permits whose newest let-through passage there is `in`), kept current as passages arrive in any
// order, and the late passback: passages that reached us late showing one permit entering an area twice
// without leaving, which no kiosk could see at the time. Raised once per pair of passages.
import { randomUUID } from 'node:crypto';
import type { Db, Migration } from '../../src/base/db.js';
import { areaName } from '../../src/contract/areas.js';
import type { PassagePayload } from '../../src/contract/mqtt.js';
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import { parseStatus } from './rows.js';
import type { AreaView } from './types.js';

/** A passage that reaches the command centre this long after it happened arrived late. */
export const LATE_MS = 120_000;
/** Two entries further apart than this are not one permit used twice (the kiosks' antiPassbackHours). */
const PASSBACK_WINDOW_MS = 24 * 3_600_000;

export const PRESENCE_MIGRATION: Migration = {
  version: 4,
  name: 'shared history: who is inside each area, late passbacks raised once',
  sql: `
    CREATE TABLE presence (
      area TEXT NOT NULL,
      permit TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      at_ms INTEGER NOT NULL,
      passage TEXT NOT NULL,
      PRIMARY KEY (area, permit)
    ) WITHOUT ROWID;
    CREATE INDEX presence_inside ON presence (area) WHERE direction = 'in';
    INSERT INTO presence (area, permit, direction, at_ms, passage)
      SELECT area, permit, direction, at_ms, id FROM (
        SELECT area, permit, direction, at_ms, id,
          row_number() OVER (PARTITION BY area, permit ORDER BY at_ms DESC, seq DESC) AS n
        FROM passages WHERE let_through = 1)
      WHERE n = 1;
    CREATE INDEX passages_id ON passages (id);
    CREATE TABLE passbacks (first TEXT NOT NULL, second TEXT NOT NULL, PRIMARY KEY (first, second)) WITHOUT ROWID;
  `,
};

/** A let-through passage next to a late entry, in time, for its area and permit. */
export interface Neighbour {
  id: string;
  direction: 'in' | 'out';
  at_ms: number;
  kiosk_id: number;
}

/** A kiosk instance as a late-passback alert names it. */
export type KioskWhere = TopicScope & { instance: string; lane: string | null };

/** Whether a passage is looked at for a late passback: let through, in, not seen before, and late. */
export function isLateEntry(p: PassagePayload, again: boolean, nowMs: number): boolean {
  return p.letThrough && !again && p.direction === 'in' && nowMs - Date.parse(p.at) > LATE_MS;
}

/** The pairs around a late entry `me` that show its permit entering twice without leaving. */
export function passbackPairs(
  me: Neighbour,
  before?: Neighbour,
  after?: Neighbour,
): [Neighbour, Neighbour][] {
  const out: [Neighbour, Neighbour][] = [];
  for (const [first, second] of [
    [before, me],
    [me, after],
  ] as const) {
    if (!first || !second || first.direction !== 'in' || second.direction !== 'in') continue;
    if (second.at_ms - first.at_ms > PASSBACK_WINDOW_MS) continue;
    out.push([first, second]);
  }
  return out;
}

/** The late-passback alert's event columns, from `id` to `detail` (events' own order), on either database. */
export function passbackEvent(
  p: PassagePayload,
  first: Neighbour,
  second: Neighbour,
  kioskOf: (id: number) => KioskWhere | undefined,
  nowMs: number,
): unknown[] {
  const where = (n: Neighbour) => {
    const k = kioskOf(n.kiosk_id);
    return {
      checkpoint: k?.checkpoint ?? null,
      kiosk: k?.kiosk ?? null,
      at: new Date(n.at_ms).toISOString(),
    };
  };
  const k = kioskOf(second.kiosk_id);
  return [
    randomUUID(),
    k?.district ?? '',
    k?.checkpoint ?? '',
    k?.kiosk ?? null,
    k?.instance ?? null,
    null,
    second.at_ms,
    nowMs,
    'late-passback',
    null,
    '["ALREADY_INSIDE"]',
    p.permit,
    'in',
    k?.lane ?? null,
    JSON.stringify({ area: p.area, entries: [where(first), where(second)] }),
  ];
}

export class Presence {
  private readonly s;

  constructor(db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      seen: p('SELECT 1 FROM passages WHERE id = ? LIMIT 1'),
      upsert: p(`INSERT INTO presence (area, permit, direction, at_ms, passage) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (area, permit) DO UPDATE SET direction = excluded.direction, at_ms = excluded.at_ms,
        passage = excluded.passage WHERE excluded.at_ms > presence.at_ms`),
      before: p(`SELECT id, direction, at_ms, kiosk_id FROM passages WHERE area = ? AND permit = ?
        AND let_through = 1 AND at_ms < ? AND id <> ? ORDER BY at_ms DESC LIMIT 1`),
      after: p(`SELECT id, direction, at_ms, kiosk_id FROM passages WHERE area = ? AND permit = ?
        AND let_through = 1 AND at_ms > ? AND id <> ? ORDER BY at_ms LIMIT 1`),
      pair: p('INSERT OR IGNORE INTO passbacks (first, second) VALUES (?, ?)'),
      scopeOf: p('SELECT district, checkpoint, kiosk, instance, lane FROM kiosks WHERE id = ?'),
      event: p(`INSERT INTO events (id, district, checkpoint, kiosk, instance, kiosk_seq, at_ms, received_ms,
        kind, decision, reasons, permit, direction, lane, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      inside: p(`SELECT area, count(*) AS n FROM presence WHERE direction = 'in' GROUP BY area`),
      kiosks: p('SELECT district, checkpoint, status FROM kiosks'),
    };
  }

  /**
   * Whether a message about this passage was stored before: a second one (let through by an override of
   * an ALREADY_INSIDE the kiosk saw live) is a guard's decision on record, not a late discovery.
   */
  seen(passageId: string): boolean {
    return this.s.seen.get(passageId) !== undefined;
  }

  /**
   * After a passage message is stored, inside the ingest transaction: who is inside, and whether it
   * shows a late passback (raised once). Returns whether it raised one.
   */
  apply(kioskId: number, p: PassagePayload, again: boolean, nowMs: number): boolean {
    if (!p.letThrough) return false;
    const atMs = Date.parse(p.at);
    this.s.upsert.run(p.area, p.permit, p.direction, atMs, p.id);
    if (!isLateEntry(p, again, nowMs)) return false;
    const before = this.s.before.get(p.area, p.permit, atMs, p.id) as Neighbour | undefined;
    const after = this.s.after.get(p.area, p.permit, atMs, p.id) as Neighbour | undefined;
    const me: Neighbour = { id: p.id, direction: 'in', at_ms: atMs, kiosk_id: kioskId };
    let raised = false;
    for (const [first, second] of passbackPairs(me, before, after)) {
      if (this.s.pair.run(first.id, second.id).changes === 0) continue;
      const kioskOf = (id: number) => this.s.scopeOf.get(id) as KioskWhere | undefined;
      this.s.event.run(...passbackEvent(p, first, second, kioskOf, nowMs));
      raised = true;
    }
    return raised;
  }

  /** The people inside each `lockdown` and `green-zone` area, with the checkpoints that guard it. */
  areas(): AreaView[] {
    return areasOf(this.s.kiosks.all() as GuardRow[], this.s.inside.all() as { area: string; n: number }[]);
  }
}

/** A kiosk row as far as the areas need it: its status names its checkpoint's area and kind. */
export interface GuardRow {
  district: string;
  checkpoint: string;
  status: string | null;
}

/** The guarded areas from the kiosks' statuses and the count inside each, on either database. */
export function areasOf(
  kiosks: readonly GuardRow[],
  inside: readonly { area: string; n: number }[],
): AreaView[] {
  const guarded = new Map<string, AreaView>();
  for (const row of kiosks) {
    const st = parseStatus(row.status);
    const area = st?.area;
    const kind = st?.checkpointKind;
    if (!area || (kind !== 'lockdown' && kind !== 'green-zone')) continue;
    let a = guarded.get(area);
    if (!a) {
      a = { area, name: areaName(area) ?? null, kind, inside: 0, checkpoints: [] };
      guarded.set(area, a);
    }
    const cp = a.checkpoints.find((c) => c.district === row.district && c.checkpoint === row.checkpoint);
    if (cp) cp.kiosks++;
    else a.checkpoints.push({ district: row.district, checkpoint: row.checkpoint, kiosks: 1 });
  }
  for (const r of inside) {
    const a = guarded.get(r.area);
    if (a) a.inside = r.n;
  }
  return [...guarded.values()].sort((x, y) => x.area.localeCompare(y.area));
}
