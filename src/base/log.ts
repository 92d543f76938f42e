// A leveled logger for the kiosk and the command centre: one line per message on stderr, prefixed with
// its level. KIOSK_LOG_LEVEL (debug, info, warn, error, silent) sets the threshold; info by default.
// Tests set it to `silent` or capture lines with setLogSink.

export const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type Level = (typeof LEVELS)[number];

export type LogSink = (level: Exclude<Level, 'silent'>, message: string) => void;

function levelFromEnv(): Level {
  const v = process.env.KIOSK_LOG_LEVEL;
  return (LEVELS as readonly string[]).includes(v ?? '') ? (v as Level) : 'info';
}

let threshold: Level = levelFromEnv();

const defaultSink: LogSink = (level, message) => {
  // stderr for all levels: stdout carries the CLI's JSON results.
  process.stderr.write(`${level === 'info' ? '' : `${level}: `}${message}\n`);
};
let sink: LogSink = defaultSink;

function detail(extra: unknown[]): string {
  return extra
    .map((e) => (e instanceof Error ? (e.stack ?? e.message) : typeof e === 'string' ? e : safeJson(e)))
    .join(' ');
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function write(level: Exclude<Level, 'silent'>, message: string, extra: unknown[]): void {
  if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
  sink(level, extra.length > 0 ? `${message} ${detail(extra)}` : message);
}

export const log = {
  debug: (message: string, ...extra: unknown[]) => write('debug', message, extra),
  info: (message: string, ...extra: unknown[]) => write('info', message, extra),
  warn: (message: string, ...extra: unknown[]) => write('warn', message, extra),
  error: (message: string, ...extra: unknown[]) => write('error', message, extra),
};

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Replaces where lines go (null: back to stderr). Returns the previous sink. */
export function setLogSink(next: LogSink | null): LogSink {
  const prev = sink;
  sink = next ?? defaultSink;
  return prev;
}
