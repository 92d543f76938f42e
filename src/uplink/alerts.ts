// Alerts a kiosk raises besides its denial and override events (spec/mqtt.md, `event`): the scanner
// lost, and repeated failures at a lane (someone trying forged or damaged codes). A revoked permit or an
// unknown issuer is already a denial event carrying that reason; the command centre raises those.
// A part with no timers: the composition root tells it about scanner states and verdicts.
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../base/bus.js';
import { log } from '../base/log.js';
import type { ApiError } from '../contract/api.js';
import type { KioskEvents } from '../contract/events.js';
import type { EventPayload, UnnumberedEvent } from '../contract/mqtt.js';
import type { Decision, Direction, ReasonCode } from '../contract/reasons.js';

/** Reasons that mean the code itself is bad, not the person: many in a row is worth an alert. */
export const FAILURE_REASONS: readonly ReasonCode[] = [
  'FORMAT_INVALID',
  'UNRECOGNISED',
  'SIGNATURE_INVALID',
  'UNKNOWN_ISSUER',
];

export interface AlertWatchOptions {
  /** Queues an event in the outbox (Store.enqueue): delivered like every other event. */
  enqueue: (kind: 'event', payload: UnnumberedEvent, nowMs: number) => unknown;
  now?: () => number;
  /** This many failures… (default 5) */
  failures?: number;
  /** …within this long raise one alert (default 60 s)… */
  windowMs?: number;
  /** …and the next one no sooner than this (default 5 min), so a queue of bad codes is one alert. */
  quietMs?: number;
  /** What waits for the command centre's receipt (Store.outboxStats); without it, no outbox alert. */
  outbox?: () => { unreceipted: number; oldestMs: number | null };
}

/** The outbox is high when its oldest unreceipted message is older than this… */
export const OUTBOX_HIGH_AGE_MS = 24 * 3_600_000;
/** …or more than this many wait (spec/mqtt.md `event`). */
export const OUTBOX_HIGH_ROWS = 100_000;

export interface WatchedVerdict {
  decision: Decision;
  reasons: readonly ReasonCode[];
  direction: Direction;
  lane: string;
  duplicate?: boolean;
  kind?: string;
}

export class AlertWatch {
  private failures: number[] = [];
  private lastFailureAlert = Number.NEGATIVE_INFINITY;
  private scanner = 'off';
  /** A store fault seen but not yet queued: the outbox lives in the store that failed. */
  private pendingFault: { fault: ApiError; at: number } | null = null;
  /** Raised once while the outbox stays high; armed again when it is back under both limits. */
  private outboxHigh = false;
  private outboxCheckedMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: AlertWatchOptions) {}

  /** Follows the kiosk's verdicts, scanner and log on its event bus. */
  start(bus: EventBus<KioskEvents>, lane: () => string): void {
    bus.on('verdict', (v) => this.verdict(v), this);
    bus.on(
      'scanner.state',
      (s) => {
        this.scannerState(this.scanner, s.state, lane());
        this.scanner = s.state;
      },
      this,
    );
    bus.on(
      'store.fault',
      (fault) => {
        if (fault) this.pendingFault ??= { fault, at: this.now() };
        this.flushFault(lane());
      },
      this,
    );
    bus.on(
      'passage.recorded',
      () => {
        this.flushFault(lane());
        // The backlog ages while nothing changes: looked at again once a minute while scanning.
        if (this.now() - this.outboxCheckedMs < 60_000) return;
        try {
          const o = this.opts.outbox?.();
          if (o) this.checkOutbox(o, lane());
        } catch {
          // The store's fault is reported by its own alert.
        }
      },
      this,
    );
    bus.on(
      'uplink.state',
      (u) => this.checkOutbox({ unreceipted: u.backlog, oldestMs: u.oldestMs }, lane()),
      this,
    );
  }

  checkOutbox(o: { unreceipted: number; oldestMs: number | null }, lane: string | null): void {
    this.outboxCheckedMs = this.now();
    const high =
      o.unreceipted > OUTBOX_HIGH_ROWS ||
      (o.oldestMs !== null && this.now() - o.oldestMs > OUTBOX_HIGH_AGE_MS);
    if (high && !this.outboxHigh) this.outboxHigh = this.raise('outbox-high', null, [], null, lane);
    else if (!high) this.outboxHigh = false;
  }

  stop(bus: EventBus<KioskEvents>): void {
    bus.removeOwner(this);
  }

  /** Queues the store-fault alert as soon as the outbox takes writes again (at the latest then). */
  private flushFault(lane: string): void {
    const pending = this.pendingFault;
    if (!pending) return;
    if (this.raise('store-fault', null, [], null, lane, pending.at)) this.pendingFault = null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** A scanner that was working and no longer is: unplugged, broken, or its port gone. */
  scannerState(previous: string, next: string, lane: string | null): void {
    if (previous !== 'ok' || (next !== 'missing' && next !== 'error')) return;
    this.raise('scanner-lost', null, [], null, lane);
  }

  verdict(v: WatchedVerdict): void {
    if (
      v.duplicate ||
      v.kind === 'health-proof' ||
      v.decision === 'ALLOW' ||
      !v.reasons.some((r) => FAILURE_REASONS.includes(r))
    )
      return;
    const now = this.now();
    const windowMs = this.opts.windowMs ?? 60_000;
    this.failures = [...this.failures.filter((t) => now - t < windowMs), now];
    if (this.failures.length < (this.opts.failures ?? 5)) return;
    if (now - this.lastFailureAlert < (this.opts.quietMs ?? 300_000)) return;
    this.lastFailureAlert = now;
    this.failures = [];
    this.raise('repeated-failures', v.decision, [...new Set(v.reasons)], v.direction, v.lane);
  }

  private raise(
    kind: EventPayload['kind'],
    decision: Decision | null,
    reasons: ReasonCode[],
    direction: Direction | null,
    lane: string | null,
    at = this.now(),
  ): boolean {
    const now = this.now();
    const event: UnnumberedEvent = {
      schema: 'ckpt.event/2',
      id: randomUUID(),
      at: new Date(at).toISOString(),
      kind,
      decision,
      reasons,
      permit: null,
      direction,
      lane,
    };
    try {
      this.opts.enqueue('event', event, now);
      return true;
    } catch (err) {
      // An alert that cannot be queued must not stop the scan that triggered it.
      log.error(`alerts: could not queue ${kind}`, err);
      return false;
    }
  }
}
