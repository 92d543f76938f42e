// The shared history's store (spec/policy.md "Shared history"): the let-through passages of the other
// kiosks of this kiosk's area, kept for antiPassbackHours. Facts for anti-passback only: not this
// kiosk's passages, never counted, never sent on. Arrivals are buffered and written in one transaction a
// few times a second, so that a busy district's traffic costs the lane one fsync per flush, not one per
// passage; a lookup reads the buffer too, so nothing heard is missed in between.
import type { Db, Migration } from '../base/db.js';
import type { Direction } from '../contract/reasons.js';
import type { LetThrough } from '../lane/types.js';

export const MIGRATION_9: Migration = {
  version: 9,
  name: 'shared history: the let-through passages of the area’s other kiosks',
  // Keyed for the one lookup anti-passback makes (a permit's newest passage in the area); the id in
  // the key makes a message heard twice (a republish) one row.
  sql: `
    CREATE TABLE peer_passages (
      permit BLOB NOT NULL,
      area TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      direction_in INTEGER NOT NULL CHECK (direction_in IN (0, 1)),
      id BLOB NOT NULL,
      PRIMARY KEY (permit, area, at_ms, id)
    ) WITHOUT ROWID;
    CREATE INDEX peer_passages_at ON peer_passages (at_ms);
  `,
};

/** Heard but not yet written, at most: the newest are kept. */
const MAX_PENDING = 100_000;

export interface PeerPassage {
  /** The passage's UUID (the same in every message about it). */
  id: string;
  /** hex(SHA-256(iss "/" cti)). */
  permit: string;
  area: string;
  direction: Direction;
  atMs: number;
}

export interface PeerStoreStats {
  rows: number;
  pending: number;
  /** Pages the table and its index take in the database file, in bytes. */
  bytes: number;
}

export class PeerPassages {
  private readonly s;
  private pending: PeerPassage[] = [];

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insert: p(`INSERT OR IGNORE INTO peer_passages (permit, area, at_ms, direction_in, id)
        VALUES (?, ?, ?, ?, ?)`),
      newest: p(`SELECT at_ms AS atMs, direction_in AS dirIn FROM peer_passages
        WHERE permit = ? AND area = ? AND at_ms >= ? ORDER BY at_ms DESC LIMIT 1`),
      nth: p('SELECT at_ms AS atMs FROM peer_passages WHERE at_ms < ? ORDER BY at_ms LIMIT 1 OFFSET ?'),
      prune: p('DELETE FROM peer_passages WHERE at_ms < ?'),
      count: p('SELECT count(*) AS n FROM peer_passages'),
    };
  }

  /** Heard from the broker: written at the next flush, seen by lookups at once. */
  add(p: PeerPassage): void {
    this.pending.push(p);
  }

  /** Writes what was heard since the last flush, in one transaction. Returns how many were new. */
  flush(): number {
    if (this.pending.length === 0) return 0;
    const batch = this.pending;
    // Kept until written: a failed write (a full disk) leaves them buffered, still looked up, bounded.
    if (batch.length > MAX_PENDING) batch.splice(0, batch.length - MAX_PENDING);
    const n = this.db.transaction(() => {
      let n = 0;
      for (const p of batch) {
        n += this.s.insert.run(
          Buffer.from(p.permit, 'hex'),
          p.area,
          p.atMs,
          p.direction === 'in' ? 1 : 0,
          Buffer.from(p.id.replace(/-/g, ''), 'hex'),
        ).changes;
      }
      return n;
    })();
    this.pending = [];
    return n;
  }

  /** The permit's newest let-through passage in the area at or after sinceMs, at any peer kiosk. */
  lastLetThrough(permit: string, area: string, sinceMs: number): LetThrough | null {
    const row = this.s.newest.get(Buffer.from(permit, 'hex'), area, sinceMs) as
      | { atMs: number; dirIn: number }
      | undefined;
    let best: LetThrough | null = row ? { direction: row.dirIn ? 'in' : 'out', atMs: row.atMs } : null;
    for (const p of this.pending) {
      if (p.permit !== permit || p.area !== area || p.atMs < sinceMs) continue;
      if (!best || p.atMs > best.atMs) best = { direction: p.direction, atMs: p.atMs };
    }
    return best;
  }

  /** Forgets up to `limit` passages older than beforeMs; returns how many. Small slices keep scans fast. */
  prune(beforeMs: number, limit = 2000): number {
    const nth = this.s.nth.get(beforeMs, limit - 1) as { atMs: number } | undefined;
    return this.s.prune.run(nth ? Math.min(beforeMs, nth.atMs + 1) : beforeMs).changes;
  }

  stats(): PeerStoreStats {
    let bytes = 0;
    try {
      bytes = (
        this.db
          .prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat
            WHERE name IN ('peer_passages', 'peer_passages_at')`)
          .get() as { b: number }
      ).b;
    } catch {
      // dbstat is a compile-time option of SQLite; without it the size is unknown, not an error.
    }
    return { rows: (this.s.count.get() as { n: number }).n, pending: this.pending.length, bytes };
  }
}
