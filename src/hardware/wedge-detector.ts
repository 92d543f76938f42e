// Keyboard-wedge scanners type a code as a burst of keystrokes, a few milliseconds apart, usually ending
// in Enter or Tab; people type 100+ ms apart. This pure state machine (no DOM, no Node: the renderer
// bundles it) tells the two apart from key names and event times only, so it is testable with numbers.
//
// Rules (README "Scanners"):
// - a burst is a run of printable keys with no gap over `maxGapMs` and a mean gap of at most
//   `meanGapMs` (a key that would make the mean slower starts a new burst); it is a scan when it has
//   at least `minLength` characters and ends in Enter or Tab, or (for scanners set to send no
//   suffix) starts with a permit prefix and is followed by `idleMs` of quiet;
// - outside a text field, burst keys are swallowed so that a space or Enter in a code never presses
//   the button that happens to have focus;
// - inside a text field, keys always reach the field; only a burst that starts with a permit prefix
//   (`VNP1:`, `HC1:`) is taken as a scan, and the caller then removes it from the field. Any other fast
//   text (autofill, a barcode the guard meant to type in) stays text.

export interface WedgeOptions {
  /** Shortest scan (characters, terminator excluded). */
  minLength?: number;
  /** A gap longer than this ends a burst; the key after it starts a new one. */
  maxGapMs?: number;
  /** The mean gap of a burst must not exceed this (a loaded machine may delay a key or two). */
  meanGapMs?: number;
  /** With no terminator, a prefixed burst ends after this much quiet. */
  idleMs?: number;
  /** Longest code held; a longer burst is dropped (memory stays bounded). */
  maxLength?: number;
  prefixes?: readonly string[];
}

export interface WedgeKey {
  /** KeyboardEvent.key: 'V', '1', ':', ' ', 'Enter', 'Tab', 'Shift'… */
  key: string;
  /** Event time in ms (KeyboardEvent.timeStamp). */
  time: number;
  /** Focus is in a text input or textarea. */
  inTextField: boolean;
  /** Ctrl, Alt or Meta held: a shortcut, never part of a scan. */
  modifier?: boolean;
  /**
   * When the page handled the key (performance.now()), if not `time`. tick() measures the quiet from
   * it: on a busy page keys wait in a queue, and a burst must not be cut off while they do.
   */
  seenAt?: number;
}

export type WedgeResult =
  /** Not ours: let the key do what it normally does. */
  | { kind: 'pass' }
  /** Part of a burst outside a text field: prevent its default action. */
  | { kind: 'swallow' }
  /**
   * A complete scan. `fieldChars` characters of it were typed into the focused text field (remove
   * them); prevent the terminator's default action.
   */
  | { kind: 'scan'; text: string; fieldChars: number };

export const WEDGE_DEFAULTS = {
  minLength: 8,
  maxGapMs: 150,
  meanGapMs: 30,
  idleMs: 120,
  maxLength: 8192,
  prefixes: ['VNP1:', 'HC1:'],
} as const satisfies Required<WedgeOptions>;

const PASS: WedgeResult = { kind: 'pass' };
const SWALLOW: WedgeResult = { kind: 'swallow' };

export class WedgeDetector {
  private readonly o: Required<WedgeOptions>;
  private buf = '';
  private first = 0;
  private last = -Infinity;
  private seenAt = -Infinity;
  private fieldChars = 0;
  private overflow = false;

  constructor(options: WedgeOptions = {}) {
    this.o = { ...WEDGE_DEFAULTS, ...options };
  }

  /** Characters held for the burst in progress (bounded by maxLength). */
  get pending(): number {
    return this.buf.length;
  }

  key(ev: WedgeKey): WedgeResult {
    if (ev.modifier) {
      this.reset();
      return PASS;
    }
    const gapOk = ev.time - this.last <= this.o.maxGapMs;
    if (ev.key === 'Enter' || ev.key === 'Tab') {
      // A burst in progress: fast so far, the terminator included.
      const burst = this.buf.length > 0 && gapOk && this.fastUntil(ev.time);
      const result = burst ? this.finish(ev.inTextField) : null;
      const outsideField = !ev.inTextField && burst;
      this.reset();
      if (result) return result;
      return outsideField ? SWALLOW : PASS;
    }
    // Shift, CapsLock, arrows…: scanners press Shift for capitals; it neither adds nor breaks a burst.
    if ([...ev.key].length !== 1) return PASS;
    // A key continues the burst only if the burst stays a scanner's: slow keys each start afresh, so
    // a person's typing never chains into the scanner burst that follows it.
    const continues = this.overflow ? gapOk : this.buf.length > 0 && gapOk && this.fastUntil(ev.time);
    if (!continues) this.start(ev.time);
    if (this.overflow) {
      this.last = ev.time;
      return ev.inTextField ? PASS : SWALLOW;
    }
    // A space on a focused button is a person pressing it, unless it comes inside a fast burst.
    if (ev.key === ' ' && !ev.inTextField && !(this.buf.length > 0 && this.fastUntil(ev.time))) {
      this.reset();
      return PASS;
    }
    if (this.buf.length >= this.o.maxLength) {
      this.overflow = true;
      this.buf = '';
      this.fieldChars = 0;
    } else {
      this.buf += ev.key;
      if (ev.inTextField) this.fieldChars++;
    }
    this.last = ev.time;
    this.seenAt = ev.seenAt ?? ev.time;
    return ev.inTextField ? PASS : SWALLOW;
  }

  /**
   * Call on a timer (every ~50 ms) with the time in the base of `seenAt` (else of `time`): ends a
   * prefixed burst from a scanner that sends no terminator.
   */
  tick(now: number, inTextField: boolean): WedgeResult {
    if (this.buf.length === 0 || now - this.seenAt < this.o.idleMs) return PASS;
    const result = this.hasPrefix() ? this.finish(inTextField) : null;
    this.reset();
    return result ?? PASS;
  }

  reset(): void {
    this.buf = '';
    this.fieldChars = 0;
    this.last = -Infinity;
    this.seenAt = -Infinity;
    this.overflow = false;
  }

  private start(time: number): void {
    this.reset();
    this.first = time;
  }

  /** The burst's mean gap, counting one more key at `time`, is a scanner's. */
  private fastUntil(time: number): boolean {
    return (time - this.first) / this.buf.length <= this.o.meanGapMs;
  }

  private hasPrefix(): boolean {
    return this.o.prefixes.some((p) => this.buf.startsWith(p));
  }

  private finish(inTextField: boolean): WedgeResult | null {
    const n = this.buf.length;
    if (n < this.o.minLength) return null;
    const mean = (this.last - this.first) / (n - 1);
    if (mean > this.o.meanGapMs) return null;
    if ((inTextField || this.fieldChars > 0) && !this.hasPrefix()) return null;
    return { kind: 'scan', text: this.buf, fieldChars: this.fieldChars };
  }
}
