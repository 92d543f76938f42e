// The signed documents a kiosk holds (spec/permit-format.md §2): trust list, revocations, zone map and
// checkpoint config. Each is verified against the pinned root key before anything changes, applied in
// one transaction, versions only move forward, and every decision is logged (document_log). Scans read
// an immutable snapshot that is swapped only after a commit, so a change applies to the next scan.
import { createHash, type KeyObject } from 'node:crypto';
import { KioskError } from '../api/errors.js';
import type { ApiError } from '../api/schema.js';
import { type CheckpointConfig, Policy } from '../config/checkpoint.js';
import type { Db } from '../store/db.js';
import { claimedVersion, documentText, verifyAs } from './inspect.js';
import { DOCUMENT_TYPES, type DocumentKind } from './jws.js';
import { asRefusal, fullListNeeded, refusal, stale, tooLarge } from './refusal.js';
import { RevocationIndex, subtractSorted, yieldToLoop } from './revocation-index.js';
import {
  type RevocationsRead,
  readRevocations,
  readRevocationsOffThread,
  stopRevocationWorkers,
  WORKER_HEAP_MB,
} from './revocation-read.js';
import { ConfigPayload, describeZodError } from './schemas.js';
import { DocumentDb, type DocumentLogEntry, type DocumentRow } from './store-db.js';
import { buildTrustList, type TrustList } from './trust-list.js';
import { buildZoneMap, type ZoneMap } from './zones.js';

export type { DocumentLogEntry } from './store-db.js';

export interface DocumentResult {
  typ: string;
  /** The document's version; for a refusal, the version it claims when that can be read, else null. */
  version: number | null;
  applied: boolean;
  error?: ApiError;
  /** Byte-identical to a document held already (a retained copy at reconnect): not logged, not acked. */
  unchanged?: true;
}

/** What a scan reads: replaced as a whole after each commit, never changed in place. */
export interface DocumentsSnapshot {
  /** The local checkpoint file with the signed policy patches (`*`, then this checkpoint's) applied. */
  checkpoint: CheckpointConfig;
  trust: TrustList | null;
  revocations: RevocationIndex;
  zones: ZoneMap | null;
  /** The newest `issued` of the held documents, epoch ms: the clock check's reference. */
  newestIssuedMs: number | null;
}

export interface HeldDocument {
  slot: string;
  typ: string;
  version: number;
  issued: number;
  appliedMs: number;
  entries: number | null;
}

export interface DocumentStoreOptions {
  /** The pinned root public key of the command centre. */
  root: KeyObject;
  /** The local checkpoint file; signed configs replace fields of its policy. */
  checkpoint: CheckpointConfig;
  now?: () => number;
  /** Larger documents are refused unread (a full list of a million entries is ~85 MiB). */
  maxBytes?: number;
  /** Revocation documents above this size are read in a worker thread. */
  offThreadBytes?: number;
  /** The worker's JS heap cap (MB); a document that needs more is refused TOO_LARGE. */
  workerHeapMb?: number;
}

export interface ApplyOptions {
  /** Where the document came from, for the log: `file:<path>`, `mqtt:<topic>`. */
  source: string;
  /** Revocations: the mode the topic carries; a document of the other mode is refused. */
  mode?: 'full' | 'delta';
  /** Runs inside the transaction that records the decision (the downlink queues its ack there). */
  onDecided?: (result: DocumentResult) => void;
}

export const DEFAULT_MAX_DOCUMENT_BYTES = 128 * 2 ** 20;
const DEFAULT_OFF_THREAD_BYTES = 2 ** 20;
/** A delta that changes more buckets than this is written as a new generation, off the scan path. */
const IN_PLACE_BUCKETS = 512;
const DIGEST_SLICE = 4 * 2 ** 20;

type Built =
  | { kind: 'trust'; version: number; issued: number; trust: TrustList }
  | { kind: 'zones'; version: number; issued: number; zones: ZoneMap }
  | { kind: 'config'; version: number; issued: number; config: ConfigPayload };

