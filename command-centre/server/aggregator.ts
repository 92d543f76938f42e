// The command centre's MQTT consumer (spec/mqtt.md v2). Summaries, events, acks and passages come
// through MQTT 5 shared subscriptions (`$share/{group}/…`), so several aggregators split the load; the
// status topic is a plain subscription, since each needs every kiosk's online state. The session is
// persistent: while an aggregator is down the broker queues its share. The broker is not a store: a
// message counts as delivered when the ledger has committed it and a receipt says so (intake.ts);
// whatever is lost before that (broker restart, full queue, a crash here) its kiosk sends again.

import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { EventBus } from '../../src/base/bus.js';
import { log } from '../../src/base/log.js';
import { systemTimers, type Timers } from '../../src/base/timers.js';
import { KioskError } from '../../src/contract/errors.js';
import { kidOf, loadPrivateKey } from '../../src/contract/keys.js';
import type { CcStatePayload } from '../../src/contract/mqtt.js';
import { ccStateTopic, STATUS_FILTER, sharedKioskFilters } from '../../src/contract/mqtt-topics.js';
import { Intake, type IntakeStats } from './intake.js';
import { Ledger } from './ledger.js';
import { checkRequest, type PreparedDocument, prepareDocument } from './publisher.js';
import { GapFiller, ReceiptPublisher, type ReceiptStats, type Send } from './receipts.js';
import { type ResendResult, requestResend } from './resend.js';
import { type LedgerStore, SqliteStore } from './store.js';
import type { PublishResult } from './types.js';

export interface AggregatorOptions {
  /** Broker URLs, tried in turn (failover). */
  urls: string[];
  /** The database: a SQLite ledger (wrapped here), or any store such as PostgreSQL's. */
  ledger: Ledger | LedgerStore;
  /** Stable per aggregator instance: the broker keeps its session (and queued messages) under it. */
  clientId: string;
  /** Shared-subscription group; aggregators of one command centre use the same. */
  group?: string;
  username?: string;
  password?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The command centre's private key (PEM); without it the aggregator only reads. */
  signingKeyPem?: string | null;
  /** Events and passages are kept this long (default 90 days); counts and ranges held stay. */
  retainDays?: number;
  sessionExpirySeconds?: number;
  reconnectMs?: number;
  /** Names this aggregator's presence topic `ckpt/v2/cc/state/{ccId}` (default: the client id). */
  ccId?: string;
  now?: () => number;
  /** Drive the receipts' coalescing and the gap checks (a test moves a clock instead of waiting). */
  timers?: Timers;
  /** Least time between two receipts to one kiosk instance (default 1 s). */
  receiptIntervalMs?: number;
  /** How often to look for gaps, and how long one must last before a resend command (30 s, 120 s). */
  gapCheckMs?: number;
  gapAfterMs?: number;
}

export interface AggregatorState {
  connected: boolean;
  url: string | null;
  error: string | null;
}

/** `conflicts`: kiosk ids found claimed by two live instances (each raised once). */
export interface AggregatorStats extends ReceiptStats, IntakeStats {}

const DAY_MS = 86_400_000;

/** A topic level from any id: no separators or wildcards. */
export function ccIdOf(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'cc';
}

export class Aggregator {
  private client: MqttClient | null = null;
  private running = false;
  private urlIndex = 0;
  private generation = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private current: AggregatorState = { connected: false, url: null, error: null };
  private lastMessageMs = Date.now();
  private readonly events = new EventBus<{ changed: undefined }>();
  readonly stats: AggregatorStats = {
    received: 0,
    counted: 0,
    duplicates: 0,
    rejected: 0,
    conflicts: 0,
    uncommitted: 0,
    receipts: 0,
    commands: 0,
  };
  private readonly receipts: ReceiptPublisher;
  private readonly gaps: GapFiller;
  private readonly intake: Intake;
  readonly ccId: string;
  readonly store: LedgerStore;

  constructor(private readonly opts: AggregatorOptions) {
    this.store = opts.ledger instanceof Ledger ? new SqliteStore(opts.ledger) : opts.ledger;
    const common = {
      store: this.store,
      send: this.send,
      now: () => this.now(),
      timers: opts.timers ?? systemTimers,
      stats: this.stats,
    };
    this.receipts = new ReceiptPublisher({
      ...common,
      ...(opts.receiptIntervalMs !== undefined && { intervalMs: opts.receiptIntervalMs }),
    });
    this.gaps = new GapFiller({
      ...common,
      ...(opts.gapCheckMs !== undefined && { checkMs: opts.gapCheckMs }),
      ...(opts.gapAfterMs !== undefined && { afterMs: opts.gapAfterMs }),
    });
    this.ccId = ccIdOf(opts.ccId ?? opts.clientId);
    this.intake = new Intake({
      store: this.store,
      stats: this.stats,
      now: () => this.now(),
      committed: (kioskIds) => {
        for (const id of kioskIds) this.receipts.touched(id);
        this.changed();
      },
    });
  }

