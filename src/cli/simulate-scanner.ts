// `kiosk simulate-scanner`: plays the part of a serial QR scanner for demos and tests, writing each scan
// with the scanner's suffix to a serial port (usually one end of a socat pseudo-terminal pair).
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { SerialPort } from 'serialport';
import { z } from 'zod';
import { KioskError } from '../contract/errors.js';

export type SimulatedSuffix = 'CR' | 'LF' | 'CRLF';

export interface SimulateScannerOptions {
  port: string;
  /** Default 9600. */
  baudRate?: number;
  /** Default CR, the factory setting of most scanners. */
  suffix?: SimulatedSuffix;
  /** Pause between two scans, as a guard scanning one permit after another (default 200 ms). */
  delayMs?: number;
  scans: Iterable<string> | AsyncIterable<string>;
}

const SUFFIX_BYTES: Record<SimulatedSuffix, string> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

const Options = z.object({
  port: z.string().min(1).max(4096),
  baudRate: z.number().int().min(50).max(4_000_000).default(9600),
  suffix: z.enum(['CR', 'LF', 'CRLF']).default('CR'),
  delayMs: z.number().int().min(0).max(600_000).default(200),
});

/** Writes every scan, waiting for each to drain; resolves with how many were sent. Errors are KioskErrors. */
export async function simulateScanner(options: SimulateScannerOptions): Promise<{ sent: number }> {
  const parsed = Options.safeParse(options);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new KioskError(
      'SIMULATOR_OPTIONS_INVALID',
      `Tham số không hợp lệ: ${where}`,
      `Invalid options: ${where}`,
    );
  }
  const { port: path, baudRate, suffix, delayMs } = parsed.data;
  const port = await openPort(path, baudRate);
  let sent = 0;
  try {
    for await (const scan of options.scans) {
      if (typeof scan !== 'string' || /[\r\n]/.test(scan)) {
        // A line break inside would reach the kiosk as two scans: refuse rather than send something else.
        throw new KioskError(
          'SCAN_INVALID',
          `Mã quét thứ ${sent + 1} chứa ký tự xuống dòng`,
          `Scan number ${sent + 1} contains a line break`,
        );
      }
      if (sent > 0 && delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await write(port, Buffer.from(scan + SUFFIX_BYTES[suffix], 'utf8'));
      sent++;
    }
  } finally {
    await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  }
  return { sent };
}

async function openPort(path: string, baudRate: number): Promise<SerialPort> {
  let port: SerialPort;
  try {
    port = new SerialPort({ path, baudRate, autoOpen: false });
  } catch (err) {
    throw openFailed(path, err);
  }
  const error = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err ?? null)));
  if (error) throw openFailed(path, error);
  // Errors after opening surface through write(); this keeps a stray one from crashing the process.
  port.on('error', () => {});
  return port;
}

function openFailed(path: string, err: unknown): KioskError {
  const why = err instanceof Error ? err.message : String(err);
  return new KioskError(
    'PORT_OPEN_FAILED',
    `Không mở được cổng ${path}: ${why}`,
    `Cannot open port ${path}: ${why}`,
  );
}

async function write(port: SerialPort, data: Buffer): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      port.write(data, (err) => (err ? reject(err) : resolve()));
    });
    await new Promise<void>((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KioskError(
      'PORT_WRITE_FAILED',
      `Không ghi được vào cổng: ${why}`,
      `Cannot write to the port: ${why}`,
    );
  }
}

async function* nonEmptyLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  for await (const line of lines) {
    const scan = line.replace(/\r$/, '');
    if (scan.trim() !== '') yield scan;
  }
}

async function readScanFile(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KioskError(
      'FILE_UNREADABLE',
      `Không đọc được tệp ${file}: ${why}`,
      `Cannot read file ${file}: ${why}`,
    );
  }
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Strict: "9600abc" must be refused, not read as 9600.
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

export function register(program: Command): void {
  program
    .command('simulate-scanner')
    .description(
      'Giả lập máy quét QR nối tiếp: ghi từng mã vào cổng / Simulate a serial QR scanner: write each scan to a port',
    )
    .requiredOption('--port <path>', 'cổng nối tiếp / serial port, e.g. /dev/ttyUSB0 or a socat pty')
    .option('--baud <rate>', 'tốc độ baud / baud rate', '9600')
    .option('--suffix <suffix>', 'ký tự kết thúc mã / suffix after each scan: CR, LF or CRLF', 'CR')
    .option('--delay-ms <ms>', 'nghỉ giữa hai mã / pause between scans in ms', '200')
    .option('--file <path>', 'tệp chứa mỗi dòng một mã / file with one scan per line')
    .argument('[scans...]', 'các mã cần gửi; không có thì đọc stdin / scans to send; stdin when none')
    .action(
      async (
        args: string[],
        opts: { port: string; baud: string; suffix: string; delayMs: string; file?: string },
        cmd: Command,
      ) => {
        try {
          let scans: Iterable<string> | AsyncIterable<string>;
          if (args.length > 0) scans = args;
          else if (opts.file !== undefined) scans = nonEmptyLines(await readScanFile(opts.file));
          else
            scans = nonEmptyLines(
              createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
            );
          const result = await simulateScanner({
            port: opts.port,
            baudRate: toInt(opts.baud),
            suffix: opts.suffix.toUpperCase() as SimulatedSuffix,
            delayMs: toInt(opts.delayMs),
            scans,
          });
          // Through commander's output, so a caller embedding the command can capture it.
          const out = cmd.configureOutput().writeOut ?? ((t: string) => process.stdout.write(t));
          out(`${JSON.stringify({ port: opts.port, sent: result.sent })}\n`);
        } catch (err) {
          const e =
            err instanceof KioskError
              ? err
              : new KioskError('INTERNAL', `Lỗi: ${String(err)}`, `Error: ${String(err)}`);
          cmd.error(`kiosk simulate-scanner: ${e.vi}\n${e.en}`, { exitCode: 2, code: e.code });
        }
      },
    );
}
