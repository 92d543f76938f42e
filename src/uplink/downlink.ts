// Command centre → kiosk (spec/mqtt.md): signed documents arrive on six topics, go to the document
// store (which verifies, applies or refuses, and logs), and each decision is acknowledged through the
// outbox on `ckpt/v2/{d}/{c}/{k}/ack`, in the same transaction that records it.

import { randomUUID } from 'node:crypto';
import { log } from '../base/log.js';
import type { DocumentKind } from '../contract/document-jws.js';
import type { UnnumberedAck } from '../contract/mqtt.js';
import { type DownlinkRoute, downlinkRoutes, type TopicScope } from '../contract/mqtt-topics.js';
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

  constructor(private readonly opts: DownlinkOptions) {
    this.routes = new Map(downlinkRoutes(opts.scope).map((r) => [r.topic, r]));
  }

  topics(): string[] {
    return [...this.routes.keys()];
  }

  /**
   * Handles one message; never throws. Returns the decision, or null for a message that is not a
   * document: another topic, or an empty payload (a retained document being cleared).
   */
  async handle(topic: string, payload: Uint8Array): Promise<DocumentResult | null> {
    const route = this.routes.get(topic);
    if (!route || payload.byteLength === 0) return null;
    try {
      const result = await this.opts.documents.apply(route.kind, payload, {
        source: `mqtt:${topic}`,
        ...(route.mode ? { mode: route.mode } : {}),
        ...(route.level ? { level: route.level } : {}),
        onDecided: (r) => this.ack(r),
      });
      if (result.error) {
        log.warn(
          `downlink: refused ${result.typ} v${result.version ?? '?'} on ${topic}: ${result.error.code}: ${result.error.en}`,
        );
      }
      return result;
    } catch (err) {
      log.error(`downlink: ${topic}: ${(err as Error).message}`);
      return null;
    }
  }

  /** Runs inside the store's transaction: an ack that cannot be queued must not undo the decision. */
  private ack(result: DocumentResult): void {
    try {
      const now = (this.opts.now ?? Date.now)();
      this.opts.acks.enqueue('ack', ackFor(result, now), now);
    } catch (err) {
      log.error('downlink: could not queue the ack:', (err as Error).message);
    }
  }
}
