// The signed documents a kiosk holds (spec/permit-format.md §2): trust list, revocations, zone map and
// checkpoint config. Each is verified against the pinned root key before anything changes, applied in
// one transaction, versions only move forward, and every decision is logged (document_log). Scans read
// an immutable snapshot that is swapped only after a commit, so a change applies to the next scan.
// Audit or nothing: the decision's audit event is the last write of its transaction, so a change whose
// audit record cannot be written is rolled back with its log row and its ack, and never takes effect.

import { EventBus } from '../base/bus.js';
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { Policy } from '../contract/checkpoint.js';
import { DOCUMENT_TYPES, type DocumentKind } from '../contract/document-jws.js';
import type { ConfigPayload } from '../contract/documents.js';
import { type Built, buildDocument, digestOf, slotOf } from './build.js';
import { claimedVersion, documentText } from './inspect.js';
import { asRefusal, auditFailed, fullListNeeded, refusal, stale, stopping, tooLarge } from './refusal.js';
import { RevocationIndex, subtractSorted } from './revocation-index.js';
import { readRevocationsSomewhere, stopRevocationWorkers } from './revocation-read.js';
import { DocumentDb, type DocumentLogEntry, type DocumentRow } from './store-db.js';
import type { TrustList } from './trust-list.js';
import type {
  ApplyOptions,
  DocumentResult,
  DocumentStoreOptions,
  DocumentsSnapshot,
  HeldDocument,
} from './types.js';
import type { ZoneMap } from './zones.js';

export type { DocumentLogEntry } from './store-db.js';
export type * from './types.js';

export const DEFAULT_MAX_DOCUMENT_BYTES = 128 * 2 ** 20;
/** A delta that changes more buckets than this is written as a new generation, off the scan path. */
const IN_PLACE_BUCKETS = 512;

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
  private readonly events = new EventBus<{ changed: undefined }>();

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

  /** Config slots in the order they apply: district, checkpoint, this kiosk (the most specific wins). */
  private get configSlots(): string[] {
    const c = this.opts.checkpoint.checkpoint.id;
    return ['config:*', `config:${c}`, `config:${c}/${this.opts.kioskId ?? ''}`];
  }

  /**
   * Loads what the database holds. Small documents are verified again (the pinned key may have changed,
   * the file may have been edited); one that fails is dropped and the drop is logged.
   */
  async load(): Promise<void> {
    for (const row of this.sql.rows()) {
      if (row.slot.startsWith('config:') && !this.configSlots.includes(row.slot)) continue;
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
          this.install(await buildDocument(kind, row.jws ?? '', this.opts.root), row.slot);
        }
        this.held.set(row.slot, row);
      } catch (err) {
        const error = asRefusal(err);
        // Not held either way; when the drop cannot be audited, the row stays for the next start.
        try {
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
            this.audit(
              this.now(),
              { typ: row.typ, version: row.version, applied: false, error },
              'store',
              row.digest,
            );
          })();
          log.error(`documents: dropped the stored ${row.slot} v${row.version}: ${error.en}`);
        } catch (dropErr) {
          log.error(
            `documents: the stored ${row.slot} v${row.version} is not used (${error.en}); its drop was not recorded:`,
            (dropErr as Error).message,
          );
        }
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
    return this.events.on('changed', listener);
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
    if (this.stopped) return { typ, version: null, applied: false, error: stopping() };
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
      const built = await buildDocument(kind, text, this.opts.root);
      known.version = built.version;
      const slot = slotOf(built, this.opts.checkpoint.checkpoint.id, opts.level, this.opts.kioskId);
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
      this.commit(row, result, opts, () => this.install(built, slot));
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
    const read = await readRevocationsSomewhere(raw, size, {
      root: this.opts.root,
      offThreadBytes: this.opts.offThreadBytes,
      workerHeapMb: this.opts.workerHeapMb,
      stopped: () => this.stopped,
    });
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
    if (!inPlace) await this.sql.writeGeneration(generation, index, () => this.stopped);
    if (this.stopped) return { typ, version: read.version, applied: false, error: stopping() };

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

  /**
   * Records an applied document, its log row, its ack (onDecided) and its audit event in one transaction,
   * then swaps the snapshot. Throws, having changed nothing, when any of them cannot be written.
   */
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
        // Last: a failure undoes everything above, the ack included.
        this.audit(row.applied_ms, result, opts.source, row.digest);
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
        const atMs = this.now();
        this.sql.log({ atMs, source: opts.source, typ, version, applied: false, error, digest });
        opts.onDecided?.(result);
        this.audit(atMs, result, opts.source, digest);
      })();
    } catch (logErr) {
      // Nothing changed, and nothing says so: no log row, no ack. The caller may try again.
      const fault = asRefusal(logErr);
      log.error(`documents: could not record the refusal of ${typ} (${error.code}): ${fault.en}`);
      return { ...result, unrecorded: fault };
    }
    return result;
  }

  /** A decision into the audit chain, inside its transaction: a failure throws AUDIT_FAILED, undoing it. */
  private audit(atMs: number, r: DocumentResult, source: string, digest: string | null): void {
    if (!this.opts.audit) return;
    try {
      this.opts.audit({
        atMs,
        kind: 'document',
        details: {
          typ: r.typ,
          version: r.version,
          applied: r.applied,
          error: r.error?.code ?? null,
          source,
          digest,
        },
      });
    } catch (err) {
      throw auditFailed(err);
    }
  }

  private install(built: Built, slot: string): void {
    if (built.kind === 'trust') this.trust = built.trust;
    else if (built.kind === 'zones') this.zones = built.zones;
    else this.configs.set(slot, built.config);
  }

  private snapshot(): DocumentsSnapshot {
    const local = this.opts.checkpoint;
    // A signed patch replaces whole top-level policy fields: the district's, then the checkpoint's, then
    // this kiosk's own.
    const patches = this.configSlots.map((slot) => this.configs.get(slot));
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
    this.events.emit('changed', undefined);
  }
}
