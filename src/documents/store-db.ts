// SQL for the document store (migration 2): held documents, the revocation buckets, the document log.

import type { Db } from '../base/db.js';
import type { ApiError } from '../contract/api.js';
import { BUCKETS, type RevocationIndex, yieldToLoop } from './revocation-index.js';

export interface DocumentRow {
  slot: string;
  typ: string;
  version: number;
  issued: number;
  digest: string;
  jws: string | null;
  generation: number | null;
  entries: number | null;
  full_digest: string | null;
  applied_ms: number;
}

export interface DocumentLogEntry {
  id: number;
  atMs: number;
  source: string;
  typ: string;
  version: number | null;
  applied: boolean;
  error: ApiError | null;
}

/** Buckets per transaction when a generation is written or dropped: ~256 KB at a million entries, a
 * millisecond or so on the scan thread (a WAL checkpoint, every ~4 MB, takes 10-20 ms here). */
const BUCKETS_PER_TRANSACTION = 32;

export class DocumentDb {
  private readonly s: ReturnType<typeof prepare>;

  constructor(readonly db: Db) {
    this.s = prepare(db);
  }

  rows(): DocumentRow[] {
    return this.s.rows.all() as DocumentRow[];
  }

  upsert(row: DocumentRow): void {
    this.s.upsert.run(row);
  }

  remove(slot: string): void {
    this.s.remove.run(slot);
  }

  log(e: Omit<DocumentLogEntry, 'id'> & { digest: string | null }): void {
    this.s.log.run(
      e.atMs,
      e.source,
      e.typ,
      e.version,
      e.applied ? 1 : 0,
      e.error?.code ?? null,
      e.error?.vi ?? null,
      e.error?.en ?? null,
      e.digest,
    );
  }

  /** Newest first. */
  recentLog(limit: number): DocumentLogEntry[] {
    const rows = this.s.recentLog.all(Math.max(1, Math.min(1000, Math.trunc(limit) || 1))) as {
      id: number;
      at_ms: number;
      source: string;
      typ: string;
      version: number | null;
      applied: number;
      error_code: string | null;
      error_vi: string | null;
      error_en: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      atMs: r.at_ms,
      source: r.source,
      typ: r.typ,
      version: r.version,
      applied: r.applied === 1,
      error: r.error_code ? { code: r.error_code, vi: r.error_vi ?? '', en: r.error_en ?? '' } : null,
    }));
  }

  loadBuckets(generation: number): Buffer[] | null {
    const rows = this.s.buckets.all(generation) as { bucket: number; data: Buffer }[];
    if (rows.length !== BUCKETS) return null;
    return rows.map((r) => r.data);
  }

  nextGeneration(): number {
    return ((this.s.maxGeneration.get() as { g: number | null }).g ?? 0) + 1;
  }

  /**
   * Writes every bucket of an index as a new generation, a few buckets per transaction with the event
   * loop served in between. Nothing reads a generation until the documents row points at it.
   */
  async writeGeneration(generation: number, index: RevocationIndex, abort: () => boolean): Promise<void> {
    this.s.dropGeneration.run(generation);
    for (let b = 0; b < BUCKETS; b += BUCKETS_PER_TRANSACTION) {
      if (abort()) return; // the half-written generation is dropped at the next load
      this.db.transaction(() => {
        for (let i = b; i < Math.min(BUCKETS, b + BUCKETS_PER_TRANSACTION); i++) {
          this.s.putBucket.run(generation, i, index.bucket(i));
        }
      })();
      await yieldToLoop();
    }
  }

  /** Rewrites only the touched buckets of the current generation; run inside the caller's transaction. */
  replaceBuckets(generation: number, index: RevocationIndex, touched: readonly number[]): void {
    for (const b of touched) this.s.putBucket.run(generation, b, index.bucket(b));
  }

  /**
   * Drops generations other than `keep` (a replaced list, or one left half-written by a crash), a slice
   * of buckets per statement with the event loop served in between.
   */
  async dropOtherGenerations(keep: number | null): Promise<void> {
    for (const { generation } of this.s.generations.all() as { generation: number }[]) {
      if (generation === keep) continue;
      for (let b = 0; b < BUCKETS; b += BUCKETS_PER_TRANSACTION) {
        this.s.dropSlice.run(generation, b, b + BUCKETS_PER_TRANSACTION - 1);
        await yieldToLoop();
      }
    }
  }
}

function prepare(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  return {
    rows: p('SELECT * FROM documents ORDER BY slot'),
    upsert:
      p(`INSERT INTO documents (slot, typ, version, issued, digest, jws, generation, entries, full_digest,
      applied_ms) VALUES (@slot, @typ, @version, @issued, @digest, @jws, @generation, @entries, @full_digest,
      @applied_ms) ON CONFLICT (slot) DO UPDATE SET typ = excluded.typ, version = excluded.version,
      issued = excluded.issued, digest = excluded.digest, jws = excluded.jws, generation = excluded.generation,
      entries = excluded.entries, full_digest = excluded.full_digest, applied_ms = excluded.applied_ms`),
    remove: p('DELETE FROM documents WHERE slot = ?'),
    log: p(`INSERT INTO document_log (at_ms, source, typ, version, applied, error_code, error_vi, error_en,
      digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    recentLog: p('SELECT * FROM document_log ORDER BY id DESC LIMIT ?'),
    buckets: p('SELECT bucket, data FROM revocation_buckets WHERE generation = ? ORDER BY bucket'),
    putBucket: p(`INSERT INTO revocation_buckets (generation, bucket, data) VALUES (?, ?, ?)
      ON CONFLICT (generation, bucket) DO UPDATE SET data = excluded.data`),
    maxGeneration: p('SELECT MAX(generation) AS g FROM revocation_buckets'),
    generations: p('SELECT DISTINCT generation FROM revocation_buckets'),
    dropGeneration: p('DELETE FROM revocation_buckets WHERE generation = ?'),
    dropSlice: p('DELETE FROM revocation_buckets WHERE generation = ? AND bucket BETWEEN ? AND ?'),
  };
}
