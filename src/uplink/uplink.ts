// The MQTT uplink (spec/mqtt.md v2): birth/Last Will status, heartbeat, the outbox drain, receipts.
// Delivery is guaranteed by our SQLite outbox, not by the broker: a row is deleted only when a receipt
// from the command centre's database covers it (a PUBACK only means the broker has it, and brokers drop
// queued messages). Every (re)connection publishes again from the first unreceipted row; rows left
// unreceipted past the timeout, or when the command centre comes back, or on a `resend` command are
// republished behind the live ones. The session is clean, duplicates are possible, loss is not.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { EventBus } from '../base/bus.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { CheckpointKind } from '../contract/checkpoint.js';
import { KioskError } from '../contract/errors.js';
import type { KioskEvents } from '../contract/events.js';
import {
  CcStatePayload,
  type CommandCentreState,
  CommandPayload,
  type OfflineStatusPayload,
  ReceiptPayload,
  StatusPayload,
} from '../contract/mqtt.js';
import {
  CC_STATE_FILTER,
  commandTopic,
  kioskTopic,
  receiptTopic,
  type TopicScope,
} from '../contract/mqtt-topics.js';
import type { Direction } from '../contract/reasons.js';
import { receiptCovers } from '../contract/receipts.js';
import type { OutboxRow, OutboxSource } from '../store/store.js';
import { reconnectDelay } from './backoff.js';

export interface UplinkOptions {
  /** Broker URLs, tried in order; on failure the next one is used (failover). */
  urls: string[];
  scope: TopicScope;
  /** Stable per kiosk: `kiosk-{checkpoint}-{kiosk}`. */
  clientId: string;
  /** The lane and direction the kiosk serves now, for its status. */
  lane: () => string;
  direction: () => Direction;
  /** The checkpoint's area and kind, in the status: peers and the command centre learn the area's kiosks. */
  area?: () => { area: string; checkpointKind: CheckpointKind };
  /** `none` when no serial scanner is configured (keyboard wedge or camera only). */
  scannerConfigured?: boolean;
  /** A row published but not receipted this long, while the command centre is online, goes again. */
  receiptTimeoutMs?: number;
  outbox: OutboxSource;
  version: string;
  startedAtMs: number;
  username?: string;
  password?: string;
  /** Pinned CA (PEM) for mqtts:// URLs: the only CA trusted, the system's store is not used. */
  ca?: string | Buffer;
  /** Client certificate and its key (PEM), for brokers that identify kiosks by certificate. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Publishes awaiting their PUBACK (default 256); order is kept whatever the value. */
  maxInFlight?: number;
  heartbeatMs?: number;
  /** Status changes are coalesced so that at most one is published per interval. */
  statusMinIntervalMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  connectTimeoutMs?: number;
  now?: () => number;
  /** The uplink's timers (reconnect backoff, status coalescing, heartbeat, ack flush); tests move a clock. */
  timers?: Timers;
  /** The backoff's jitter source, in [0, 1) (Math.random); tests fix it. */
  random?: () => number;
  /** Command centre → kiosk topics (QoS 1), subscribed again on every connection (clean sessions). */
  downlink?: UplinkSubscription;
  /**
   * The kiosk's event bus: the uplink follows the scanner, the shift and the last passage on it for the
   * status it publishes, and announces its own state (`uplink.state`). A private bus when absent.
   */
  bus?: EventBus<KioskEvents>;
  /** The kiosk clock's skew as far as it is known (documents/clock.ts), read at each status. */
  clockSkew?: () => number | null;
}

export interface UplinkSubscription {
  topics: string[];
  /** Called for each message, retained copies included (`retained`); must not throw (errors are logged). */
  onMessage(topic: string, payload: Buffer, retained: boolean): void;
}

export interface UplinkState {
  connected: boolean;
  /** The broker acknowledged the downlink subscriptions of this connection (documents can arrive). */
  subscribed: boolean;
  url: string | null;
  protocolVersion: 4 | 5 | null;
  /** Messages not yet covered by a receipt. */
  backlog: number;
  /** When the oldest of them was written. */
  oldestMs: number | null;
  /** Whether an aggregator of the command centre is online (its retained presence), as last heard. */
  commandCentre: CommandCentreState;
  lastError: string | null;
}

