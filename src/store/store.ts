// The kiosk's durable state: the hash-chained passage log, summary windows, the MQTT outbox and a kv.
// Every write that the command centre must hear about goes to the outbox in the same transaction.
import { randomUUID } from 'node:crypto';
import { KioskError } from '../api/errors.js';
import type { Decision, Direction, ReasonCode } from '../api/reasons.js';
import {
  type HeadStatements,
  prepareHeadStatements,
  readChainHead,
  verifyLogSync,
} from '../audit/chain-log.js';
import type { CheckpointConfig } from '../config/checkpoint.js';
import type { PriorVerdict, ScanHistory } from '../scan/types.js';
import { AckPayload, EventPayload } from '../uplink/payloads.js';
import { type KioskTopicKind, kioskTopic, type TopicScope } from '../uplink/topics.js';
import { type ChainedPassageV3, chainHashV3, newSalt, personalHashV3 } from './chain.js';
import { type Db, openDatabase } from './db.js';
import { type PassageInput, type PassageRow, parsePassage } from './passage.js';
import {
  addPassage,
  DEFAULT_WINDOW_MS,
  emptySummary,
  type SummaryData,
  summaryVehicle,
  toSummaryPayload,
  windowStartOf,
} from './summary.js';

export interface StoreOptions {
  /** Summary window length; windows are aligned to multiples of it since the epoch. */
  windowMs?: number;
}

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1 | 2;
  createdMs: number;
}

/** What the uplink needs from the store. */
export interface OutboxSource {
  outboxPeek(afterSeq: number, limit: number): OutboxRow[];
  outboxDelete(seqs: readonly number[]): void;
  outboxCount(): number;
  onOutbox(listener: () => void): () => void;
}

type Row = Record<string, unknown>;

export class Store implements ScanHistory, OutboxSource {
  readonly windowMs: number;
  readonly scope: TopicScope;
  private readonly listeners = new Set<() => void>();
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly head: HeadStatements;

  constructor(
    readonly db: Db,
    readonly checkpoint: CheckpointConfig,
    opts: StoreOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
    if (!Number.isInteger(this.windowMs) || this.windowMs < 1000) {
      throw new KioskError(
        'STORE_WINDOW_INVALID',
        'Độ dài cửa sổ thống kê phải là số nguyên ≥ 1000 ms',
        'The summary window must be an integer ≥ 1000 ms',
      );
    }
    this.scope = { district: checkpoint.checkpoint.district, checkpoint: checkpoint.checkpoint.id };
    this.s = prepareStatements(db);
    this.head = prepareHeadStatements(db);
  }