export class DocumentStore {
  private readonly sql: DocumentDb;
  private readonly held = new Map<string, DocumentRow>();
  private trust: TrustList | null = null;
  private zones: ZoneMap | null = null;
  private readonly configs = new Map<string, ConfigPayload>();
  private revocations = RevocationIndex.empty();
  private snap: DocumentsSnapshot;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    db: Db,
    private readonly opts: DocumentStoreOptions,
  ) {
    this.sql = new DocumentDb(db);
    this.snap = this.snapshot();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private get ownConfigSlot(): string {
    return `config:${this.opts.checkpoint.checkpoint.id}`;
  }

  /**
   * Loads what the database holds. Small documents are verified again (the pinned key may have changed,
   * the file may have been edited); one that fails is dropped and the drop is logged.
   */
  async load(): Promise<void> {
    for (const row of this.sql.rows()) {
      if (row.slot.startsWith('config:') && row.slot !== 'config:*' && row.slot !== this.ownConfigSlot)
        continue;
      try {
        if (row.slot === 'revocations') {
          const buckets = row.generation === null ? null : this.sql.loadBuckets(row.generation);
          const index = buckets && RevocationIndex.fromBuckets(buckets);
          if (!index || index.size !== row.entries) {
            throw refusal(
              'STORE_FAILED',
              'Danh sách thu hồi lưu trong máy bị hỏng',
              'The stored revocation list is damaged',
            );
          }
          this.revocations = index;
        } else {
          const kind = row.slot.startsWith('config:') ? 'config' : (row.slot as DocumentKind);
          this.install(await this.build(kind, row.jws ?? ''));
        }
        this.held.set(row.slot, row);
      } catch (err) {
        const error = asRefusal(err);
        this.sql.db.transaction(() => {
          this.sql.remove(row.slot);
          this.sql.log({
            atMs: this.now(),
            source: 'store',
            typ: row.typ,
            version: row.version,
            applied: false,
            error,
            digest: row.digest,
          });
        })();
        console.error(`documents: dropped the stored ${row.slot} v${row.version}: ${error.en}`);
      }
    }
    await this.sql.dropOtherGenerations(this.held.get('revocations')?.generation ?? null);
    this.refresh();
  }

  current(): DocumentsSnapshot {
    return this.snap;
  }

  heldDocuments(): HeldDocument[] {
    return [...this.held.values()].map((r) => ({
      slot: r.slot,
      typ: r.typ,
      version: r.version,
      issued: r.issued,
      appliedMs: r.applied_ms,
      entries: r.entries,
    }));
  }

  /** The document log, newest first. */
  log(limit = 100): DocumentLogEntry[] {
    return this.sql.recentLog(limit);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Verifies and applies one document; never throws. Documents are applied one at a time, in the
   * order they arrive (a delta waits for the full list before it).
   */
  apply(kind: DocumentKind, raw: string | Uint8Array, opts: ApplyOptions): Promise<DocumentResult> {
    const next = this.queue.then(() => this.applyNow(kind, raw, opts));
    this.queue = next.catch(() => {});
    return next;
  }

  /** Stops accepting documents, ends a running worker, and waits for the document being applied. */
  async stop(): Promise<void> {
    this.stopped = true;
    await stopRevocationWorkers();
    await this.queue;
  }

  private async applyNow(
    kind: DocumentKind,
    raw: string | Uint8Array,
    opts: ApplyOptions,
  ): Promise<DocumentResult> {
    const typ = DOCUMENT_TYPES[kind];
    const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
    const maxBytes = this.opts.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    if (size > maxBytes) return this.refuse(typ, null, tooLarge(size, maxBytes), opts, null);
    if (this.stopped)
      return {
        typ,
        version: null,
        applied: false,
        error: refusal('STORE_FAILED', 'Máy đang dừng', 'The kiosk is stopping').toJSON(),
      };
    const digest = await digestOf(raw);
    for (const row of this.held.values()) {
      if (row.typ !== typ) continue;
      if (row.digest === digest || row.full_digest === digest) {
        return { typ, version: row.version, applied: false, unchanged: true };
      }
    }
    const known: { version: number | null } = { version: null };
    try {
      if (kind === 'revocations') return await this.applyRevocations(raw, size, digest, opts, known);
      const text = documentText(raw);
      const built = await this.build(kind, text);
      known.version = built.version;
      const slot = this.slotOf(built);
      const held = this.held.get(slot);
      if (held && built.version <= held.version) throw stale(built.version, held.version);
      const row: DocumentRow = {
        slot,
        typ,
        version: built.version,
        issued: built.issued,
        digest,
        jws: text,
        generation: null,
        entries: null,
        full_digest: null,
        applied_ms: this.now(),
      };
      const result: DocumentResult = { typ, version: built.version, applied: true };
      this.commit(row, result, opts, () => this.install(built));
      return result;
    } catch (err) {
      return this.refuse(typ, known.version ?? claimedVersion(raw), err, opts, digest);
    }
  }

  private async applyRevocations(
    raw: string | Uint8Array,
    size: number,
    digest: string,
    opts: ApplyOptions,
    known: { version: number | null },
  ): Promise<DocumentResult> {
    const typ = DOCUMENT_TYPES.revocations;
    const read = await this.readRevocations(raw, size);
    known.version = read.version;
    if (opts.mode && read.mode !== opts.mode) {
      throw refusal(
        'WRONG_TOPIC',
        `Danh sách ${read.mode === 'full' ? 'đầy đủ' : 'bổ sung'} gửi sai chủ đề (chủ đề này nhận danh sách ${opts.mode === 'full' ? 'đầy đủ' : 'bổ sung'})`,
        `A ${read.mode} list on the topic for ${opts.mode} lists`,
      );
    }
    const held = this.held.get('revocations');
    if (held && read.version <= held.version) throw stale(read.version, held.version);
    if (read.mode === 'delta' && (!held || held.version !== read.base))
      throw fullListNeeded(read.base, held?.version ?? null);

    let index: RevocationIndex;
    let touched: number[] | null = null;
    if (read.mode === 'full') index = RevocationIndex.fromSorted(subtractSorted(read.add, read.remove));
    else ({ index, touched } = await this.revocations.withDelta(read.add, read.remove));
    const inPlace = touched !== null && touched.length <= IN_PLACE_BUCKETS && held?.generation != null;
    const generation = inPlace ? held!.generation! : this.sql.nextGeneration();
    if (!inPlace) await this.sql.writeGeneration(generation, index);
    if (this.stopped)
      return {
        typ,
        version: read.version,
        applied: false,
        error: refusal('STORE_FAILED', 'Máy đang dừng', 'The kiosk is stopping').toJSON(),
      };

    const row: DocumentRow = {
      slot: 'revocations',
      typ,
      version: read.version,
      issued: read.issued,
      digest,
      jws: null,
      generation,
      entries: index.size,
      full_digest: read.mode === 'full' ? digest : (held?.full_digest ?? null),
      applied_ms: this.now(),
    };
    const result: DocumentResult = { typ, version: read.version, applied: true };
    this.commit(
      row,
      result,
      opts,
      () => {
        this.revocations = index;
      },
      () => {
        if (inPlace && touched) this.sql.replaceBuckets(generation, index, touched);
      },
    );
    if (!inPlace) await this.sql.dropOtherGenerations(generation);
    return result;
  }

  private async readRevocations(raw: string | Uint8Array, size: number): Promise<RevocationsRead> {
    if (size <= (this.opts.offThreadBytes ?? DEFAULT_OFF_THREAD_BYTES))
      return readRevocations(raw, this.opts.root);
    try {
      return await readRevocationsOffThread(raw, this.opts.root, this.opts.workerHeapMb);
    } catch (err) {
      if (err instanceof KioskError) throw err; // the document's own refusal
      if (this.stopped) throw err;
      if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const heapMb = this.opts.workerHeapMb ?? WORKER_HEAP_MB;
        throw refusal(
          'TOO_LARGE',
          `Danh sách thu hồi quá lớn để đọc (vượt ${heapMb} MB bộ nhớ)`,
          `The revocation list is too large to read (over ${heapMb} MB of memory)`,
        );
      }
      // The worker could not run (a packaging without the worker file): read here, slower but correct.
      console.warn(
        'documents: revocation worker failed, reading in the main thread:',
        (err as Error).message,
      );
      return readRevocations(raw, this.opts.root);
    }
  }

  /** Records an applied document and its log row in one transaction, then swaps the snapshot. */
  private commit(
    row: DocumentRow,
    result: DocumentResult,
    opts: ApplyOptions,
    install: () => void,
    extra?: () => void,
  ): void {
    this.sql.db
      .transaction(() => {
        extra?.();
        this.sql.upsert(row);
        this.sql.log({
          atMs: row.applied_ms,
          source: opts.source,
          typ: row.typ,
          version: row.version,
          applied: true,
          error: null,
          digest: row.digest,
        });
        opts.onDecided?.(result);
      })
      .immediate();
    this.held.set(row.slot, row);
    install();
    this.refresh();
  }

  private refuse(
    typ: string,
    version: number | null,
    err: unknown,
    opts: ApplyOptions,
    digest: string | null,
  ): DocumentResult {
    const error = asRefusal(err);
    const result: DocumentResult = { typ, version, applied: false, error };
    if (this.stopped) return result;
    try {
      this.sql.db.transaction(() => {
        this.sql.log({ atMs: this.now(), source: opts.source, typ, version, applied: false, error, digest });
        opts.onDecided?.(result);
      })();
    } catch (logErr) {
      console.error('documents: could not log a refusal:', (logErr as Error).message);
    }
    return result;
  }

  /** Verifies a small document and builds what scans use from it. Throws refusals. */
  private async build(kind: DocumentKind, text: string): Promise<Built> {
    const payload = await verifyAs(kind, text, this.opts.root);
    switch (kind) {
      case 'trust': {
        const trust = buildTrustList(payload);
        return { kind, version: trust.version, issued: trust.issued, trust };
      }
      case 'zones': {
        const zones = buildZoneMap(payload);
        return { kind, version: zones.version, issued: zones.issued, zones };
      }
      case 'config': {
        const parsed = ConfigPayload.safeParse(payload);
        if (!parsed.success) {
          const detail = describeZodError(parsed.error);
          throw refusal('MALFORMED', `Cấu hình sai: ${detail}`, `Malformed config: ${detail}`);
        }
        return { kind, version: parsed.data.version, issued: parsed.data.issued, config: parsed.data };
      }
      case 'revocations':
        throw new Error('revocations are read by readRevocations');
    }
  }

  private slotOf(built: Built): string {
    if (built.kind !== 'config') return built.kind;
    const target = built.config.checkpoint;
    const id = this.opts.checkpoint.checkpoint.id;
    if (target !== '*' && target !== id) {
      throw refusal(
        'NOT_THIS_CHECKPOINT',
        `Cấu hình dành cho chốt ${target}, không phải chốt ${id}`,
        `The config is for checkpoint ${target}, not ${id}`,
      );
    }
    return `config:${target}`;
  }

  private install(built: Built): void {
    if (built.kind === 'trust') this.trust = built.trust;
    else if (built.kind === 'zones') this.zones = built.zones;
    else this.configs.set(`config:${built.config.checkpoint}`, built.config);
  }

  private snapshot(): DocumentsSnapshot {
    const local = this.opts.checkpoint;
    // A signed patch replaces whole top-level policy fields: `*` first, then this checkpoint's own.
    const patches = [this.configs.get('config:*'), this.configs.get(this.ownConfigSlot)];
    const policy = Policy.parse(Object.assign({}, local.policy, ...patches.map((p) => p?.policy ?? {})));
    let newest: number | null = null;
    for (const row of this.held.values()) newest = Math.max(newest ?? 0, row.issued * 1000);
    return Object.freeze({
      checkpoint: { ...local, policy },
      trust: this.trust,
      revocations: this.revocations,
      zones: this.zones,
      newestIssuedMs: newest,
    });
  }

  private refresh(): void {
    this.snap = this.snapshot();
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        console.error('documents: change listener failed', err);
      }
    }
  }
}

/** SHA-256 hex of the raw bytes; large inputs are hashed in slices with the event loop served between. */
async function digestOf(raw: string | Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  for (let at = 0; at < bytes.byteLength; at += DIGEST_SLICE) {
    hash.update(bytes.subarray(at, at + DIGEST_SLICE));
    if (at + DIGEST_SLICE < bytes.byteLength) await yieldToLoop();
  }
  return hash.digest('hex');
}