const StatusPatch = StatusPayload.pick({ scanner: true, clockSkewMs: true, shift: true, lastScanAt: true })
  .partial()
  .strict();
export type StatusPatch = z.infer<typeof StatusPatch>;

const READ_AHEAD_ROWS = 256;

// MQTT 5 "unsupported protocol version" (132) or 3.1.1 "unacceptable protocol version" (1).
const PROTOCOL_REFUSED = new Set([1, 132]);

export class Uplink {
  private running = false;
  private client: MqttClient | null = null;
  private generation = 0;
  private attempt = 0;
  private urlIndex = 0;
  private readonly protocolFor = new Map<string, 4 | 5>();
  private current: UplinkState = {
    connected: false,
    subscribed: false,
    url: null,
    protocolVersion: null,
    backlog: 0,
    oldestMs: null,
    commandCentre: 'unknown',
    lastError: null,
  };
  private status: Required<StatusPatch> = {
    scanner: 'missing',
    clockSkewMs: null,
    shift: null,
    lastScanAt: null,
  };
  private readonly bus: EventBus<KioskEvents>;
  /** The last outbox seq read for publishing on this connection; rows after it are read next. */
  private cursor = 0;
  /** Rows up to `to`, after `after`, to publish again behind the live ones; null when none. */
  private replay: { after: number; to: number; all: boolean } | null = null;
  private replayAhead: OutboxRow[] = [];
  /** PUBACKed rows not yet receipted, and when: the receipt timeout is measured from here. */
  private readonly published = new Map<number, number>();
  /** The presence of each aggregator heard on this connection. */
  private readonly aggregators = new Map<string, boolean>();
  private receiptTimer: TimerHandle | null = null;
  /** Rows read from the outbox, in order, not yet published on this connection. */
  private readAhead: OutboxRow[] = [];
  private inFlight = 0;
  /** maxInFlight capped by the broker's MQTT 5 Receive Maximum: exceeding it is a protocol error. */
  private window = 1;
  private pumpScheduled = false;
  private lastStatusMs = Number.NEGATIVE_INFINITY;
  private statusTimer: TimerHandle | null = null;
  private heartbeat: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private readonly timers: Timers;
  private unsubscribeOutbox: (() => void) | null = null;

  constructor(private readonly opts: UplinkOptions) {
    this.bus = opts.bus ?? new EventBus<KioskEvents>();
    this.timers = opts.timers ?? systemTimers;
    if (opts.scannerConfigured === false) this.status.scanner = 'none';
  }

  start(): void {
    if (this.running) return;
    if (this.opts.urls.length === 0) {
      throw new KioskError('UPLINK_NO_BROKER', 'Chưa cấu hình máy chủ MQTT', 'No MQTT broker configured');
    }
    this.running = true;
    this.unsubscribeOutbox = this.opts.outbox.onOutbox(() => {
      this.refreshBacklog();
      this.pump();
    });
    this.follow();
    this.refreshBacklog();
    this.connectNext();
  }

  /** What the kiosk's parts report that the MQTT status carries. */
  private follow(): void {
    const bus = this.bus;
    if (this.opts.scannerConfigured !== false) {
      bus.on('scanner.state', (s) => this.setStatus({ scanner: mqttScannerState(s.state) }), this);
    }
    bus.on(
      'shift.changed',
      (s) => this.setStatus({ shift: s && { id: String(s.id), startedAt: s.openedAt } }),
      this,
    );
    bus.on('passage.recorded', (p) => this.setStatus({ lastScanAt: p.at }), this);
    bus.on('documents.changed', () => this.requestStatus(), this);
  }