  /**
   * Records a passage, its share of the current summary window and, for a DENY, its event, in one
   * transaction committed to disk (synchronous=FULL) before returning.
   */
  recordPassage(input: PassageInput): { id: number; hash: string } {
    const p = parsePassage(input);
    const { id: checkpointId, area } = this.checkpoint.checkpoint;
    const reasons = JSON.stringify(p.reasons);
    const personal = {
      holder_name: p.permit?.holderName ?? p.person?.holderName ?? null,
      id_masked: p.permit?.idMasked ?? p.person?.idMasked ?? null,
      note: p.note,
      vehicle_plate: p.vehiclePlate,
      raw_preview: p.rawPreview,
      idn_hmac: p.idnHmac,
    };
    const vehicle = summaryVehicle(p.vehicleType, p.vehiclePlate);
    const result = this.db
      .transaction(() => {
        const last = this.s.lastPassage.get() as { id: number } | undefined;
        // Passages and audit events share one chain (src/audit/chain-log.ts): link to its head.
        const head = readChainHead(this.head);
        const prevHash = head.hash;
        const salt = newSalt();
        const chained: ChainedPassageV3 = {
          passengers: p.passengers,
          id: (last?.id ?? 0) + 1,
          seq: head.seq + 1,
          user_id: p.userId,
          shift_id: p.shiftId,
          at_ms: p.atMs,
          checkpoint_id: checkpointId,
          area,
          lane: p.lane,
          direction: p.direction,
          source: p.source,
          decision: p.decision,
          reasons,
          permit_hash: p.permit?.hash ?? null,
          iss: p.permit?.iss ?? null,
          cti: p.permit?.cti ?? null,
          purpose: p.permit?.purpose ?? p.person?.purpose ?? null,
          vehicle_type: p.vehicleType,
          people: p.people,
          let_through: p.letThrough ? 1 : 0,
          personal_hash: personalHashV3(salt, personal),
        };
        const hash = chainHashV3(prevHash, chained);
        this.s.insertPassage.run({ ...chained, ...personal, personal_salt: salt, prev_hash: prevHash, hash });

        // A passage never lands in a window whose summary already left: it joins the first open one.
        const closedUntil = (this.s.closedUntil.get() as { end: number } | undefined)?.end ?? 0;
        const start = Math.max(windowStartOf(p.atMs, this.windowMs), closedUntil);
        const stored = this.s.getWindow.get(start) as { data: string } | undefined;
        const data: SummaryData = stored ? JSON.parse(stored.data) : emptySummary();
        addPassage(data, {
          direction: p.direction,
          decision: p.decision,
          reasons: p.reasons,
          letThrough: p.letThrough,
          purpose: chained.purpose,
          vehicleType: vehicle,
          people: p.people,
        });
        this.s.upsertWindow.run(start, this.windowMs, JSON.stringify(data));

        // A manual entry the guard let through is an `override` event (the guard decided, not the
        // kiosk); a DENY, a `denial`. Overrides of scanned passages: src/lane/record.ts.
        const overridden = p.letThrough && p.decision !== 'ALLOW' && p.source === 'manual';
        if (p.decision === 'DENY' || overridden) {
          const event: EventPayload = {
            schema: 'ckpt.event/1',
            id: randomUUID(),
            at: new Date(p.atMs).toISOString(),
            kind: overridden ? 'override' : 'denial',
            decision: p.decision,
            reasons: p.reasons,
            permit: chained.permit_hash,
            direction: p.direction,
            lane: p.lane,
          };
          this.insertOutbox('event', event, p.atMs);
        }
        return { id: chained.id, hash, evented: p.decision === 'DENY' || overridden };
      })
      .immediate();
    if (result.evented) this.notifyOutbox();
    return { id: result.id, hash: result.hash };
  }

  /**
   * What an override (src/lane/record.ts) tells the command centre: its passage now counts as
   * overridden in the open summary window (it is not a new passage), and an `override` event.
   */
  recordOverrideEffects(o: {
    atMs: number;
    direction: Direction;
    lane: string;
    decision: Decision;
    reasons: ReasonCode[];
    permitHash: string | null;
  }): void {
    this.db
      .transaction(() => {
        const closedUntil = (this.s.closedUntil.get() as { end: number } | undefined)?.end ?? 0;
        const start = Math.max(windowStartOf(o.atMs, this.windowMs), closedUntil);
        const stored = this.s.getWindow.get(start) as { data: string } | undefined;
        const data: SummaryData = stored ? JSON.parse(stored.data) : emptySummary();
        data.counts[o.direction].overridden++;
        this.s.upsertWindow.run(start, this.windowMs, JSON.stringify(data));
        const event: EventPayload = {
          schema: 'ckpt.event/1',
          id: randomUUID(),
          at: new Date(o.atMs).toISOString(),
          kind: 'override',
          decision: o.decision,
          reasons: o.reasons,
          permit: o.permitHash,
          direction: o.direction,
          lane: o.lane,
        };
        this.insertOutbox('event', event, o.atMs);
      })
      .immediate();
    this.notifyOutbox();
  }

  /**
   * Writes the summary of every window that ended at or before nowMs to the outbox and marks it
   * closed, in one transaction. Run at each window end and at startup. Returns how many were closed.
   */
  closeDueWindows(nowMs: number): number {
    const closed = this.db
      .transaction(() => {
        const due = this.s.dueWindows.all(nowMs) as { start: number; len: number; data: string }[];
        for (const w of due) {
          const payload = toSummaryPayload(this.scope, w.start, w.len, JSON.parse(w.data) as SummaryData);
          this.insertOutbox('summary', payload, nowMs);
          this.s.markClosed.run(w.start);
        }
        return due.length;
      })
      .immediate();
    if (closed > 0) this.notifyOutbox();
    return closed;
  }

