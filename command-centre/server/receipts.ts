// What the aggregator sends back to each kiosk (spec/mqtt.md "Receipts", "Command centre → kiosk"):
// receipts computed from the database after a commit, at most one a second per kiosk instance; and
// `resend` commands for a range of seq the database still lacks after a while.
import { randomUUID } from 'node:crypto';
import { log } from '../../src/base/log.js';
import type { TimerHandle, Timers } from '../../src/base/timers.js';
import type { CommandPayload, ReceiptPayload } from '../../src/contract/mqtt.js';
import { commandTopic, receiptTopic } from '../../src/contract/mqtt-topics.js';
import type { InstanceScope } from './ledger.js';
import type { LedgerStore } from './store.js';

/** Publishes at QoS 1; false when there is no connection to publish on. */
export type Send = (topic: string, payload: string, retain: boolean) => boolean;

export interface ReceiptStats {
  receipts: number;
  commands: number;
}

/** Coalesces receipts per kiosk instance: the first at once, then at most one per interval. */
export class ReceiptPublisher {
  private readonly last = new Map<number, number>();
  private readonly pending = new Map<number, TimerHandle>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly o: {
      store: LedgerStore;
      send: Send;
      now: () => number;
      timers: Timers;
      stats: ReceiptStats;
      intervalMs?: number;
    },
  ) {}

  /** A commit touched this instance (a new seq, or a copy of one held: its receipt was missed). */
  touched(kioskId: number): void {
    if (this.stopped || this.pending.has(kioskId)) return;
    const last = this.last.get(kioskId);
    const wait = last === undefined ? 0 : last + (this.o.intervalMs ?? 1000) - this.o.now();
    if (wait <= 0) {
      this.last.set(kioskId, this.o.now());
      this.track(this.publish(kioskId));
      return;
    }
    const timer = this.o.timers.setTimeout(() => {
      this.pending.delete(kioskId);
      this.last.set(kioskId, this.o.now());
      this.track(this.publish(kioskId));
    }, wait);
    timer.unref?.();
    this.pending.set(kioskId, timer);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Computed from the database now: other aggregators' commits are in it too. */
  private async publish(kioskId: number): Promise<void> {
    const o = this.o;
    try {
      const held = await o.store.receipt(kioskId);
      if (!held) return;
      const payload: ReceiptPayload = {
        schema: 'ckpt.receipt/1',
        instance: held.scope.instance,
        ...held.receipt,
        at: new Date(o.now()).toISOString(),
      };
      // Not connected: the kiosk republishes what stays unreceipted, and the copy brings a receipt.
      if (!o.send(receiptTopic(held.scope), JSON.stringify(payload), true)) {
        this.last.delete(kioskId);
        return;
      }
      o.stats.receipts++;
    } catch (err) {
      this.last.delete(kioskId);
      log.error('command centre: could not publish a receipt', err);
    }
  }

  start(): void {
    this.stopped = false;
  }

  /** Takes no more; with `publishPending`, sends now the receipts still waiting for their second. */
  async stop(opts: { publishPending?: boolean } = {}): Promise<void> {
    this.stopped = true;
    for (const [id, t] of this.pending) {
      this.o.timers.clearTimeout(t);
      if (opts.publishPending) this.track(this.publish(id));
    }
    this.pending.clear();
    await Promise.all([...this.inFlight]);
  }
}

/** Sends one `resend` command for a range of seq of one kiosk (any instance under its id republishes). */
export function sendResend(
  send: Send,
  scope: InstanceScope,
  from: number,
  to: number,
): { id: string; topic: string } | null {
  const command: CommandPayload = { schema: 'ckpt.command/1', id: randomUUID(), kind: 'resend', from, to };
  const topic = commandTopic(scope);
  return send(topic, JSON.stringify(command), false) ? { id: command.id, topic } : null;
}

/**
 * Looks at what the database lacks every `checkMs`: a gap of a live kiosk instance that persists for
 * `afterMs` (longer than the kiosk's own receipt timeout) gets a resend command, repeated every
 * `afterMs` while it lasts.
 */
export class GapFiller {
  private timer: TimerHandle | null = null;
  private readonly seen = new Map<number, { from: number; since: number; sentAt: number | null }>();

  constructor(
    private readonly o: {
      store: LedgerStore;
      send: Send;
      now: () => number;
      timers: Timers;
      stats: ReceiptStats;
      checkMs?: number;
      afterMs?: number;
    },
  ) {}

  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  stop(): void {
    if (this.timer) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = this.o.timers.setTimeout(() => {
      // The next check is due checkMs from this one, however long this one's reads take.
      this.schedule();
      void this.check();
    }, this.o.checkMs ?? 30_000);
    this.timer.unref?.();
  }

  async check(): Promise<void> {
    const o = this.o;
    const now = o.now();
    const after = o.afterMs ?? 120_000;
    let gaps: Awaited<ReturnType<LedgerStore['gaps']>>;
    try {
      gaps = await o.store.gaps(now);
    } catch (err) {
      log.error('command centre: could not look for gaps', err);
      return;
    }
    const current = new Set<number>();
    for (const g of gaps) {
      current.add(g.kioskId);
      let s = this.seen.get(g.kioskId);
      if (!s || s.from !== g.from) {
        s = { from: g.from, since: now, sentAt: null };
        this.seen.set(g.kioskId, s);
      }
      if (now - s.since < after || (s.sentAt !== null && now - s.sentAt < after)) continue;
      const previous = s.sentAt;
      // Claimed before the read, so that a check running alongside does not send it twice.
      s.sentAt = now;
      const scope = await o.store.scopeOf(g.kioskId).catch(() => null);
      if (!scope || !sendResend(o.send, scope, g.from, g.to)) {
        s.sentAt = previous;
        continue;
      }
      o.stats.commands++;
      log.info(
        `command centre: asked ${scope.district}/${scope.checkpoint}/${scope.kiosk} to resend ${g.from}–${g.to}`,
      );
    }
    for (const id of this.seen.keys()) if (!current.has(id)) this.seen.delete(id);
  }
}
