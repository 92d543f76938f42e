// Closes summary windows at their end (aligned to the clock) and, at start, any window a previous run
// left open. A part: the constructor only stores its arguments.
import type { Store } from './store.js';

export interface SummarySchedulerOptions {
  now?: () => number;
  /** Called when closing fails (e.g. disk full); the scheduler keeps going and retries next window. */
  onError?: (err: unknown) => void;
}

export class SummaryScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: Pick<Store, 'closeDueWindows' | 'windowMs'>,
    private readonly opts: SummarySchedulerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private tick(): void {
    if (!this.running) return;
    const now = this.now();
    try {
      this.store.closeDueWindows(now);
    } catch (err) {
      (this.opts.onError ?? ((e) => console.error('summary: closing windows failed', e)))(err);
    }
    const w = this.store.windowMs;
    const nextEnd = (Math.floor(now / w) + 1) * w;
    // Timers may fire a little early: tick() then closes nothing and waits for the same boundary.
    this.timer = setTimeout(() => this.tick(), Math.max(1, nextEnd - now));
    this.timer.unref?.();
  }
}
