// The numbered outbox (spec/mqtt.md "Sequence numbers", "Receipts"). Each message gets its seq in the
// transaction that writes it, with the rows it describes, and stays until a receipt from the command
// centre for this database's instance covers it. A PUBACK proves nothing: brokers drop queued messages.
import { randomUUID } from 'node:crypto';
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { NumberedPayload, type ReceiptPayload } from '../contract/mqtt.js';
import { type KioskTopicKind, kioskTopic, type TopicScope } from '../contract/mqtt-topics.js';
import { receiptHighest } from '../contract/receipts.js';
import { summaryId } from '../contract/summary.js';

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  createdMs: number;
}

export interface OutboxStats {
  instance: string;
  /** The highest seq given so far (0 before the first message). */
  lastSeq: number;
  unreceipted: number;
  /** When the oldest unreceipted message was written, or null. */
  oldestMs: number | null;
}

/** What a receipt did: `foreign` (another instance's) and `beyond` (more than was ever sent) change nothing. */
export type ReceiptOutcome =
  | { kind: 'applied'; deleted: number }
  | { kind: 'foreign' }
  | { kind: 'beyond'; highest: number; lastSeq: number };

export class Outbox {
  private readonly s;
  readonly instance: string;

  constructor(
    private readonly db: Db,
    private readonly scope: TopicScope,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      state: p('SELECT instance FROM outbox_state WHERE id = 1'),
      createState: p('INSERT INTO outbox_state (id, instance, last_seq) VALUES (1, ?, 0)'),
      // The highest seq given is the outbox's newest row or, once receipts have emptied it, the mark
      // kept in outbox_state before a delete: a write then touches only the outbox's own page.
      last: p(`SELECT max(last_seq, COALESCE((SELECT max(seq) FROM outbox), 0)) AS seq FROM outbox_state
        WHERE id = 1`),
      mark: p(`UPDATE outbox_state SET last_seq = max(last_seq, COALESCE((SELECT max(seq) FROM outbox), 0))
        WHERE id = 1`),
      insert: p('INSERT INTO outbox (seq, topic, payload, qos, created_ms) VALUES (?, ?, ?, 1, ?)'),
      peek: p(`SELECT seq, topic, payload, qos, created_ms AS createdMs FROM outbox
        WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`),
      deleteUpTo: p('DELETE FROM outbox WHERE seq <= ?'),
      deleteRange: p('DELETE FROM outbox WHERE seq BETWEEN ? AND ?'),
      count: p('SELECT count(*) AS n, min(created_ms) AS oldest FROM outbox'),
    };
    this.instance = db
      .transaction(() => {
        const row = this.s.state.get() as { instance: string } | undefined;
        if (row) return row.instance;
        const instance = randomUUID();
        this.s.createState.run(instance);
        return instance;
      })
      .immediate();
    this.upgradeV1Rows();
  }

  /**
   * Numbers a message and writes it. Call inside the transaction that records what it describes, so
   * the seq and the rows commit together. Returns the seq.
   */
  write(kind: KioskTopicKind, payload: object, nowMs: number): number {
    const seq = this.lastSeq() + 1;
    const numbered = { ...payload, seq, kiosk: this.scope.kiosk, instance: this.instance };
    this.s.insert.run(seq, kioskTopic(this.scope, kind), JSON.stringify(numbered), nowMs);
    return seq;
  }

  /** Rows after afterSeq, up to toSeq, in order. */
  peek(afterSeq: number, limit: number, toSeq = Number.MAX_SAFE_INTEGER): OutboxRow[] {
    return this.s.peek.all(afterSeq, toSeq, limit) as OutboxRow[];
  }

  /** Deletes what a receipt for this instance covers, in one transaction. */
  applyReceipt(r: ReceiptPayload): ReceiptOutcome {
    if (r.instance !== this.instance) return { kind: 'foreign' };
    const lastSeq = this.lastSeq();
    const highest = receiptHighest(r);
    if (highest > lastSeq) return { kind: 'beyond', highest, lastSeq };
    const deleted = this.db.transaction(() => {
      this.s.mark.run();
      let n = this.s.deleteUpTo.run(r.upTo).changes;
      for (const [a, b] of r.also) n += this.s.deleteRange.run(a, b).changes;
      return n;
    })();
    return { kind: 'applied', deleted };
  }

  stats(): OutboxStats {
    const c = this.s.count.get() as { n: number; oldest: number | null };
    return { instance: this.instance, lastSeq: this.lastSeq(), unreceipted: c.n, oldestMs: c.oldest };
  }

  private lastSeq(): number {
    return (this.s.last.get() as { seq: number }).seq;
  }

  /**
   * Messages written under contract v1 and never delivered are renumbered as v2, in order, once: the
   * command centre speaks only v2. One that cannot be expressed in v2 is logged and dropped (the
   * passages it summarised stay in the log).
   */
  private upgradeV1Rows(): void {
    const exists = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_v1'")
      .get();
    if (!exists) return;
    this.db
      .transaction(() => {
        const rows = this.db
          .prepare('SELECT seq, topic, payload, created_ms AS createdMs FROM outbox_v1 ORDER BY seq')
          .all() as { seq: number; topic: string; payload: string; createdMs: number }[];
        let dropped = 0;
        for (const row of rows) {
          const v2 = upgradeV1(row.topic, row.payload, this.scope);
          const check =
            v2 &&
            NumberedPayload.safeParse({
              ...v2.payload,
              seq: 1,
              kiosk: this.scope.kiosk,
              instance: this.instance,
            });
          if (!v2 || !check?.success) {
            dropped++;
            continue;
          }
          this.write(v2.kind, v2.payload, row.createdMs);
        }
        this.db.exec('DROP TABLE outbox_v1');
        if (rows.length > 0) {
          log.info(
            `outbox: ${rows.length - dropped} undelivered v1 messages renumbered for v2, ${dropped} dropped`,
          );
        }
      })
      .immediate();
  }
}

const V1_SCHEMAS: Record<string, KioskTopicKind> = {
  'ckpt.summary/1': 'summary',
  'ckpt.event/1': 'event',
  'ckpt.ack/1': 'ack',
};

/** A v1 message as v2, without its numbering; null when it has no v2 form. */
function upgradeV1(
  topic: string,
  raw: string,
  scope: TopicScope,
): { kind: KioskTopicKind; payload: Record<string, unknown> } | null {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  const kind = V1_SCHEMAS[String(p.schema)];
  if (!kind || !topic.startsWith('ckpt/v1/')) return null;
  const { detail: _detail, ...rest } = p;
  if (kind === 'summary') {
    const start = Date.parse(String(p.windowStart));
    if (!Number.isFinite(start)) return null;
    return {
      kind,
      payload: {
        ...rest,
        schema: 'ckpt.summary/2',
        id: summaryId(scope, start),
        unreadable: p.unreadable ?? 0,
      },
    };
  }
  if (kind === 'event') return { kind, payload: { ...rest, schema: 'ckpt.event/2' } };
  return { kind, payload: { ...rest, schema: 'ckpt.ack/2', id: p.id ?? randomUUID() } };
}
