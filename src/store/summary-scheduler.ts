// Closes summary windows at their end (aligned to the clock), at start any window a previous run left
// open, and the open window early when a shift ends, so that what a guard hands over is reported at
// once. A part: the constructor only stores its arguments.
import type { EventBus } from '../base/bus.js';
import { log } from '../base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { KioskEvents } from '../contract/events.js';
import type { Store } from './store.js';

export interface SummarySchedulerOptions {
  now?: () => number;
  /** The timer that wakes it at each window's end; a test passes a clock it moves (with `now`). */
  timers?: Timers;
  /** Called when closing fails (e.g. disk full); the scheduler keeps going and retries next window. */
  onError?: (err: unknown) => void;
  /** Shift changes arrive here (`shift.changed`): each one ends the open window. */
  bus?: EventBus<KioskEvents>;
}

export class SummaryScheduler {
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(
    private readonly store: Pick<Store, 'closeDueWindows' | 'closeOpenWindows' | 'windowMs'>,
    private readonly opts: SummarySchedulerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.opts.bus?.on('shift.changed', () => this.closeOpen(), this);
    this.tick();
  }

  private closeOpen(): void {
    try {
      this.store.closeOpenWindows(this.now());
    } catch (err) {
      (this.opts.onError ?? ((e) => log.error('summary: closing the window at shift end failed', e)))(err);
    }
  }

  stop(): void {
    this.running = false;
    this.opts.bus?.removeOwner(this);
    if (this.timer) this.timers().clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private timers(): Timers {
    return this.opts.timers ?? systemTimers;
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.now();
    try {
      this.store.closeDueWindows(now);
    } catch (err) {
      (this.opts.onError ?? ((e) => log.error('summary: closing windows failed', e)))(err);
    }
    const w = this.store.windowMs;
    const nextEnd = (Math.floor(now / w) + 1) * w;
    // Timers may fire a little early: tick() then closes nothing and waits for the same boundary.
    this.timer = this.timers().setTimeout(() => this.tick(), Math.max(1, nextEnd - now));
    this.timer.unref?.();
  }
}
