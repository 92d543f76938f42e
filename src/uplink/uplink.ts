// The MQTT uplink (spec/mqtt.md): birth/Last Will status, heartbeat, and the outbox drain.
// Delivery is guaranteed by our SQLite outbox, not by the MQTT session: a row is deleted only after its
// PUBACK, and every (re)connection restarts from the first undeleted row. So the session is clean
// (nothing for the broker to keep per kiosk) and duplicates are possible, loss is not.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { z } from 'zod';
import { EventBus } from '../base/bus.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import { KioskError } from '../contract/errors.js';
import type { KioskEvents } from '../contract/events.js';
import { type OfflineStatusPayload, StatusPayload } from '../contract/mqtt.js';
import { kioskTopic, type TopicScope } from '../contract/mqtt-topics.js';
import type { OutboxRow, OutboxSource } from '../store/store.js';
import { reconnectDelay } from './backoff.js';

export interface UplinkOptions {
  /** Broker URLs, tried in order; on failure the next one is used (failover). */
  urls: string[];
  scope: TopicScope;
  /** Stable per kiosk, e.g. `kiosk-{checkpoint}-{lane}`. */
  clientId: string;
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
  /** Called for each message, retained copies included; must not throw (errors are logged). */
  onMessage(topic: string, payload: Buffer): void;
}

export interface UplinkState {
  connected: boolean;
  /** The broker acknowledged the downlink subscriptions of this connection (documents can arrive). */
  subscribed: boolean;
  url: string | null;
  protocolVersion: 4 | 5 | null;
  backlog: number;
  lastError: string | null;
}

const StatusPatch = StatusPayload.pick({ scanner: true, clockSkewMs: true, shift: true, lastScanAt: true })
  .partial()
  .strict();
export type StatusPatch = z.infer<typeof StatusPatch>;

