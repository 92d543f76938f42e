// The kiosk's durable state: the hash-chained passage log, summary windows, the MQTT outbox and a kv.
// It is the scan service's log (lane/types.ts LaneLog): every write that the command centre must hear
// about goes to the outbox in the same transaction, committed to disk (synchronous=FULL) before the
// call returns.
import { createHash, randomUUID } from 'node:crypto';
import { EventBus } from '../base/bus.js';
import { type Db, openDatabase } from '../base/db.js';
import { log } from '../base/log.js';
import type { Timers } from '../base/timers.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import { KioskError } from '../contract/errors.js';
import type { KioskEvents } from '../contract/events.js';
import {
  type EventPayload,
  type ReceiptPayload,
  UnnumberedAck,
  UnnumberedEvent,
  type UnnumberedPassage,
} from '../contract/mqtt.js';
import { defaultKioskId, type KioskTopicKind, type TopicScope } from '../contract/mqtt-topics.js';
import type { Decision, Direction, ReasonCode } from '../contract/reasons.js';
import {
  addPassage,
  addUnreadable,
  amendPassage,
  DEFAULT_WINDOW_MS,
  summaryVehicle,
} from '../contract/summary.js';
import { type PassageInput, type PassageRow, parsePassage } from '../lane/passage.js';
import type {
  Amendment,
  LaneLog,
  LetThrough,
  NoShiftScan,
  OverrideRecorded,
  OverrideRequest,
  PriorVerdict,
  UnreadableScan,
} from '../lane/types.js';
import { type ChainedPassageV4, chainHashV4, newSalt, personalHashV3 } from './chain.js';
import {
  AuditChain,
  type HeadStatements,
  prepareHeadStatements,
  readChainHead,
  verifyLogSync,
} from './chain-log.js';
import { Checkpointer } from './checkpointer.js';
import { FINAL_DECISION_SQL, FINAL_REASONS_SQL, LET_THROUGH_SQL } from './final-decision.js';
import { type IdnKey, idnTokenCheck } from './idn.js';
import { KEY_CHECK_KV } from './idn-key-file.js';
import { overridePassage } from './lane-records.js';
import { MIGRATIONS } from './migrations.js';
import { Outbox, type OutboxRow, type OutboxStats, type ReceiptOutcome } from './outbox.js';
import { SearchIndex, WAL_AUTOCHECKPOINT_PAGES } from './search-index.js';
import { SummaryWindows } from './windows.js';

export interface StoreOptions {
  /** Summary window length; windows are aligned to multiples of it since the epoch. */
  windowMs?: number;
  /** The kiosk's event bus: the store announces `outbox.changed` on it after each commit. */
  bus?: EventBus<KioskEvents>;
  /** This kiosk's id within its checkpoint (spec/mqtt.md "Identity"); `L` + the first lane when absent. */
  kioskId?: string;
  /** The search index follower's timers (src/store/search-index.ts). */
  timers?: Timers;
  /** WAL checkpoints in a worker thread (checkpointer.ts); default true for a database file. */
  checkpointInWorker?: boolean;
}

export type { OutboxRow, OutboxStats, ReceiptOutcome } from './outbox.js';

/** What the uplink needs from the store. */
export interface OutboxSource {
  /** Rows after afterSeq (up to toSeq), in seq order. */
  outboxPeek(afterSeq: number, limit: number, toSeq?: number): OutboxRow[];
  /** Deletes what a receipt for this instance covers; anything else changes nothing. */
  applyReceipt(receipt: ReceiptPayload): ReceiptOutcome;
  outboxStats(): OutboxStats;
  onOutbox(listener: () => void): () => void;
}

type Row = Record<string, unknown>;

