// The serial (USB-CDC / RS-232) QR scanner driver: opens the port, frames its bytes into scans, and keeps
// trying to reopen it while it is unplugged. It never throws once started: a kiosk with a dead scanner
// still serves manual entry, so every port failure becomes a state the UI shows.
import { existsSync } from 'node:fs';
import { SerialPortStream } from '@serialport/stream';
import { z } from 'zod';
import { EventBus } from '../base/bus.js';
import { systemTimers, type TimerHandle, type Timers } from '../base/timers.js';
import type { ScannerState } from '../contract/api.js';
import { KioskError } from '../contract/errors.js';
import { scannerBinding } from './hangup-binding.js';
import { type FrameDropCode, LineFramer, type ScannerSuffix } from './line-framer.js';
import { type Discovery, type DiscoveryDeps, discoverScannerPort, type UsbId } from './serial-discovery.js';

export interface SerialScannerOptions {
  /** The port's path; with `usb` it is only the fallback when no matching port is found. */
  path?: string | undefined;
  /**
   * Find the port by USB vendor (and product) id at every (re)open, or 'auto' for any known scanner
   * vendor: a re-plugged scanner may come back under another name.
   */
  usb?: UsbId | 'auto' | undefined;
  /** How the port is found (tests); serial-discovery.ts by default. */
  discover?: ((id: UsbId | 'auto') => Promise<Discovery>) | undefined;
  discoveryDeps?: DiscoveryDeps;
  baudRate: number;
  suffix: ScannerSuffix;
  /** With suffix `none`, a code ends after this much silence (default 50 ms). */
  interByteTimeoutMs?: number;
  /** Delay between attempts to (re)open the port (default 500 ms: a re-plug is seen well within 2 s). */
  retryMs?: number;
  /** The retry and inter-byte timers; tests move a clock. */
  timers?: Timers;
}

export interface ScannerStatus {
  state: ScannerState;
  path: string | null;
  /** The driver's own message (English, for logs). */
  detail: string | null;
  /** While `missing` or `error`: why, in words for the guard and the technician. */
  problem: Words | null;
}

type Words = { vi: string; en: string };

/**
 * Why a port could not be opened or was lost, in words: the few causes a technician can act on by
 * name (no device, no permission, in use), and the driver's message for the rest.
 */
export function portProblem(path: string | null, err: unknown, present: boolean): Words {
  const where = path ?? '?';
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (!present) {
    return {
      vi: `Không thấy máy quét ở ${where}: kiểm tra cáp USB; máy tự kết nối lại khi cắm vào`,
      en: `No scanner at ${where}: check its USB cable; the kiosk reconnects when it is plugged in`,
    };
  }
  if (code === 'EACCES' || /permission denied/i.test(message)) {
    return {
      vi: `Không có quyền mở cổng ${where}: tài khoản chạy máy kiểm soát phải thuộc nhóm dialout`,
      en: `No permission to open ${where}: the kiosk's user must be in the dialout group`,
    };
  }
  if (code === 'EBUSY' || /busy|lock|temporarily unavailable/i.test(message)) {
    return {
      vi: `Cổng ${where} đang bị chương trình khác dùng: đóng chương trình đó`,
      en: `${where} is in use by another program: close it`,
    };
  }
  return {
    vi: `Cổng máy quét ${where} báo lỗi (${message}); đang thử kết nối lại`,
    en: `The scanner's port ${where} failed (${message}); retrying`,
  };
}

/** Something the guard or technician may want to know that is not a state change. */
export interface ScannerDiagnostic {
  code: FrameDropCode | 'LISTENER_FAILED';
  vi: string;
  en: string;
}

const hexId = z.string().regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB id: 1–4 hex digits');
const OptionsSchema = z.object({
  path: z.string().min(1).max(4096).optional(),
  usb: z.union([z.literal('auto'), z.object({ vendorId: hexId, productId: hexId.optional() })]).optional(),
  baudRate: z.number().int().min(50).max(4_000_000),
  suffix: z.enum(['CR', 'LF', 'CRLF', 'auto', 'none']),
  interByteTimeoutMs: z.number().int().min(1).max(10_000).optional(),
  retryMs: z.number().int().min(10).max(60_000).optional(),
});

type Listener<T> = (value: T) => void;

interface ScannerEvents {
  scan: string;
  state: ScannerStatus;
  diagnostic: ScannerDiagnostic;
}

export class SerialScanner {
  /** A listener that throws must not break reading: it becomes a diagnostic, and reading goes on. */
  private readonly events = new EventBus<ScannerEvents>({
    onListenerError: (name, err) => {
      if (name === 'diagnostic') return;
      const message = err instanceof Error ? err.message : String(err);
      this.events.emit('diagnostic', {
        code: 'LISTENER_FAILED',
        vi: `Lỗi khi xử lý dữ liệu máy quét: ${message}`,
        en: `Scanner listener failed: ${message}`,
      });
    },
  });
  private current: ScannerStatus = { state: 'off', path: null, detail: null, problem: null };
  private running = false;
  private port: SerialPortStream | null = null;
  private framer: LineFramer | null = null;
  private retryTimer: TimerHandle | null = null;
  private gapTimer: TimerHandle | null = null;
  /** Bumped by start() and stop(), so an open still in flight from an earlier run is discarded. */
  private generation = 0;
  /** The port in use or last tried (found by USB id, or the configured path). */
  private path: string | null = null;

  private readonly timers: Timers;

