// The document store's public types: what an apply returns, what a scan reads, the options.
import type { KeyObject } from 'node:crypto';
import type { ApiError } from '../contract/api.js';
import type { CheckpointConfig, ZoneLevel } from '../contract/checkpoint.js';
import type { ConfigLevel } from '../contract/mqtt-topics.js';
import type { TrustList } from './trust-list.js';
import type { ZoneMap } from './zones.js';

/** Is a permit revoked (by its hash)? What the policy asks of the revocation list. */
export interface RevocationLookup {
  has(hash: string): boolean;
}

/** The zone level of an area code. What the policy asks of the zone map. */
export interface ZoneLookup {
  levelOf(code: string): ZoneLevel;
}

export interface DocumentResult {
  typ: string;
  /** The document's version; for a refusal, the version it claims when that can be read, else null. */
  version: number | null;
  applied: boolean;
  error?: ApiError;
  /** Byte-identical to a document held already (a retained copy at reconnect): not logged, not acked. */
  unchanged?: true;
  /**
   * The decision could not be recorded (its log row, ack or audit event failed to write): nothing
   * changed, nothing was acked. The fault; the document may be given again.
   */
  unrecorded?: ApiError;
}

/** What a scan reads: replaced as a whole after each commit, never changed in place. */
export interface DocumentsSnapshot {
  /** The local checkpoint file with the signed policy patches (`*`, then this checkpoint's) applied. */
  checkpoint: CheckpointConfig;
  trust: TrustList | null;
  /** The revocation list held (empty when none): its entry count, and lookups by permit hash. */
  revocations: RevocationLookup & { readonly size: number };
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
  /** This kiosk's id within its checkpoint: its own config slot. */
  kioskId?: string;
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
  /** Appends each decision to the audit hash chain, inside the transaction that records it. */
  audit?: (event: DocumentAuditEvent) => void;
}

export interface DocumentAuditEvent {
  atMs: number;
  kind: 'document';
  details: {
    typ: string;
    version: number | null;
    applied: boolean;
    error: string | null;
    source: string;
    digest: string | null;
  };
}

export interface ApplyOptions {
  /** Where the document came from, for the log: `file:<path>`, `mqtt:<topic>`. */
  source: string;
  /** Revocations: the mode the topic carries; a document of the other mode is refused. */
  mode?: 'full' | 'delta';
  /**
   * Runs inside the transaction that records the decision (the downlink queues its ack there); a throw
   * rolls the decision back, so a change is never in effect without its ack queued.
   */
  onDecided?: (result: DocumentResult) => void;
  /**
   * Config: the topic's level (spec/mqtt.md). A district's config is `*` and held as `config:*`; a
   * checkpoint's and a kiosk's name this checkpoint and are held apart; the most specific wins.
   */
  level?: ConfigLevel;
}