export class Store implements LaneLog, OutboxSource {
  readonly windowMs: number;
  readonly scope: TopicScope;
  readonly bus: EventBus<KioskEvents>;
  readonly chain: AuditChain;
  /** Keeps the search indexes current, after the scans' commits rather than in them. */
  readonly searchIndex: SearchIndex;
  /** Copies the WAL into the database off the scan thread (null: in memory, or turned off). */
  readonly checkpointer: Checkpointer | null;
  private readonly windows: SummaryWindows;
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly head: HeadStatements;
  private outboxDirty = false;
  private readonly outbox: Outbox;
  private idn: IdnKey | null = null;
  /** The newest outbox seq the uplink was told of. */
  private outboxAnnounced = 0;

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
    this.bus = opts.bus ?? new EventBus<KioskEvents>();
    const c = checkpoint.checkpoint;
    this.scope = {
      district: c.district,
      checkpoint: c.id,
      kiosk: opts.kioskId ?? defaultKioskId(c.lanes[0] ?? '1'),
    };
    this.s = prepareStatements(db);
    this.head = prepareHeadStatements(db);
    this.chain = new AuditChain(db);
    this.outbox = new Outbox(db, this.scope);
    this.checkpointer =
      opts.checkpointInWorker !== false && !db.memory ? new Checkpointer(db, db.name) : null;
    const checkpointer = this.checkpointer;
    this.searchIndex = new SearchIndex(db, {
      ...(opts.timers ? { timers: opts.timers } : {}),
      ...(checkpointer ? { checkpoint: () => checkpointer.request() } : {}),
    });
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    // Passages committed before a crash and not yet indexed: indexed once the kiosk runs.
    if (this.searchIndex.behind() > 0) this.searchIndex.nudge();
    this.windows = new SummaryWindows(db, this.windowMs, this.scope, (payload, nowMs) =>
      this.insertOutbox('summary', payload, nowMs),
    );
  }

  /** The ID-number key (src/store/idn-key-file.ts openIdnKey): passages with an ID number need it. */
  attachIdn(key: IdnKey): void {
    this.idn = key;
  }

  get idnKey(): IdnKey | null {
    return this.idn;
  }

  /** The search tokens of a passage's ID number, checked against the key the database was made with. */
  private idnTokens(idn: string | null): { full: string; tail: string; key: IdnKey } | null {
    if (idn === null) return null;
    const key = this.idn;
    if (!key) {
      throw new KioskError('IDN_KEY_NOT_OPEN', 'Chưa mở khoá số giấy tờ', 'The ID-number key is not open');
    }
    // `kiosk idn-key rotate` run beside a running kiosk: tokens under the old key would be lost.
    if ((this.s.kvGet.get(KEY_CHECK_KV) as { value: string } | undefined)?.value !== key.check) {
      throw new KioskError(
        'IDN_KEY_CHANGED',
        'Khoá số giấy tờ đã được đổi khi máy đang chạy: hãy khởi động lại máy',
        'The ID-number key was changed while the kiosk was running: restart the kiosk',
      );
    }
    return { full: key.full(idn), tail: key.tailOfNumber(idn), key };
  }

  /**
   * Records a passage, its share of the current summary window and, for a DENY or a manual entry let
   * through, its event, in one transaction.
   */
  recordPassage(input: PassageInput): { id: number; hash: string } {
    const recorded = this.writePassage(input);
    this.searchIndex.nudge();
    return recorded;
  }

  private writePassage(input: PassageInput): { id: number; hash: string } {
    const p = parsePassage(input);
    const { id: checkpointId, area } = this.checkpoint.checkpoint;
    const reasons = JSON.stringify(p.reasons);
    // Neither the masked number nor an ID hash is kept in clear (chain_v 4): only keyed tokens.
    const personal = {
      holder_name: p.permit?.holderName ?? p.person?.holderName ?? null,
      id_masked: null,
      note: p.note,
      vehicle_plate: p.vehiclePlate,
      raw_preview: p.rawPreview,
      idn_hmac: null,
    };
    const vehicle = summaryVehicle(p.vehicleType, p.vehiclePlate);
    return this.tx(() => {
      const tokens = this.idnTokens(p.idn);
      const last = this.s.lastPassage.get() as { id: number } | undefined;
      // Passages and audit events share one chain (chain-log.ts): link to its head.
      const head = readChainHead(this.head);
      const salt = newSalt();
      const chained: ChainedPassageV4 = {
        has_idn: tokens ? 1 : 0,
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
      const hash = chainHashV4(head.hash, chained);
      this.s.insertPassage.run({
        ...chained,
        ...personal,
        personal_salt: salt,
        prev_hash: head.hash,
        hash,
        idn_full: tokens?.full ?? null,
        idn_tail: tokens?.tail ?? null,
        idn_mac: tokens ? tokens.key.mac(chained.id, tokens.full, tokens.tail) : null,
      });
      this.windows.update(p.atMs, (d) =>
        addPassage(d, {
          direction: p.direction,
          decision: p.decision,
          reasons: p.reasons,
          letThrough: p.letThrough,
          purpose: chained.purpose,
          vehicleType: vehicle,
          people: p.people,
        }),
      );
      // A manual entry the guard let through is an `override` event (the guard decided, not the
      // kiosk); a DENY, a `denial`. Overrides of scanned passages: recordOverride.
      const overridden = p.letThrough && p.decision !== 'ALLOW' && p.source === 'manual';
      if (p.decision === 'DENY' || overridden) {
        this.event(overridden ? 'override' : 'denial', p.atMs, {
          decision: p.decision,
          reasons: p.reasons,
          permit: chained.permit_hash,
          direction: p.direction,
          lane: p.lane,
        });
      }
      this.passageMessage(chained.id, p.atMs, area, chained.permit_hash, p.direction, p.letThrough, p.atMs);
      return { id: chained.id, hash };
    });
  }

  /** A scan that yielded no permit: an audit event with its first characters, and `unreadable`. */
  recordUnreadable(u: UnreadableScan): void {
    this.tx(() => {
      this.chain.append({
        atMs: u.atMs,
        kind: 'unreadable',
        userId: u.who?.userId ?? null,
        userName: u.who?.userName ?? null,
        shiftId: u.who?.shiftId ?? null,
        details: {
          preview: u.preview,
          decision: u.decision,
          reasons: u.reasons,
          lane: u.lane,
          direction: u.direction,
          source: u.source,
        },
      });
      this.windows.update(u.atMs, addUnreadable);
    });
  }

  /** A permit scanned with no shift open: not a passage; the audit keeps its hash only. */
  recordNoShift(n: NoShiftScan): void {
    this.chain.append({
      atMs: n.atMs,
      kind: 'no_shift_scan',
      details: { permit: n.permitHash, lane: n.lane, direction: n.direction, source: n.source },
    });
  }

  /**
   * A passage's decision completed by a health proof: an `amendment` event in the chain (the passage
   * keeps its original decision), counted in the window of the amendment.
   */
  amendPassage(a: Amendment): void {
    this.tx(() => {
      const row = this.s.passageForAmendment.get(a.passageId) as
        | {
            direction: Direction;
            decision: Decision;
            reasons: string;
            permit_hash: string | null;
            area: string;
            at_ms: number;
            let_through: number;
          }
        | undefined;
      if (!row) throw new KioskError('PASSAGE_NOT_FOUND', 'Không tìm thấy lượt qua này', 'No such passage');
      const from = row.decision;
      const fromReasons = JSON.parse(row.reasons) as ReasonCode[];
      this.chain.append({
        atMs: a.atMs,
        kind: 'amendment',
        userId: a.who?.userId ?? null,
        userName: a.who?.userName ?? null,
        shiftId: a.who?.shiftId ?? null,
        passageId: a.passageId,
        details: { decision: a.decision, reasons: a.reasons, from, fromReasons, proof: a.proof },
      });
      this.windows.update(a.atMs, (d) =>
        amendPassage(d, {
          direction: row.direction,
          from,
          to: a.decision,
          fromReasons,
          toReasons: a.reasons,
        }),
      );
      // Let through only now: the area's other kiosks must hear that the person went through.
      if (a.decision === 'ALLOW' && row.let_through === 0) {
        this.passageMessage(a.passageId, row.at_ms, row.area, row.permit_hash, row.direction, true, a.atMs);
      }
    });
  }

  recordOverride(o: OverrideRequest): OverrideRecorded {
    const recorded = overridePassage(this.db, this.chain, o, (e, passage) => {
      // The passage now counts as overridden in the open window (it is not a new passage).
      this.windows.update(o.atMs, (d) => {
        d.counts[e.direction].overridden++;
      });
      this.event('override', o.atMs, e);
      this.passageMessage(o.passageId, passage.atMs, passage.area, e.permit, e.direction, true, o.atMs);
    });
    this.announceOutbox();
    return recorded;
  }

  shiftCounts(shiftId: number): { allowed: number; denied: number; review: number } {
    const out = { allowed: 0, denied: 0, review: 0 };
    for (const r of this.s.shiftCounts.all(shiftId) as { decision: Decision; n: number }[]) {
      if (r.decision === 'ALLOW') out.allowed += r.n;
      else if (r.decision === 'DENY') out.denied += r.n;
      else out.review += r.n;
    }
    return out;
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

  lastLetThrough(hash: string, area: string, sinceMs: number): LetThrough | null {
    const r = this.s.lastLetThrough.get(hash, area, sinceMs) as
      | { direction: Direction; at_ms: number }
      | undefined;
    return r ? { direction: r.direction, atMs: r.at_ms } : null;
  }

  /**
   * Writes the summary of every window that ended at or before nowMs to the outbox and marks it
   * closed, in one transaction. Run at each window end and at startup. Returns how many were closed.
   */
  closeDueWindows(nowMs: number): number {
    return this.tx(() => this.windows.closeDue(nowMs));
  }

  /** Sends the open window's summary now (shift end): what the guard handed over is reported at once. */
  closeOpenWindows(nowMs: number): number {
    return this.tx(() => this.windows.closeOpen(nowMs));
  }

  /** Queues an event (override, alert...) or a downlink ack, validated against its schema. */
  enqueue(kind: 'event' | 'ack', payload: unknown, nowMs = Date.now()): number {
    const schema = kind === 'event' ? UnnumberedEvent : UnnumberedAck;
    const r = schema.safeParse(payload);
    if (!r.success) {
      const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new KioskError(
        'OUTBOX_INVALID',
        `Thông điệp không hợp lệ: ${detail}`,
        `Invalid message: ${detail}`,
      );
    }
    return this.insertOutbox(kind, r.data, nowMs);
  }

  private event(
    kind: EventPayload['kind'],
    atMs: number,
    e: Pick<EventPayload, 'decision' | 'reasons' | 'permit' | 'direction' | 'lane'>,
  ): void {
    const payload: UnnumberedEvent = {
      schema: 'ckpt.event/2',
      id: randomUUID(),
      at: new Date(atMs).toISOString(),
      kind,
      ...e,
    };
    this.insertOutbox('event', payload, atMs);
  }

  /**
   * A passage with a permit for the area's other kiosks and the command centre (`ckpt.passage/1`). A
   * passage let through later (override, amendment) is sent again under the same id, let through.
   */
  private passageMessage(
    passageId: number,
    atMs: number,
    area: string,
    permit: string | null,
    direction: Direction,
    letThrough: boolean,
    nowMs: number,
  ): void {
    if (permit === null) return;
    const payload: UnnumberedPassage = {
      schema: 'ckpt.passage/1',
      id: passageUuid(this.outbox.instance, passageId),
      at: new Date(atMs).toISOString(),
      area,
      permit,
      direction,
      letThrough,
    };
    this.insertOutbox('passage', payload, nowMs);
  }

  private insertOutbox(kind: KioskTopicKind, payload: object, nowMs: number): number {
    // Numbered inside the caller's transaction when there is one, so the seq commits with its rows.
    const seq = this.db.inTransaction
      ? this.outbox.write(kind, payload, nowMs)
      : this.db.transaction(() => this.outbox.write(kind, payload, nowMs)).immediate();
    if (!this.outboxDirty) {
      this.outboxDirty = true;
      // Someone else's transaction (a document and its ack): better-sqlite3's transactions are
      // synchronous, so by the time a microtask runs it has committed or rolled back.
      if (this.db.inTransaction) queueMicrotask(() => this.announceOutbox());
    }
    if (!this.db.inTransaction) this.announceOutbox();
    return seq;
  }

  /**
   * The uplink hears of new rows only once they are committed: never from inside a transaction, and
   * not at all when the transaction that wrote them rolled back. A committed row's seq is above every
   * seq committed before it (AUTOINCREMENT), so a seq above the last one announced is news.
   */
  private announceOutbox(): void {
    if (!this.outboxDirty || this.db.inTransaction || !this.db.open) return;
    this.outboxDirty = false;
    const newest = (this.s.newestOutbox.get() as { seq: number | null }).seq ?? 0;
    if (newest <= this.outboxAnnounced) return;
    this.outboxAnnounced = newest;
    this.bus.emit('outbox.changed', undefined);
  }

  /** One transaction of the store's own, committed (synchronous=FULL); then the outbox news. */
  private tx<T>(fn: () => T): T {
    const result = this.db.transaction(fn).immediate();
    this.announceOutbox();
    return result;
  }

  outboxPeek(afterSeq: number, limit: number, toSeq?: number): OutboxRow[] {
    return this.outbox.peek(afterSeq, limit, toSeq);
  }

  applyReceipt(receipt: ReceiptPayload): ReceiptOutcome {
    return this.outbox.applyReceipt(receipt);
  }

  outboxStats(): OutboxStats {
    return this.outbox.stats();
  }

  /** Messages not yet covered by a receipt. */
  outboxCount(): number {
    return this.outbox.stats().unreceipted;
  }

  onOutbox(listener: () => void): () => void {
    return this.bus.on('outbox.changed', listener);
  }

  /**
   * Recomputes the whole chain (passages and audit events); returns the id of the first row that does
   * not verify, or null. chain-log.ts verifyLog also names the table.
   */
  verifyChain(): number | null {
    return verifyLogSync(this.db, 0, undefined, this.idn ? idnTokenCheck(this.idn) : null).broken?.id ?? null;
  }

  getPassage(id: number): PassageRow | null {
    const r = this.s.getPassage.get(id) as Row | undefined;
    return r ? toPassageRow(r, this.idn) : null;
  }

  /** Newest first. */
  recentPassages(limit: number): PassageRow[] {
    const n = Math.max(1, Math.min(1000, Math.trunc(limit) || 1));
    return (this.s.recentPassages.all(n) as Row[]).map((r) => toPassageRow(r, this.idn));
  }

  getKv(key: string): string | null {
    return (this.s.kvGet.get(key) as { value: string } | undefined)?.value ?? null;
  }

  setKv(key: string, value: string, nowMs = Date.now()): void {
    this.s.kvSet.run(key, value, nowMs);
  }

  close(): void {
    this.searchIndex.stop();
    this.checkpointer?.close();
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
      seq, chain_v, user_id, shift_id, idn_hmac, passengers, note, has_idn, idn_full, idn_tail, idn_mac, indexed)
      VALUES (@id, @at_ms, @checkpoint_id, @area, @lane, @direction, @source, @decision, @reasons,
      @permit_hash, @iss, @cti, @purpose, @vehicle_type, @people, @let_through, @holder_name, @id_masked,
      @vehicle_plate, @raw_preview, @personal_salt, @personal_hash, 0, @prev_hash, @hash,
      @seq, 4, @user_id, @shift_id, @idn_hmac, @passengers, @note, @has_idn, @idn_full, @idn_tail, @idn_mac, 0)`),
    passageForAmendment: p(`SELECT direction, decision, reasons, permit_hash, area, at_ms,
      ${LET_THROUGH_SQL('passages')} AS let_through FROM passages WHERE id = ?`),
    newestOutbox: p('SELECT max(seq) AS seq FROM outbox'),
    recentVerdict: p(`SELECT p.id, p.at_ms, ${FINAL_DECISION_SQL('p')} AS decision,
      ${FINAL_REASONS_SQL('p')} AS reasons FROM passages p WHERE p.permit_hash = ? AND p.at_ms >= ?
      ORDER BY p.at_ms DESC, p.id DESC LIMIT 1`),
    lastLetThrough: p(`SELECT p.direction, p.at_ms FROM passages p WHERE p.permit_hash = ? AND p.area = ?
      AND p.at_ms >= ? AND ${LET_THROUGH_SQL('p')} ORDER BY p.at_ms DESC, p.id DESC LIMIT 1`),
    shiftCounts: p(`SELECT ${FINAL_DECISION_SQL('p')} AS decision, count(*) AS n FROM passages p
      WHERE p.shift_id = ? GROUP BY 1`),
    recentPassages: p('SELECT * FROM passages ORDER BY id DESC LIMIT ?'),
    getPassage: p('SELECT * FROM passages WHERE id = ?'),
    kvGet: p('SELECT value FROM kv WHERE key = ?'),
    kvSet: p(`INSERT INTO kv (key, value, updated_ms) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`),
  };
}

/** A row as read back; the masked number of a chain_v 4 row is its tail token decrypted with the key. */
function toPassageRow(r: Row, idn: IdnKey | null): PassageRow {
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
    idMasked: (r.id_masked as string | null) ?? idn?.maskedOf(r.idn_tail as string | null) ?? null,
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

/** The kiosk's database file, opened and migrated to the schema of this version. */
export function openKioskDatabase(path: string): Db {
  return openDatabase(path, MIGRATIONS);
}

/** Opens the kiosk database at path (':memory:' for tests), migrated and ready. */
export function openStore(path: string, checkpoint: CheckpointConfig, opts: StoreOptions = {}): Store {
  const db = openKioskDatabase(path);
  try {
    return new Store(db, checkpoint, opts);
  } catch (err) {
    db.close();
    log.error('store: could not open', err);
    throw err;
  }
}

/** A passage's id on the wire: the same for every message about it, and unique across kiosks. */
export function passageUuid(instance: string, passageId: number): string {
  const b = createHash('sha256').update(`${instance}/passage/${passageId}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