  /** Queues an event (override, alert...) or a downlink ack, validated against its schema. */
  enqueue(kind: 'event' | 'ack', payload: unknown, nowMs = Date.now()): number {
    const schema = kind === 'event' ? EventPayload : AckPayload;
    const r = schema.safeParse(payload);
    if (!r.success) {
      const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new KioskError(
        'OUTBOX_INVALID',
        `Thông điệp không hợp lệ: ${detail}`,
        `Invalid message: ${detail}`,
      );
    }
    const seq = this.insertOutbox(kind, r.data, nowMs);
    this.notifyOutbox();
    return seq;
  }

  private insertOutbox(kind: KioskTopicKind, payload: object, nowMs: number): number {
    const info = this.s.insertOutbox.run(kioskTopic(this.scope, kind), JSON.stringify(payload), 1, nowMs);
    return Number(info.lastInsertRowid);
  }

  outboxPeek(afterSeq: number, limit: number): OutboxRow[] {
    return this.s.peekOutbox.all(afterSeq, limit) as OutboxRow[];
  }

  /** Deletes acknowledged rows in one transaction (one fsync for a whole batch of PUBACKs). */
  outboxDelete(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    this.db.transaction(() => {
      for (const seq of seqs) this.s.deleteOutbox.run(seq);
    })();
  }

  outboxCount(): number {
    return (this.s.countOutbox.get() as { n: number }).n;
  }