const READ_AHEAD_ROWS = 256;
/** Acknowledged rows are deleted in one commit at most this long after their PUBACK… */
const ACK_FLUSH_MS = 25;
/** …or as soon as this many are waiting. */
const ACK_FLUSH_ROWS = 1000;

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
    lastError: null,
  };
  private status: Required<StatusPatch> = {
    scanner: 'missing',
    clockSkewMs: null,
    shift: null,
    lastScanAt: null,
  };
  private readonly bus: EventBus<KioskEvents>;
  /** The last outbox seq read; rows after it are read next. */
  private cursor = 0;
  /** Rows read from the outbox, in order, not yet published on this connection. */
  private readAhead: OutboxRow[] = [];
  private inFlight = 0;
  /** maxInFlight capped by the broker's MQTT 5 Receive Maximum: exceeding it is a protocol error. */
  private window = 1;
  private acked: number[] = [];
  private flushScheduled = false;
  private flushTimer: TimerHandle | null = null;
  private lastStatusMs = Number.NEGATIVE_INFINITY;
  private statusTimer: TimerHandle | null = null;
  private heartbeat: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private readonly timers: Timers;
  private unsubscribeOutbox: (() => void) | null = null;

  constructor(private readonly opts: UplinkOptions) {
    this.bus = opts.bus ?? new EventBus<KioskEvents>();
    this.timers = opts.timers ?? systemTimers;
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
    bus.on('scanner.state', (s) => this.setStatus({ scanner: mqttScannerState(s.state) }), this);
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
    for (const t of [this.statusTimer, this.reconnectTimer, this.heartbeat])
      if (t) this.timers.clearTimeout(t);
    this.statusTimer = this.reconnectTimer = this.heartbeat = null;
    const client = this.client;
    this.client = null;
    this.generation++;
    if (client?.connected) {
      const bye: OfflineStatusPayload = { schema: 'ckpt.status/1', online: false, at: this.iso() };
      await new Promise<void>((resolve) => {
        const t = this.timers.setTimeout(resolve, 2000);
        client.publish(this.statusTopic(), JSON.stringify(bye), { qos: 1, retain: true }, () => {
          this.timers.clearTimeout(t);
          resolve();
        });
      });
    }
    this.flushAcked();
    await new Promise<void>((resolve) =>
      client ? client.end(!client.connected, {}, () => resolve()) : resolve(),
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

  private update(patch: Partial<UplinkState>): void {
    const next = { ...this.current, ...patch };
    const changed = (Object.keys(patch) as (keyof UplinkState)[]).some((k) => next[k] !== this.current[k]);
    this.current = next;
    if (!changed) return;
    const { connected, subscribed, url, backlog, lastError } = this.current;
    this.bus.emit('uplink.state', { connected, subscribed, url, backlog, lastError });
  }

  private connectNext(): void {
    if (!this.running) return;
    const urls = this.opts.urls;
    const url = urls[this.urlIndex % urls.length]!;
    const protocolVersion = this.protocolFor.get(url) ?? 5;
    const will: OfflineStatusPayload = { schema: 'ckpt.status/1', online: false, at: this.iso() };
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
    client.on('message', (topic, payload) => {
      if (gen !== this.generation) return;
      try {
        this.opts.downlink?.onMessage(topic, payload);
      } catch (err) {
        log.error('uplink: downlink handler failed', err);
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
    this.flushAcked();
    this.cursor = 0;
    this.readAhead = [];
    this.inFlight = 0;
    this.publishStatus();
    this.beat();
    this.subscribeDownlink();
    this.pump();
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
    if (!client || topics.length === 0) return;
    const gen = this.generation;
    client.subscribe(topics, { qos: 1 }, (err, granted) => {
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
    this.heartbeat = null;
    this.update({ connected: false, subscribed: false, url: null, protocolVersion: null });
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

  /** Publishes outbox rows in seq order, keeping at most maxInFlight awaiting their PUBACK. */
  private pump(): void {
    const client = this.client;
    if (!this.running || !client || !this.current.connected) return;
    let room = this.window - this.inFlight;
    const gen = this.generation;
    while (room > 0) {
      // Rows are read ahead in blocks: one query per block, not one per PUBACK.
      if (this.readAhead.length === 0) {
        this.readAhead = this.opts.outbox.outboxPeek(this.cursor, Math.max(room, READ_AHEAD_ROWS));
        if (this.readAhead.length === 0) return;
        this.cursor = this.readAhead.at(-1)!.seq;
      }
      const row = this.readAhead.shift()!;
      room--;
      this.inFlight++;
      client.publish(row.topic, row.payload, { qos: row.qos }, (err) => {
        // A PUBACK is a PUBACK even from a connection that has since dropped: delete that row. A refusal
        // (e.g. by the broker's ACL) keeps the row, and says why.
        if (!err) this.acked.push(row.seq);
        else if (gen === this.generation)
          this.update({ lastError: `${row.topic} #${row.seq}: ${err.message}` });
        if (gen === this.generation) this.inFlight--;
        this.scheduleFlush();
      });
    }
  }

  /**
   * The next rows go out at once; the PUBACKed rows are deleted in batches, one commit (one fsync) per
   * ACK_FLUSH_MS or ACK_FLUSH_ROWS. Publishing never waits for a deletion: a crash before the commit
   * only means those rows are sent again (duplicates, never a loss).
   */
  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.acked.length >= ACK_FLUSH_ROWS) this.flushAcked();
        this.pump();
      });
    }
    if (!this.flushTimer && this.running) {
      this.flushTimer = this.timers.setTimeout(() => {
        this.flushTimer = null;
        this.flushAcked();
        this.pump();
      }, ACK_FLUSH_MS);
    }
  }

  private flushAcked(): void {
    if (this.flushTimer) this.timers.clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.acked.length === 0) return;
    const seqs = this.acked;
    this.acked = [];
    try {
      this.opts.outbox.outboxDelete(seqs);
    } catch (err) {
      // The rows stay and are sent again later: a duplicate, never a loss.
      log.error('uplink: deleting acknowledged outbox rows failed', err);
    }
    this.refreshBacklog();
  }

  private refreshBacklog(): void {
    let backlog: number;
    try {
      backlog = this.opts.outbox.outboxCount();
    } catch {
      return;
    }
    if (backlog === this.current.backlog) return;
    this.update({ backlog });
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
    const payload: StatusPayload = {
      schema: 'ckpt.status/1',
      online: true,
      at: this.iso(),
      version: this.opts.version,
      startedAt: new Date(this.opts.startedAtMs).toISOString(),
      scanner: this.status.scanner,
      uplinkBacklog: this.current.backlog,
      clockSkewMs: this.opts.clockSkew ? this.opts.clockSkew() : this.status.clockSkewMs,
      shift: this.status.shift,
      lastScanAt: this.status.lastScanAt,
    };
    client.publish(this.statusTopic(), JSON.stringify(payload), { qos: 1, retain: true }, () => {});
  }
}

/** The kiosk's scanner state as the MQTT status names it: a scanner not (yet) open is missing. */
export function mqttScannerState(state: string): StatusPatch['scanner'] & string {
  if (state === 'ok' || state === 'error' || state === 'none') return state;
  return 'missing';
}