  /** Says goodbye (retained offline status, so no Last Will fires) and disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.bus.removeOwner(this);
    this.unsubscribeOutbox?.();
    for (const t of [this.statusTimer, this.reconnectTimer, this.heartbeat, this.receiptTimer])
      if (t) this.timers.clearTimeout(t);
    this.statusTimer = this.reconnectTimer = this.heartbeat = this.receiptTimer = null;
    const client = this.client;
    this.client = null;
    this.generation++;
    let answered = false;
    if (client?.connected) {
      const bye = this.offlineStatus();
      await new Promise<void>((resolve) => {
        // Bounded in real time, whatever clock the uplink runs on: a stop never waits on a clock that
        // stands still (tests) for a broker that went away without a word.
        const t = systemTimers.setTimeout(resolve, 2000);
        client.publish(this.statusTopic(), JSON.stringify(bye), { qos: 1, retain: true }, () => {
          answered = true;
          systemTimers.clearTimeout(t);
          resolve();
        });
      });
    }
    // A graceful end waits for every message in flight to be acknowledged: with an unanswered goodbye
    // it would wait for ever, so the connection is then dropped.
    await new Promise<void>((resolve) =>
      client ? client.end(!answered || !client.connected, {}, () => resolve()) : resolve(),
    );
    this.update({ connected: false, subscribed: false, url: null, protocolVersion: null });
  }

  /** Merges a status change (validated) and publishes it, coalesced to statusMinIntervalMs. */
  setStatus(patch: StatusPatch): void {
    const r = StatusPatch.safeParse(patch);
    if (!r.success) {
      const detail = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new KioskError(
        'STATUS_INVALID',
        `Trạng thái không hợp lệ: ${detail}`,
        `Invalid status: ${detail}`,
      );
    }
    const next = { ...this.status, ...r.data };
    if (JSON.stringify(next) === JSON.stringify(this.status)) return;
    this.status = next;
    this.requestStatus();
  }

  backlog(): number {
    return this.current.backlog;
  }

  /** How many publishes may await their PUBACK on the current connection. */
  inFlightWindow(): number {
    return this.window;
  }

  state(): UplinkState {
    return { ...this.current };
  }