  constructor(private readonly options: SerialScannerOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  get status(): ScannerStatus {
    return { ...this.current };
  }

  /** Bytes of the code in progress held by the framer (bounded; exposed for tests and diagnostics). */
  get bufferedLength(): number {
    return this.framer?.bufferedLength ?? 0;
  }

  onScan(cb: Listener<string>): () => void {
    return this.events.on('scan', cb);
  }

  onState(cb: Listener<ScannerStatus>): () => void {
    return this.events.on('state', cb);
  }

  onDiagnostic(cb: Listener<ScannerDiagnostic>): () => void {
    return this.events.on('diagnostic', cb);
  }

  /**
   * Starts reading; resolves after the first attempt to open the port, whatever its outcome (a missing
   * port is retried in the background). Rejects only with a KioskError when the options are invalid.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const parsed = OptionsSchema.safeParse(this.options);
    if (!parsed.success || (!this.options.path && !this.options.usb)) {
      const where = parsed.success
        ? 'path / usb'
        : parsed.error.issues.map((i) => i.path.join('.') || '(options)').join(', ');
      throw new KioskError(
        'SCANNER_CONFIG_INVALID',
        `Cấu hình máy quét không hợp lệ: ${where}`,
        `Invalid scanner settings: ${where}`,
      );
    }
    this.running = true;
    this.generation++;
    this.framer = new LineFramer({ suffix: this.options.suffix });
    await this.open();
  }

  /** Closes the port and stops retrying; the state becomes `off`. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.clearTimers();
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.framer?.reset();
    this.setState('off', null);
  }

  private async open(): Promise<void> {
    this.retryTimer = null;
    if (!this.running) return;
    const generation = this.generation;
    const { baudRate } = this.options;
    const path = await this.resolvePath();
    if (generation !== this.generation) return;
    if (path === null) return;
    let port: SerialPortStream;
    try {
      port = new SerialPortStream({ binding: scannerBinding, path, baudRate, autoOpen: false });
    } catch (err) {
      this.lost(err, false);
      return;
    }
    const error = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err ?? null)));
    if (generation !== this.generation) {
      // stop() (and perhaps a new start()) came while we were opening.
      if (!error) port.close(() => {});
      return;
    }
    if (error) {
      this.lost(error, false);
      return;
    }
    this.port = port;
    this.framer?.reset();
    port.on('data', (chunk: Buffer) => this.onData(chunk));
    port.on('error', (err) => {
      if (this.port === port) this.lost(err, true);
    });
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port === port) this.lost(err ?? new Error('port closed'), false);
    });
    this.setState('ok', null);
  }

  /**
   * The path to open now: found by USB id when configured (else the fallback path), or the configured
   * path. Null (state `missing`, retry scheduled) when there is none.
   */
  private async resolvePath(): Promise<string | null> {
    const { usb, path } = this.options;
    if (!usb) {
      this.path = path ?? null;
      return this.path;
    }
    let found: Discovery;
    try {
      const discover = this.options.discover ?? ((id) => discoverScannerPort(id, this.options.discoveryDeps));
      found = await discover(usb);
    } catch (err) {
      // discoverScannerPort never rejects; a replacement might: still a state, never a crash.
      found = { path: null, vi: String(err), en: String(err) };
    }
    if (found.path || path) {
      this.path = found.path ?? path ?? null;
      return this.path;
    }
    if (!this.running) return null;
    this.path = null;
    this.setState('missing', found.en, { vi: found.vi, en: found.en });
    this.scheduleRetry();
    return null;
  }

  private scheduleRetry(): void {
    if (!this.retryTimer) {
      this.retryTimer = this.timers.setTimeout(() => void this.open(), this.options.retryMs ?? 500);
    }
  }

  /** The port failed or vanished: report it, drop any half-read code, and retry later. */
  private lost(err: unknown, closeIt: boolean): void {
    const port = this.port;
    this.port = null;
    if (closeIt && port?.isOpen) port.close(() => {});
    if (this.gapTimer) this.timers.clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.framer?.reset();
    if (!this.running) return;
    const message = err instanceof Error ? err.message : String(err);
    const present = this.path !== null && existsSync(this.path);
    this.setState(present ? 'error' : 'missing', message, portProblem(this.path, err, present));
    this.scheduleRetry();
  }

  private onData(chunk: Buffer): void {
    const framer = this.framer;
    if (!framer) return;
    this.deliver(framer.push(chunk));
    if (this.options.suffix === 'none') {
      if (this.gapTimer) this.timers.clearTimeout(this.gapTimer);
      this.gapTimer = this.timers.setTimeout(() => {
        this.gapTimer = null;
        this.deliver(framer.flush());
      }, this.options.interByteTimeoutMs ?? 50);
    }
  }

  private deliver(outputs: ReturnType<LineFramer['push']>): void {
    for (const o of outputs) {
      if (o.kind === 'scan') this.events.emit('scan', o.text);
      else this.events.emit('diagnostic', { code: o.code, vi: o.vi, en: o.en });
    }
  }

  private setState(state: ScannerState, detail: string | null, problem: Words | null = null): void {
    const path = state === 'off' ? null : (this.path ?? this.options.path ?? null);
    const c = this.current;
    if (c.state === state && c.path === path && c.detail === detail) return;
    this.current = { state, path, detail, problem };
    this.events.emit('state', { ...this.current });
  }

  private clearTimers(): void {
    if (this.retryTimer) this.timers.clearTimeout(this.retryTimer);
    if (this.gapTimer) this.timers.clearTimeout(this.gapTimer);
    this.retryTimer = null;
    this.gapTimer = null;
  }
}
