// One simulated kiosk of the contract v2 (spec/mqtt.md): its own kiosk id under its checkpoint, an
// instance, and seq given to every summary, event and passage. It keeps each message until a receipt
// for its instance covers it, and publishes it again when an aggregator comes online, when its receipt
// is late, and on a `resend` command: so the command centre's totals equal the fleet's once it drains.
// Summaries are built with the kiosk's own summary code; the clock is a parameter, so a test moves it.
import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  CcStatePayload,
  CommandPayload,
  type EventPayload,
  type OfflineStatusPayload,
  type PassagePayload,
  ReceiptPayload,
  type StatusPayload,
  type SummaryPayload,
  type SummaryVehicle,
} from '../../src/contract/mqtt.js';
import {
  CC_STATE_FILTER,
  commandTopic,
  kioskTopic,
  receiptTopic,
  type TopicScope,
} from '../../src/contract/mqtt-topics.js';
import type { Decision, Direction, ReasonCode } from '../../src/contract/reasons.js';
import { PURPOSES } from '../../src/contract/reasons.js';
import { receiptCovers, receiptHighest } from '../../src/contract/receipts.js';
import {
  addPassage,
  emptySummary,
  type SummaryData,
  toSummaryPayload,
  windowStartOf,
} from '../../src/contract/summary.js';
import { emptyTotals, type Totals } from './types.js';

export interface SimKioskTotals {
  district: string;
  checkpoint: string;
  kiosk: string;
  instance: string;
  lane: string;
  scans: number;
  total: Totals;
  summaries: number;
  events: number;
  passages: number;
  /** The highest seq given. */
  lastSeq: number;
  /** Messages no receipt covered when the fleet stopped. */
  unreceipted: number;
  /** Messages published again (late receipt, an aggregator online, a resend command). */
  republished: number;
}

const DENY_REASONS: ReasonCode[] = [
  'EXPIRED',
  'AREA_NOT_PERMITTED',
  'REVOKED',
  'UNKNOWN_ISSUER',
  'ORIGIN_HIGH_RISK',
  'OUTSIDE_HOURS',
];
const REVIEW_REASONS: ReasonCode[] = ['ALREADY_INSIDE', 'VEHICLE_MISMATCH'];
/**
 * Published again per call of `tick` (10 a second in the fleet): a backlog goes out paced, so that it
 * neither holds live messages back nor overflows the broker's queue for the command centre at once.
 */
const REPUBLISH_BATCH = 50;

interface Row {
  topic: string;
  body: string;
  /** When it was last published; null while it waits to be (again). */
  sentAtMs: number | null;
  writtenMs: number;
}

export class SimKiosk {
  readonly scope: TopicScope;
  readonly instance = randomUUID();
  readonly totals: SimKioskTotals;
  client: MqttClient | null = null;
  /** Receipts on its topic: those for its instance that it applied, and those it refused. */
  readonly receipts = { applied: 0, refused: 0 };
  private seq = 0;
  private readonly outbox = new Map<number, Row>();
  private readonly ccStates = new Map<string, boolean>();
  private windowStart = -1;
  private window: SummaryData = emptySummary();
  private windowHasData = false;
  private readonly startedAt: string;
  private connectedAt: string;
  private lastScanAt: string | null = null;

  constructor(
    scope: TopicScope,
    readonly lane: string,
    private readonly random: () => number,
    private readonly o: { windowMs: number; receiptTimeoutMs: number; passages: boolean; now: () => number },
  ) {
    this.scope = scope;
    this.startedAt = this.connectedAt = new Date(o.now()).toISOString();
    this.totals = {
      ...scope,
      instance: this.instance,
      lane,
      scans: 0,
      total: emptyTotals(),
      summaries: 0,
      events: 0,
      passages: 0,
      lastSeq: 0,
      unreceipted: 0,
      republished: 0,
    };
  }

  /** Whether any aggregator says it is online (spec/mqtt.md "Command-centre presence"). */
  get ccOnline(): boolean {
    return [...this.ccStates.values()].some(Boolean);
  }

  get unreceipted(): number {
    return this.outbox.size;
  }

  /** The seqs last published at `sinceMs` or later that no receipt has covered yet. */
  sentSince(sinceMs: number): number[] {
    return [...this.outbox]
      .filter(([, row]) => row.sentAtMs !== null && row.sentAtMs >= sinceMs)
      .map(([seq]) => seq);
  }