  onChange(listener: (s: UplinkState) => void): () => void {
    return this.bus.on('uplink.state', () => listener(this.state()));
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private statusTopic(): string {
    return kioskTopic(this.opts.scope, 'status');
  }

  private instance(): string {
    return this.opts.outbox.outboxStats().instance;
  }

  /** The Will and the goodbye: `since` is when this connection started. */
  private offlineStatus(): OfflineStatusPayload {
    return {
      schema: 'ckpt.status/2',
      online: false,
      kiosk: this.opts.scope.kiosk,
      instance: this.instance(),
      since: new Date(this.connectedSinceMs).toISOString(),
    };
  }

  private connectedSinceMs = 0;

  private update(patch: Partial<UplinkState>): void {
    const next = { ...this.current, ...patch };
    const changed = (Object.keys(patch) as (keyof UplinkState)[]).some((k) => next[k] !== this.current[k]);
    this.current = next;
    if (!changed) return;
    const { connected, subscribed, url, backlog, oldestMs, commandCentre, lastError } = this.current;
    this.bus.emit('uplink.state', {
      connected,
      subscribed,
      url,
      backlog,
      oldestMs,
      commandCentre,
      lastError,
    });
  }

  private connectNext(): void {
    if (!this.running) return;
    const urls = this.opts.urls;
    const url = urls[this.urlIndex % urls.length]!;
    const protocolVersion = this.protocolFor.get(url) ?? 5;
    this.connectedSinceMs = this.now();
    const will = this.offlineStatus();
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      protocolVersion,
      clean: true,
      reconnectPeriod: 0, // we reconnect ourselves, with backoff and failover
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      keepalive: 30,
      will: { topic: this.statusTopic(), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
      ...(this.opts.username !== undefined && { username: this.opts.username }),
      ...(this.opts.password !== undefined && { password: this.opts.password }),
      ...(this.opts.ca !== undefined && { ca: this.opts.ca, rejectUnauthorized: true }),
      ...(this.opts.cert !== undefined && { cert: this.opts.cert }),
      ...(this.opts.key !== undefined && { key: this.opts.key }),
    };
    const gen = ++this.generation;
    let fallback = false;
    const client = connect(url, options);
    this.client = client;
    client.on('connect', (connack) => {
      if (gen !== this.generation) return;
      this.attempt = 0;
      const brokerMax = connack.properties?.receiveMaximum ?? 65_535;
      this.window = Math.max(1, Math.min(this.opts.maxInFlight ?? 256, brokerMax));
      this.update({ connected: true, url, protocolVersion, lastError: null });
      this.onConnected();
    });
    client.on('error', (err: Error & { code?: unknown }) => {
      if (gen !== this.generation) return;
      if (protocolVersion === 5 && typeof err.code === 'number' && PROTOCOL_REFUSED.has(err.code)) {
        this.protocolFor.set(url, 4);
        fallback = true;
      }
      this.update({ lastError: `${url}: ${err.message}` });
    });
    client.on('message', (topic, payload, packet) => {
      if (gen !== this.generation) return;
      try {
        if (!this.ownMessage(topic, payload)) this.opts.downlink?.onMessage(topic, payload, packet.retain);
      } catch (err) {
        log.error('uplink: message handler failed', err);
      }
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.generation++;
      client.end(true);
      this.onDisconnected(fallback);
    });
  }

  private onConnected(): void {
    // Everything unreceipted goes again, in order: what the last connection published may be lost.
    this.cursor = 0;
    this.readAhead = [];
    this.replay = null;
    this.replayAhead = [];
    this.published.clear();
    this.aggregators.clear();
    this.inFlight = 0;
    this.update({ commandCentre: 'unknown' });
    this.publishStatus();
    this.beat();
    this.subscribeDownlink();
    this.watchReceipts();
    this.pump();
  }

  /** Subscribes to a topic anew, so the broker sends its retained message again. */
  refetch(topic: string): void {
    const client = this.client;
    if (!client || !this.current.connected) return;
    log.info(`uplink: fetching the retained ${topic} again`);
    client.unsubscribe(topic, () => {
      client.subscribe(topic, { qos: 1 }, (err) => {
        if (err) log.error(`uplink: could not subscribe to ${topic} again: ${err.message}`);
      });
    });
  }

  /** Receipts, commands and the command centre's presence; false for any other topic. */
  private ownMessage(topic: string, payload: Buffer): boolean {
    const scope = this.opts.scope;
    if (topic === receiptTopic(scope)) {
      this.onReceipt(payload);
      return true;
    }
    if (topic === commandTopic(scope)) {
      this.onCommand(payload);
      return true;
    }
    const prefix = CC_STATE_FILTER.slice(0, -1);
    if (topic.startsWith(prefix)) {
      this.onCcState(topic.slice(prefix.length), payload);
      return true;
    }
    return false;
  }

  private onReceipt(payload: Buffer): void {
    if (payload.byteLength === 0) return;
    const r = ReceiptPayload.safeParse(parseJson(payload));
    if (!r.success) {
      log.warn('uplink: a receipt that is not one was ignored');
      return;
    }
    const receipt = r.data;
    const outcome = this.opts.outbox.applyReceipt(receipt);
    if (outcome.kind === 'foreign') {
      log.warn(`uplink: a receipt for instance ${receipt.instance}, not this kiosk's, changed nothing`);
      return;
    }
    if (outcome.kind === 'beyond') {
      log.warn(
        `uplink: a receipt claiming seq ${outcome.highest}, beyond the ${outcome.lastSeq} this kiosk ever sent, changed nothing`,
      );
      return;
    }
    for (const seq of this.published.keys()) if (receiptCovers(receipt, seq)) this.published.delete(seq);
    this.refreshBacklog();
  }

  private onCommand(payload: Buffer): void {
    const c = CommandPayload.safeParse(parseJson(payload));
    if (!c.success) {
      log.warn('uplink: a command that is not one was ignored');
      return;
    }
    log.info(`uplink: resend ${c.data.from}–${c.data.to} asked by the command centre (${c.data.id})`);
    this.startReplay(c.data.from - 1, c.data.to, true);
  }

  private onCcState(ccId: string, payload: Buffer): void {
    if (payload.byteLength === 0) this.aggregators.delete(ccId);
    else {
      const p = CcStatePayload.safeParse(parseJson(payload));
      if (!p.success) return;
      this.aggregators.set(ccId, p.data.online);
    }
    const before = this.current.commandCentre;
    const online = [...this.aggregators.values()].some(Boolean);
    const now: CommandCentreState = online ? 'online' : this.aggregators.size > 0 ? 'offline' : 'unknown';
    if (now === before) return;
    this.update({ commandCentre: now });
    this.requestStatus();
    // Back from offline: what it missed meanwhile may be gone from the broker. Everything goes again.
    if (now === 'online' && before === 'offline') this.startReplay(0, this.cursor, true);
  }

  /** Publishes rows after..to again, behind the live ones; `all`: even those published just now. */
  private startReplay(after: number, to: number, all: boolean): void {
    const r = this.replay;
    this.replay = r
      ? { after: Math.min(r.after, after), to: Math.max(r.to, to), all: r.all || all }
      : { after, to, all };
    this.replayAhead = [];
    this.pump();
  }

  /** Rows published and not receipted within the timeout, while the command centre is online, go again. */
  private watchReceipts(): void {
    if (this.receiptTimer) this.timers.clearTimeout(this.receiptTimer);
    const timeout = this.opts.receiptTimeoutMs ?? 60_000;
    this.receiptTimer = this.timers.setTimeout(
      () => {
        this.receiptTimer = null;
        if (!this.current.connected) return;
        const cutoff = this.now() - timeout;
        let late: number | null = null;
        for (const [seq, at] of this.published) if (at <= cutoff && (late === null || seq < late)) late = seq;
        if (late !== null && this.current.commandCentre === 'online' && !this.replay) {
          log.warn(`uplink: no receipt for seq ${late} after ${timeout / 1000} s: publishing it again`);
          this.startReplay(late - 1, this.cursor, false);
        }
        this.watchReceipts();
      },
      Math.max(1000, Math.floor(timeout / 4)),
    );
    this.receiptTimer.unref?.();
  }

  /** The heartbeat: a status every heartbeatMs while connected. */
  private beat(): void {
    if (this.heartbeat) this.timers.clearTimeout(this.heartbeat);
    this.heartbeat = this.timers.setTimeout(() => {
      this.heartbeat = null;
      this.publishStatus();
      if (this.current.connected) this.beat();
    }, this.opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref?.();
  }

  private subscribeDownlink(): void {
    const client = this.client;
    const topics = this.opts.downlink?.topics ?? [];
    if (!client) return;
    const gen = this.generation;
    const own = [receiptTopic(this.opts.scope), commandTopic(this.opts.scope), CC_STATE_FILTER];
    client.subscribe([...own, ...topics], { qos: 1 }, (err, granted) => {
      // 128 (0x80): the broker refused that topic, e.g. by its ACL.
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (err || refused.length > 0) {
        const why = err ? err.message : `refused: ${refused.join(', ')}`;
        this.update({ lastError: `subscribe: ${why}` });
        log.error(`uplink: downlink subscription failed: ${why}`);
      } else if (gen === this.generation) {
        this.update({ subscribed: true });
      }
    });
  }

  private onDisconnected(sameUrlAgain: boolean): void {
    this.client = null;
    this.inFlight = 0;
    if (this.heartbeat) this.timers.clearTimeout(this.heartbeat);
    if (this.receiptTimer) this.timers.clearTimeout(this.receiptTimer);
    this.heartbeat = this.receiptTimer = null;
    this.update({
      connected: false,
      subscribed: false,
      url: null,
      protocolVersion: null,
      commandCentre: 'unknown',
    });
    if (!this.running) return;
    let delay = 0;
    if (!sameUrlAgain) {
      this.urlIndex++;
      this.attempt++;
      delay = reconnectDelay(this.attempt, this.opts.urls.length, {
        minMs: this.opts.backoffMinMs ?? 500,
        maxMs: this.opts.backoffMaxMs ?? 30_000,
        random: this.opts.random ?? Math.random,
      });
    }
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.connectNext();
    }, delay);
  }