  /** Called after each commit that added outbox rows. Returns an unsubscribe function. */
  onOutbox(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyOutbox(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        console.error('store: outbox listener failed', err);
      }
    }
  }

  recentVerdict(hash: string, sinceMs: number): PriorVerdict | null {
    const r = this.s.recentVerdict.get(hash, sinceMs) as
      | { id: number; at_ms: number; decision: Decision; reasons: string }
      | undefined;
    if (!r) return null;
    return {
      passageId: r.id,
      at: r.at_ms,
      decision: r.decision,
      reasons: JSON.parse(r.reasons) as ReasonCode[],
    };
  }

  lastDirection(hash: string, area: string): Direction | null {
    const r = this.s.lastDirection.get(hash, area) as { direction: Direction } | undefined;
    return r?.direction ?? null;
  }

  /**
   * Recomputes the whole chain (passages and audit events); returns the id of the first row that does
   * not verify, or null. src/audit/chain-log.ts verifyLog also names the table.
   */
  verifyChain(): number | null {
    return verifyLogSync(this.db).broken?.id ?? null;
  }

  getPassage(id: number): PassageRow | null {
    const r = this.s.getPassage.get(id) as Row | undefined;
    return r ? toPassageRow(r) : null;
  }

  /** Newest first. */
  recentPassages(limit: number): PassageRow[] {
    const n = Math.max(1, Math.min(1000, Math.trunc(limit) || 1));
    return (this.s.recentPassages.all(n) as Row[]).map(toPassageRow);
  }

  countsSince(sinceMs: number): { allowed: number; denied: number; review: number } {
    const out = { allowed: 0, denied: 0, review: 0 };
    for (const r of this.s.countsSince.all(sinceMs) as { decision: Decision; n: number }[]) {
      if (r.decision === 'ALLOW') out.allowed = r.n;
      else if (r.decision === 'DENY') out.denied = r.n;
      else out.review = r.n;
    }
    return out;
  }

  getKv(key: string): string | null {
    return (this.s.kvGet.get(key) as { value: string } | undefined)?.value ?? null;
  }

  setKv(key: string, value: string, nowMs = Date.now()): void {
    this.s.kvSet.run(key, value, nowMs);
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Db) {
  const p = (sql: string) => db.prepare(sql);
  return {
    lastPassage: p('SELECT id, hash FROM passages ORDER BY id DESC LIMIT 1'),
    insertPassage: p(`INSERT INTO passages (id, at_ms, checkpoint_id, area, lane, direction, source, decision,
      reasons, permit_hash, iss, cti, purpose, vehicle_type, people, let_through, holder_name, id_masked,
      vehicle_plate, raw_preview, personal_salt, personal_hash, purged, prev_hash, hash,
      seq, chain_v, user_id, shift_id, idn_hmac, passengers, note)
      VALUES (@id, @at_ms, @checkpoint_id, @area, @lane, @direction, @source, @decision, @reasons,
      @permit_hash, @iss, @cti, @purpose, @vehicle_type, @people, @let_through, @holder_name, @id_masked,
      @vehicle_plate, @raw_preview, @personal_salt, @personal_hash, 0, @prev_hash, @hash,
      @seq, 3, @user_id, @shift_id, @idn_hmac, @passengers, @note)`),
    closedUntil: p(`SELECT window_start_ms + window_ms AS end FROM summary_windows WHERE closed = 1
      ORDER BY window_start_ms DESC LIMIT 1`),
    getWindow: p('SELECT data FROM summary_windows WHERE window_start_ms = ?'),
    upsertWindow:
      p(`INSERT INTO summary_windows (window_start_ms, window_ms, data, closed) VALUES (?, ?, ?, 0)
      ON CONFLICT (window_start_ms) DO UPDATE SET data = excluded.data`),
    dueWindows: p(`SELECT window_start_ms AS start, window_ms AS len, data FROM summary_windows
      WHERE closed = 0 AND window_start_ms + window_ms <= ? ORDER BY window_start_ms`),
    markClosed: p('UPDATE summary_windows SET closed = 1 WHERE window_start_ms = ?'),
    insertOutbox: p('INSERT INTO outbox (topic, payload, qos, created_ms) VALUES (?, ?, ?, ?)'),
    peekOutbox: p(`SELECT seq, topic, payload, qos, created_ms AS createdMs FROM outbox WHERE seq > ?
      ORDER BY seq LIMIT ?`),
    deleteOutbox: p('DELETE FROM outbox WHERE seq = ?'),
    countOutbox: p('SELECT count(*) AS n FROM outbox'),
    recentVerdict: p(`SELECT id, at_ms, decision, reasons FROM passages WHERE permit_hash = ? AND at_ms >= ?
      ORDER BY at_ms DESC, id DESC LIMIT 1`),
    // A passage the guard let through with an override (an audit event, src/lane/record.ts) moved the
    // person as much as an allowed one.
    lastDirection: p(`SELECT direction FROM passages p WHERE permit_hash = ? AND area = ? AND (let_through = 1
      OR EXISTS (SELECT 1 FROM audit_events e WHERE e.passage_id = p.id AND e.kind = 'override'))
      ORDER BY at_ms DESC, id DESC LIMIT 1`),
    recentPassages: p('SELECT * FROM passages ORDER BY id DESC LIMIT ?'),
    getPassage: p('SELECT * FROM passages WHERE id = ?'),
    countsSince: p('SELECT decision, count(*) AS n FROM passages WHERE at_ms >= ? GROUP BY decision'),
    kvGet: p('SELECT value FROM kv WHERE key = ?'),
    kvSet: p(`INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`),
  };
}

function toPassageRow(r: Row): PassageRow {
  return {
    id: r.id as number,
    atMs: r.at_ms as number,
    checkpointId: r.checkpoint_id as string,
    area: r.area as string,
    lane: r.lane as string,
    direction: r.direction as PassageRow['direction'],
    source: r.source as PassageRow['source'],
    decision: r.decision as Decision,
    reasons: JSON.parse(r.reasons as string) as ReasonCode[],
    permitHash: r.permit_hash as string | null,
    iss: r.iss as string | null,
    cti: r.cti as string | null,
    holderName: r.holder_name as string | null,
    idMasked: r.id_masked as string | null,
    purpose: r.purpose as string | null,
    vehiclePlate: r.vehicle_plate as string | null,
    vehicleType: r.vehicle_type as string | null,
    rawPreview: r.raw_preview as string | null,
    people: r.people as number,
    letThrough: r.let_through === 1,
    purged: r.purged === 1,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

/** Opens the kiosk database at path (':memory:' for tests), migrated and ready. */
export function openStore(path: string, checkpoint: CheckpointConfig, opts: StoreOptions = {}): Store {
  const db = openDatabase(path);
  try {
    return new Store(db, checkpoint, opts);
  } catch (err) {
    db.close();
    throw err;
  }
}