  connect(url: string, base: IClientOptions): Promise<void> {
    const will: OfflineStatusPayload = {
      schema: 'ckpt.status/2',
      online: false,
      kiosk: this.scope.kiosk,
      instance: this.instance,
      since: this.connectedAt,
    };
    const client = connect(url, {
      ...base,
      clientId: `kiosk-${this.scope.checkpoint}-${this.scope.kiosk}`,
      will: {
        topic: kioskTopic(this.scope, 'status'),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on('connect', () => {
      this.connectedAt = new Date(this.o.now()).toISOString();
      this.publishStatus();
      client.subscribe(
        {
          [receiptTopic(this.scope)]: { qos: 1 },
          [commandTopic(this.scope)]: { qos: 1 },
          [CC_STATE_FILTER]: { qos: 1 },
        },
        () => {},
      );
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', () => {});
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      return;
    }
    if (topic.startsWith('ckpt/v2/cc/state/')) {
      const s = CcStatePayload.safeParse(json);
      if (!s.success) return;
      const wasOnline = this.ccOnline;
      this.ccStates.set(topic, s.data.online);
      // An aggregator came online: everything not yet receipted goes again, paced by `tick`.
      if (!wasOnline && this.ccOnline) for (const row of this.outbox.values()) row.sentAtMs = null;
      return;
    }
    if (topic === receiptTopic(this.scope)) {
      const r = ReceiptPayload.safeParse(json);
      // Another instance's receipt, or one claiming more than was ever sent, deletes nothing.
      if (!r.success || r.data.instance !== this.instance || receiptHighest(r.data) > this.seq) {
        this.receipts.refused++;
        return;
      }
      this.receipts.applied++;
      for (const seq of this.outbox.keys()) if (receiptCovers(r.data, seq)) this.outbox.delete(seq);
      return;
    }
    if (topic === commandTopic(this.scope)) {
      const c = CommandPayload.safeParse(json);
      if (!c.success) return;
      for (const [seq, row] of this.outbox) if (seq >= c.data.from && seq <= c.data.to) row.sentAtMs = null;
    }
  }

  publishStatus(): void {
    const oldest = this.outbox.values().next().value as Row | undefined;
    const status: StatusPayload = {
      schema: 'ckpt.status/2',
      online: true,
      at: new Date(this.o.now()).toISOString(),
      kiosk: this.scope.kiosk,
      instance: this.instance,
      version: 'simulated',
      startedAt: this.startedAt,
      lane: this.lane,
      direction: Number(this.lane) % 2 === 0 ? 'out' : 'in',
      scanner: 'ok',
      lastSeq: this.seq,
      outbox: {
        unreceipted: this.outbox.size,
        oldestAt: oldest ? new Date(oldest.writtenMs).toISOString() : null,
      },
      clockSkewMs: 0,
      shift: null,
      lastScanAt: this.lastScanAt,
      commandCentre: this.ccStates.size === 0 ? 'unknown' : this.ccOnline ? 'online' : 'offline',
    };
    this.client?.publish(kioskTopic(this.scope, 'status'), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** Advances by dt ms of simulated traffic at `rate` scans/s; republishes what waited too long. */
  tick(nowMs: number, scans: number): void {
    this.closeWindowIfDue(nowMs);
    for (let i = 0; i < scans; i++) this.scan(nowMs);
    if (this.ccOnline) {
      const due = nowMs - this.o.receiptTimeoutMs;
      this.republish((_, row) => row.sentAtMs === null || row.sentAtMs <= due, REPUBLISH_BATCH);
    }
  }

  scan(nowMs: number): void {
    const r = this.random;
    const direction: Direction = r() < 0.5 ? 'in' : 'out';
    const p = r();
    const decision: Decision = p < 0.85 ? 'ALLOW' : p < 0.95 ? 'DENY' : 'REVIEW';
    const reasons: ReasonCode[] =
      decision === 'DENY'
        ? [DENY_REASONS[Math.floor(r() * DENY_REASONS.length)]!]
        : decision === 'REVIEW'
          ? [REVIEW_REASONS[Math.floor(r() * REVIEW_REASONS.length)]!]
          : [];
    const overridden = decision === 'REVIEW' ? r() < 0.5 : decision === 'DENY' && r() < 0.02;
    const v = r();
    const vehicle: SummaryVehicle =
      v < 0.6 ? 'motorbike' : v < 0.75 ? 'car' : v < 0.8 ? 'truck' : v < 0.85 ? 'bicycle' : 'none';
    const people = vehicle === 'car' ? 1 + Math.floor(r() * 4) : 1;
    const purpose = PURPOSES[Math.floor(r() * PURPOSES.length)]!;
    const permit = Array.from({ length: 8 }, () =>
      Math.floor(r() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
    this.closeWindowIfDue(nowMs);
    const letThrough = decision === 'ALLOW' || overridden;
    addPassage(this.window, {
      direction,
      decision,
      reasons,
      letThrough,
      purpose,
      vehicleType: vehicle,
      people,
    });
    this.windowHasData = true;
    const dir = this.totals.total[direction];
    if (decision === 'ALLOW') dir.allowed++;
    else if (decision === 'DENY') dir.denied++;
    else dir.review++;
    if (decision !== 'ALLOW' && overridden) dir.overridden++;
    this.totals.total.people += people;
    this.totals.scans++;
    const at = new Date(nowMs).toISOString();
    this.lastScanAt = at;
    const numbered = { kiosk: this.scope.kiosk, instance: this.instance };
    if (this.o.passages) {
      this.write(
        'passage',
        (seq): PassagePayload => ({
          schema: 'ckpt.passage/1',
          id: randomUUID(),
          seq,
          ...numbered,
          at,
          area: this.scope.district,
          permit,
          direction,
          letThrough,
        }),
      );
      this.totals.passages++;
    }
    if (decision === 'DENY' || overridden) {
      this.write(
        'event',
        (seq): EventPayload => ({
          schema: 'ckpt.event/2',
          id: randomUUID(),
          seq,
          ...numbered,
          at,
          kind: overridden ? 'override' : 'denial',
          decision,
          reasons,
          permit,
          direction,
          lane: this.lane,
        }),
      );
      this.totals.events++;
    }
  }

  private closeWindowIfDue(nowMs: number): void {
    const start = windowStartOf(nowMs, this.o.windowMs);
    if (start === this.windowStart) return;
    this.flushWindow();
    this.windowStart = start;
  }

  /** Writes the open window's summary (at its end, or early when the fleet stops). */
  flushWindow(): void {
    if (this.windowHasData) {
      const unnumbered = toSummaryPayload(this.scope, this.windowStart, this.o.windowMs, this.window);
      this.write(
        'summary',
        (seq): SummaryPayload => ({
          ...unnumbered,
          seq,
          kiosk: this.scope.kiosk,
          instance: this.instance,
        }),
      );
      this.totals.summaries++;
    }
    this.window = emptySummary();
    this.windowHasData = false;
  }

  /** Numbers a message, keeps it until a receipt covers it, and publishes it. */
  private write(kind: 'summary' | 'event' | 'passage', build: (seq: number) => object): void {
    const seq = ++this.seq;
    this.totals.lastSeq = seq;
    const row: Row = {
      topic: kioskTopic(this.scope, kind),
      body: JSON.stringify(build(seq)),
      sentAtMs: null,
      writtenMs: this.o.now(),
    };
    this.outbox.set(seq, row);
    this.publish(row);
  }

  private publish(row: Row): void {
    const client = this.client;
    if (!client?.connected) return;
    row.sentAtMs = this.o.now();
    client.publish(row.topic, row.body, { qos: 1 }, () => {});
  }

  /** Publishes again, oldest first, up to `limit` of the rows `which` picks. */
  private republish(which: (seq: number, row: Row) => boolean, limit: number): void {
    let n = 0;
    for (const [seq, row] of this.outbox) {
      if (n >= limit || !this.client?.connected) break;
      if (!which(seq, row)) continue;
      this.publish(row);
      this.totals.republished++;
      n++;
    }
  }

  async leave(how: 'goodbye' | 'will'): Promise<void> {
    this.totals.unreceipted = this.outbox.size;
    const client = this.client;
    if (!client) return;
    if (how === 'will') {
      // Like a kiosk losing power: the socket just goes, and the broker publishes the Will.
      client.stream.destroy();
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
      return;
    }
    const bye: OfflineStatusPayload = {
      schema: 'ckpt.status/2',
      online: false,
      kiosk: this.scope.kiosk,
      instance: this.instance,
      since: this.connectedAt,
    };
    await client.publishAsync(kioskTopic(this.scope, 'status'), JSON.stringify(bye), {
      qos: 1,
      retain: true,
    });
    await client.endAsync();
  }
}