  /**
   * Publishes outbox rows in seq order, keeping at most maxInFlight awaiting their PUBACK. New rows go
   * first; rows published again (replay) take the room the new ones leave, so they never hold them back.
   */
  private pump(): void {
    const client = this.client;
    if (!this.running || !client || !this.current.connected) return;
    let room = this.window - this.inFlight;
    while (room > 0) {
      const row = this.nextLive(room) ?? this.nextReplay(room);
      if (!row) return;
      room--;
      this.publishRow(client, row);
    }
  }

  private nextLive(room: number): OutboxRow | null {
    // Rows are read ahead in blocks: one query per block, not one per PUBACK.
    if (this.readAhead.length === 0) {
      this.readAhead = this.opts.outbox.outboxPeek(this.cursor, Math.max(room, READ_AHEAD_ROWS));
      const last = this.readAhead.at(-1);
      if (!last) return null;
      this.cursor = last.seq;
    }
    return this.readAhead.shift() ?? null;
  }

  private nextReplay(room: number): OutboxRow | null {
    const r = this.replay;
    if (!r) return null;
    const recent = this.now() - (this.opts.receiptTimeoutMs ?? 60_000);
    for (;;) {
      if (this.replayAhead.length === 0) {
        this.replayAhead = this.opts.outbox.outboxPeek(r.after, Math.max(room, READ_AHEAD_ROWS), r.to);
        const last = this.replayAhead.at(-1);
        if (!last) {
          this.replay = null;
          return null;
        }
        r.after = last.seq;
      }
      const row = this.replayAhead.shift();
      if (!row) continue;
      // A row published within the timeout is still awaited, unless everything must go again.
      const at = this.published.get(row.seq);
      if (!r.all && at !== undefined && at > recent) continue;
      return row;
    }
  }

