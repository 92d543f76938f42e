// Command centre → kiosk (spec/mqtt.md): signed documents arrive on six topics, go to the document
// store (which verifies, applies or refuses, and logs), and each decision is acknowledged through the
// outbox on `ckpt/v2/{d}/{c}/{k}/ack`, in the same transaction that records it: a decision whose ack (or
// audit event) cannot be written is rolled back whole. Such a message is not dropped: it is tried again
// with a growing delay, and the fault is reported (the kiosk's status shows it) until a decision is
// recorded again. The uplink hears of the ack only after its commit (src/store/store.ts).

import { randomUUID } from 'node:crypto';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { ApiError } from '../contract/api.js';
import type { DocumentKind } from '../contract/document-jws.js';
import { KioskError } from '../contract/errors.js';
import type { UnnumberedAck } from '../contract/mqtt.js';
import {
  type DownlinkRoute,
  downlinkRoutes,
  REVOCATIONS_TOPIC,
  type TopicScope,
} from '../contract/mqtt-topics.js';
import type { ApplyOptions, DocumentResult } from '../documents/store.js';

export interface DocumentApplier {
  apply(kind: DocumentKind, raw: string | Uint8Array, opts: ApplyOptions): Promise<DocumentResult>;
}

export interface AckSink {
  enqueue(kind: 'ack', payload: unknown, nowMs?: number): number;
}

export interface DownlinkOptions {
  scope: TopicScope;
  documents: DocumentApplier;
  acks: AckSink;
  now?: () => number;
  /** The retries' timers; tests move a clock. */
  timers?: Timers;
  /** A decision could not be recorded (the fault), or one was recorded again after that (null). */
  onFault?: (fault: ApiError | null) => void;
  /** First retry delay, doubled up to retryMaxMs. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /**
   * A delta did not apply on the list held (FULL_LIST_NEEDED): the retained full list, always current
   * (spec/mqtt.md), is fetched again by subscribing to its topic anew.
   */
  refetch?: (topic: string) => void;
}

interface Retry {
  payload: Uint8Array;
  attempt: number;
  timer: TimerHandle;
}

/** The ack for a decision. `error` is the refusal code (README "Signed documents" lists them). */
export function ackFor(result: DocumentResult, atMs: number): UnnumberedAck {
  return {
    schema: 'ckpt.ack/2',
    id: randomUUID(),
    at: new Date(atMs).toISOString(),
    typ: result.typ,
    // A refused document whose version could not be read (garbage) is acked with "unknown".
    version: result.version ?? 'unknown',
    applied: result.applied,
    ...(result.error ? { error: result.error.code } : {}),
  };
}

export class Downlink {
  private readonly routes: Map<string, DownlinkRoute>;
  private readonly retries = new Map<string, Retry>();
  private faulty = false;
  private stopped = false;

  constructor(private readonly opts: DownlinkOptions) {
    this.routes = new Map(downlinkRoutes(opts.scope).map((r) => [r.topic, r]));
  }

  topics(): string[] {
    return [...this.routes.keys()];
  }

  /** Messages waiting to be tried again. */
  get pendingRetries(): number {
    return this.retries.size;
  }

  /**
   * Handles one message; never throws. Returns the decision, or null for a message that is not a
   * document: another topic, or an empty payload (a retained document being cleared).
   */
  async handle(topic: string, payload: Uint8Array): Promise<DocumentResult | null> {
    const route = this.routes.get(topic);
    if (!route || payload.byteLength === 0 || this.stopped) return null;
    // A newer message on the topic replaces one waiting to be tried again.
    const waiting = this.retries.get(topic);
    if (waiting && waiting.payload !== payload) this.cancelRetry(topic);
    try {
      const result = await this.opts.documents.apply(route.kind, payload, {
        source: `mqtt:${topic}`,
        ...(route.mode ? { mode: route.mode } : {}),
        ...(route.level ? { level: route.level } : {}),
        onDecided: (r) => this.ack(r),
      });
      if (result.unrecorded) this.failed(topic, payload, result.unrecorded, waiting?.attempt ?? 0);
      else {
        if (result.error) {
          log.warn(
            `downlink: refused ${result.typ} v${result.version ?? '?'} on ${topic}: ${result.error.code}: ${result.error.en}`,
          );
          if (result.error.code === 'FULL_LIST_NEEDED') this.opts.refetch?.(REVOCATIONS_TOPIC);
        }
        if (this.retries.get(topic)?.payload === payload) this.cancelRetry(topic);
        this.recovered();
      }
      return result;
    } catch (err) {
      log.error(`downlink: ${topic}: ${(err as Error).message}`);
      return null;
    }
  }

  /** Ends the retries. */
  stop(): void {
    this.stopped = true;
    for (const topic of [...this.retries.keys()]) this.cancelRetry(topic);
  }

  /**
   * Runs inside the store's transaction: an ack that cannot be queued throws, so the decision is rolled
   * back with it (a change in effect that the command centre never hears of would look like a refusal).
   */
  private ack(result: DocumentResult): void {
    try {
      const now = (this.opts.now ?? Date.now)();
      this.opts.acks.enqueue('ack', ackFor(result, now), now);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new KioskError(
        'STORE_FAILED',
        `Không xếp được xác nhận (ack) vào hàng gửi: ${why}`,
        `The ack could not be queued: ${why}`,
      );
    }
  }

  private failed(topic: string, payload: Uint8Array, fault: ApiError, attempt: number): void {
    const delay = Math.min(this.opts.retryMaxMs ?? 300_000, (this.opts.retryMinMs ?? 5_000) * 2 ** attempt);
    log.error(
      `downlink: the decision on ${topic} could not be recorded (${fault.code}: ${fault.en}); nothing changed, trying again in ${Math.round(delay / 1000)} s`,
    );
    this.cancelRetry(topic);
    const timers = this.opts.timers ?? systemTimers;
    const timer = timers.setTimeout(() => {
      if (this.retries.get(topic)?.timer !== timer) return;
      void this.handle(topic, payload);
    }, delay);
    timer.unref?.();
    this.retries.set(topic, { payload, attempt: Math.min(attempt + 1, 16), timer });
    this.faulty = true;
    this.opts.onFault?.(fault);
  }

  private cancelRetry(topic: string): void {
    const r = this.retries.get(topic);
    if (!r) return;
    (this.opts.timers ?? systemTimers).clearTimeout(r.timer);
    this.retries.delete(topic);
  }

  private recovered(): void {
    if (!this.faulty || this.retries.size > 0) return;
    this.faulty = false;
    this.opts.onFault?.(null);
  }
}