  /** Publishes at QoS 1 on the current connection; false without one. */
  private readonly send: Send = (topic, payload, retain) => {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos: 1, retain }, (err) => {
      if (err) log.warn(`command centre: publishing to ${topic} failed: ${err.message}`);
    });
    return true;
  };

  private presence(online: boolean): CcStatePayload {
    return { schema: 'ckpt.cc-state/1', online, at: new Date(this.now()).toISOString() };
  }

  private kid: string | null | undefined;

  /** The signing key's id (base64url), or null when the aggregator has no key. */
  keyId(): string | null {
    if (this.kid === undefined) {
      const pem = this.opts.signingKeyPem;
      this.kid = pem ? kidOf(loadPrivateKey(pem)).toString('base64url') : null;
    }
    return this.kid;
  }

  start(): void {
    if (this.running) return;
    if (this.opts.urls.length === 0) {
      throw new KioskError('CC_NO_BROKER', 'Chưa cấu hình máy chủ MQTT', 'No MQTT broker configured');
    }
    this.running = true;
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), 3_600_000);
    this.pruneTimer.unref();
    this.receipts.start();
    this.gaps.start();
    this.connectNext();
  }

  /**
   * Disconnects. The broker keeps the session, and queues this instance's share of the messages until
   * it comes back. With `retire`, it stops taking a share, takes in what was already queued for it,
   * and ends the session: an aggregator that will not return must retire, or its queued share waits
   * for a consumer that never comes (until the session expires, and then is lost).
   */
  async stop(opts: { retire?: boolean; idleMs?: number; maxWaitMs?: number } = {}): Promise<void> {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.reconnectTimer = this.pruneTimer = null;
    this.gaps.stop();
    const client = this.client;
    let disconnect = {};
    if (client?.connected && this.running) {
      // A clean goodbye: the Will is only for a connection that dies.
      await client
        .publishAsync(ccStateTopic(this.ccId), JSON.stringify(this.presence(false)), { qos: 1, retain: true })
        .catch(() => {});
    }
    if (opts.retire && client?.connected && this.running) {
      await client.unsubscribeAsync(this.sharedTopics()).catch(() => {});
      const deadline = Date.now() + (opts.maxWaitMs ?? 30_000);
      while (Date.now() - this.lastMessageMs < (opts.idleMs ?? 500) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      disconnect = { properties: { sessionExpiryInterval: 0 } };
    }
    this.running = false;
    // Nothing more is taken in; what arrived is committed, and its receipts (even those waiting for
    // their second to pass) go out while the connection is still there.
    this.generation++;
    await this.intake.flush();
    await this.receipts.stop({ publishPending: true });
    this.client = null;
    if (client) await new Promise<void>((resolve) => client.end(false, disconnect, () => resolve()));
    this.update({ connected: false, url: null });
  }

  private sharedTopics(): string[] {
    return sharedKioskFilters(this.opts.group ?? 'cc');
  }

  state(): AggregatorState {
    return { ...this.current };
  }

  /** Called after every change to the ledger made by this aggregator, and on connection changes. */
  onChange(listener: () => void): () => void {
    return this.events.on('changed', listener);
  }

  /** Validates a request as publish would, without signing: before it waits for an approval. */
  async checkPublish(request: unknown): Promise<void> {
    this.signingKey();
    await checkRequest(request, (topics) => this.store.lastPublishedVersion(topics));
  }

  private signingKey(): string {
    const pem = this.opts.signingKeyPem;
    if (!pem) {
      throw new KioskError(
        'CC_NO_KEY',
        'Trung tâm chưa có khoá ký (--key)',
        'The command centre has no signing key (--key)',
      );
    }
    return pem;
  }

  /** Validates, signs with the command centre's key and publishes a downlink document. */
  async publish(request: unknown): Promise<PublishResult> {
    const pem = this.signingKey();
    const store = this.store;
    const { doc, revocations } = await prepareDocument(
      request,
      pem,
      (topics) => store.lastPublishedVersion(topics),
      store.revocations,
    );
    if (!this.client?.connected) {
      throw new KioskError(
        'CC_BROKER_OFFLINE',
        'Chưa kết nối được máy chủ MQTT: chưa phát tài liệu',
        'Not connected to the MQTT broker: nothing was published',
      );
    }
    // The full list first: a kiosk that cannot apply the delta re-fetches it and finds it current.
    if (revocations?.folded) await this.publishDocument(revocations.folded);
    await this.publishDocument(doc);
    if (revocations) await store.setRevocations(doc.version, revocations.change);
    this.changed();
    return {
      typ: doc.typ,
      version: doc.version,
      topic: doc.topic,
      retained: doc.retained,
      ...(revocations?.folded && { full: { topic: revocations.folded.topic, entries: revocations.entries } }),
    };
  }

  /** Asks one kiosk to republish a range of seq (POST /api/resend). */
  resend(request: unknown): Promise<ResendResult> {
    return requestResend(request, this.store, this.send, this.stats);
  }

  private async publishDocument(doc: PreparedDocument): Promise<void> {
    const client = this.client;
    if (!client?.connected) {
      throw new KioskError(
        'CC_BROKER_OFFLINE',
        'Chưa kết nối được máy chủ MQTT: chưa phát tài liệu',
        'Not connected to the MQTT broker: nothing was published',
      );
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new KioskError(
              'CC_PUBLISH_TIMEOUT',
              'Máy chủ MQTT không xác nhận trong 10 giây',
              'The MQTT broker did not acknowledge within 10 s',
            ),
          ),
        10_000,
      );
      client.publish(doc.topic, doc.jws, { qos: 1, retain: doc.retained }, (err) => {
        clearTimeout(timer);
        if (err) {
          reject(
            new KioskError(
              'CC_PUBLISH_FAILED',
              `Máy chủ MQTT từ chối: ${err.message}`,
              `The MQTT broker refused: ${err.message}`,
            ),
          );
        } else resolve();
      });
    });
    await this.store.recordPublished(doc, this.now());
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private prune(): void {
    this.store
      .prune(this.now() - (this.opts.retainDays ?? 90) * DAY_MS)
      .catch((err) => log.error('command centre: pruning old events and passages failed', err));
  }

  private changed(): void {
    this.events.emit('changed', undefined);
  }

  private update(patch: Partial<AggregatorState>): void {
    this.current = { ...this.current, ...patch };
    this.changed();
  }

  private connectNext(): void {
    if (!this.running) return;
    const urls = this.opts.urls;
    const url = urls[this.urlIndex % urls.length]!;
    const o = this.opts;
    const gen = ++this.generation;
    const options: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: o.sessionExpirySeconds ?? 7 * 86_400 },
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      // Registered at connect, so it cannot know when it fires: kiosks read only `online`.
      will: {
        topic: ccStateTopic(this.ccId),
        payload: Buffer.from(JSON.stringify(this.presence(false))),
        qos: 1,
        retain: true,
      },
      ...(o.username !== undefined && { username: o.username }),
      ...(o.password !== undefined && { password: o.password }),
      ...(o.ca !== undefined && { ca: o.ca, rejectUnauthorized: true }),
      ...(o.cert !== undefined && { cert: o.cert }),
      ...(o.key !== undefined && { key: o.key }),
    };
    const client = connect(url, options);
    this.client = client;
    client.on('connect', () => {
      if (gen !== this.generation) return;
      const topics: Record<string, { qos: 0 | 1 }> = {};
      for (const t of this.sharedTopics()) topics[t] = { qos: 1 };
      // QoS 0: statuses are state, not history; nothing is queued for us while we are away, and
      // subscribing again on every connection brings each kiosk's retained current status.
      topics[STATUS_FILTER] = { qos: 0 };
      client.subscribe(topics, (err, granted) => {
        if (gen !== this.generation) return;
        const refused = granted?.filter((g) => g.qos >= 0x80) ?? [];
        if (err || refused.length > 0) {
          const why = err?.message ?? refused.map((g) => `${g.topic}: ${g.qos}`).join(', ');
          this.update({ error: `${url}: subscribe refused: ${why}` });
          client.end(true);
          return;
        }
        // Retained, so a kiosk connecting later knows a command centre is there; on every connection,
        // since a broker restarted without persistence has forgotten it.
        client.publish(ccStateTopic(this.ccId), JSON.stringify(this.presence(true)), {
          qos: 1,
          retain: true,
        });
        this.update({ connected: true, url, error: null });
      });
    });
    client.on('message', (topic, message, packet) => {
      if (gen !== this.generation) return;
      this.lastMessageMs = Date.now();
      this.intake.push(topic, message, packet.retain);
    });
    client.on('error', (err) => {
      if (gen === this.generation) this.update({ error: `${url}: ${err.message}` });
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.generation++;
      client.end(true);
      this.client = null;
      this.update({ connected: false, url: null });
      if (!this.running) return;
      this.urlIndex++;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        this.connectNext();
      }, o.reconnectMs ?? 1000);
    });
  }
}