  private publishRow(client: MqttClient, row: OutboxRow): void {
    const gen = this.generation;
    this.inFlight++;
    // The receipt timeout runs from the (last) publication: a row sent again is awaited afresh.
    this.published.set(row.seq, this.now());
    client.publish(row.topic, row.payload, { qos: row.qos }, (err) => {
      // The row stays until a receipt covers it; a refusal (e.g. by the broker's ACL) says why.
      if (err && gen === this.generation)
        this.update({ lastError: `${row.topic} #${row.seq}: ${err.message}` });
      if (gen === this.generation) this.inFlight--;
      this.schedulePump();
    });
  }

  /** PUBACKs come in bursts: the next rows are read once per burst. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private refreshBacklog(): void {
    let stats: ReturnType<OutboxSource['outboxStats']>;
    try {
      stats = this.opts.outbox.outboxStats();
    } catch {
      return;
    }
    if (stats.unreceipted === this.current.backlog && stats.oldestMs === this.current.oldestMs) return;
    this.update({ backlog: stats.unreceipted, oldestMs: stats.oldestMs });
    this.requestStatus();
  }

  private requestStatus(): void {
    if (!this.current.connected || this.statusTimer) return;
    const wait = this.lastStatusMs + (this.opts.statusMinIntervalMs ?? 1000) - this.now();
    if (wait <= 0) {
      this.publishStatus();
      return;
    }
    this.statusTimer = this.timers.setTimeout(() => {
      this.statusTimer = null;
      this.publishStatus();
    }, wait);
  }

  private publishStatus(): void {
    const client = this.client;
    if (!client || !this.current.connected) return;
    this.lastStatusMs = this.now();
    let stats: ReturnType<OutboxSource['outboxStats']>;
    try {
      stats = this.opts.outbox.outboxStats();
    } catch (err) {
      log.error('uplink: the outbox cannot be read for the status', err);
      return;
    }
    const payload: StatusPayload = {
      schema: 'ckpt.status/2',
      online: true,
      at: this.iso(),
      kiosk: this.opts.scope.kiosk,
      instance: stats.instance,
      version: this.opts.version,
      startedAt: new Date(this.opts.startedAtMs).toISOString(),
      lane: this.opts.lane(),
      direction: this.opts.direction(),
      scanner: this.status.scanner,
      lastSeq: stats.lastSeq,
      outbox: {
        unreceipted: stats.unreceipted,
        oldestAt: stats.oldestMs === null ? null : new Date(stats.oldestMs).toISOString(),
      },
      clockSkewMs: this.opts.clockSkew ? this.opts.clockSkew() : this.status.clockSkewMs,
      shift: this.status.shift,
      lastScanAt: this.status.lastScanAt,
      ...(this.opts.area ? this.opts.area() : {}),
      commandCentre: this.current.commandCentre,
    };
    client.publish(this.statusTopic(), JSON.stringify(payload), { qos: 1, retain: true }, () => {});
  }
}

/** The kiosk's scanner state as the MQTT status names it: a scanner not (yet) open is missing. */
export function mqttScannerState(state: string): StatusPatch['scanner'] & string {
  if (state === 'ok' || state === 'error' || state === 'none') return state;
  return 'missing';
}

/** A message's JSON, or null when it is not JSON. */
export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
}
