// The command centre's store as the aggregator and the dashboard see it: asynchronous, so that one
// interface runs on the embedded SQLite file (the default) and on a PostgreSQL server that aggregators
// on several machines share (store-pg.ts). The operators (accounts, sessions, audit chain, approvals)
// live in the same database, behind their own interface of promises (operator-store.ts).
import type { TopicScope } from '../../src/contract/mqtt-topics.js';
import type { Incoming } from './ingest.js';
import type { InstanceScope, Ledger, Receipt } from './ledger.js';
import type { OperatorStore } from './operator-store.js';
import { SqliteOperatorStore } from './operator-store-sqlite.js';
import type { HeldRevocations } from './publisher.js';
import type { Gap } from './snapshot.js';
import type { AreaView, CheckpointTotalsRow, HourView, Snapshot } from './types.js';

/** A classified message, as it came from the broker. */
export type Delivery = Incoming & { topic: string; retained: boolean };

export interface CommitResult {
  /** Kiosk instances whose ranges a message touched (new or a copy): each is owed a receipt. */
  touched: Set<number>;
  counted: number;
  duplicates: number;
  rejected: number;
  /** Kiosk ids found claimed by two live instances: the scope and the instances claiming it. */
  conflicts: { scope: TopicScope; instances: string[] }[];
}

export interface PublishedRecord {
  kind: string;
  typ: string;
  version: number;
  topic: string;
  retained: boolean;
  sha256: string;
}

export interface RevocationChange {
  full: boolean;
  add: string[];
  remove: string[];
}

export interface LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Stores a batch in one transaction: each numbered message unless its (instance, seq) is held,
   * statuses, rejections. Resolves once committed; rejects when nothing was stored.
   */
  commit(batch: readonly Delivery[], nowMs: number): Promise<CommitResult>;
  /** The instance's scope and its ranges held as a receipt, read after the commits it follows. */
  receipt(kioskId: number): Promise<{ scope: InstanceScope; receipt: Receipt } | null>;
  scopeOf(kioskId: number): Promise<InstanceScope | null>;
  findKiosk(scope: TopicScope, instance?: string): Promise<number | null>;
  firstGap(kioskId: number): Promise<Omit<Gap, 'kioskId'> | null>;
  gaps(nowMs: number): Promise<Gap[]>;
  snapshot(nowMs: number): Promise<Omit<Snapshot, 'broker' | 'keyId'>>;
  totals(): Promise<CheckpointTotalsRow[]>;
  /** The people inside each lockdown and green-zone area now, with the checkpoints that guard it. */
  areas(): Promise<AreaView[]>;
  /** The last 24 hours of some districts only, oldest first: a district account's curve. */
  hourlyOf(districts: readonly string[], nowMs: number): Promise<HourView[]>;
  /** Changes when any aggregator commits: a cheap "anything new?" for the live stream. */
  dataVersion(): Promise<number>;
  prune(horizonMs: number): Promise<{ events: number; passages: number }>;
  recordPublished(r: PublishedRecord, nowMs: number): Promise<void>;
  lastPublishedVersion(topics: readonly string[]): Promise<number | null>;
  revocations: HeldRevocations & (() => Promise<{ version: number; hashes: string[] } | null>);
  setRevocations(version: number, change: RevocationChange): Promise<void>;
  /** The operators' accounts, sessions, audit chain and approvals, in the same database. */
  operatorStore(): OperatorStore;
  close(): Promise<void>;
}

/** The SQLite ledger behind the asynchronous interface (its work is synchronous: one process, one file). */
export class SqliteStore implements LedgerStore {
  readonly kind = 'sqlite';

  constructor(readonly ledger: Ledger) {}

  async commit(batch: readonly Delivery[], nowMs: number): Promise<CommitResult> {
    const ledger = this.ledger;
    const out: CommitResult = { touched: new Set(), counted: 0, duplicates: 0, rejected: 0, conflicts: [] };
    ledger.db
      .transaction(() => {
        for (const d of batch) {
          switch (d.kind) {
            case 'rejected':
              out.rejected++;
              ledger.reject(d.reason, d.topic, nowMs);
              break;
            case 'numbered': {
              const r = ledger.ingest(d.scope, d.payload, nowMs);
              if (r.result === 'counted') out.counted++;
              else out.duplicates++;
              out.touched.add(r.kioskId);
              break;
            }
            case 'status': {
              const r = ledger.applyStatus(d.scope, d.payload, d.retained, nowMs);
              if (r.conflict) out.conflicts.push({ scope: d.scope, instances: r.conflict });
              break;
            }
          }
        }
      })
      .immediate();
    return out;
  }

  async receipt(kioskId: number): Promise<{ scope: InstanceScope; receipt: Receipt } | null> {
    const scope = this.ledger.scopeOf(kioskId);
    return scope ? { scope, receipt: this.ledger.receipt(kioskId) } : null;
  }

  async scopeOf(kioskId: number) {
    return this.ledger.scopeOf(kioskId);
  }

  async findKiosk(scope: TopicScope, instance?: string) {
    return this.ledger.findKiosk(scope, instance);
  }

  async firstGap(kioskId: number) {
    return this.ledger.firstGap(kioskId);
  }

  async gaps(nowMs: number) {
    return this.ledger.gaps(nowMs);
  }

  async snapshot(nowMs: number) {
    return this.ledger.snapshot(nowMs);
  }

  async totals() {
    return this.ledger.totals();
  }

  async areas() {
    return this.ledger.areas();
  }

  async hourlyOf(districts: readonly string[], nowMs: number) {
    return this.ledger.hourlyOf(districts, nowMs);
  }

  async dataVersion() {
    return this.ledger.dataVersion();
  }

  async prune(horizonMs: number) {
    return this.ledger.prune(horizonMs);
  }

  async recordPublished(r: PublishedRecord, nowMs: number) {
    this.ledger.recordPublished(r, nowMs);
  }

  async lastPublishedVersion(topics: readonly string[]) {
    return this.ledger.lastPublishedVersion(topics);
  }

  revocations = async () => this.ledger.revocations();

  async setRevocations(version: number, change: RevocationChange) {
    this.ledger.setRevocations(version, change);
  }

  operatorStore(): OperatorStore {
    return new SqliteOperatorStore(this.ledger.db);
  }

  async close() {
    this.ledger.close();
  }
}
