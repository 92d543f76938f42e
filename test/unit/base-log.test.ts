// The leveled logger (src/base/log.ts): the threshold, where lines go, and how extra values are written.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type LogSink, log, setLogLevel, setLogSink } from '../../src/base/log.js';

const lines: string[] = [];
const capture: LogSink = (level, message) => lines.push(`${level}|${message}`);
const previous = setLogSink(capture);
afterAll(() => setLogSink(previous));
afterEach(() => {
  lines.length = 0;
  setLogLevel('info');
});

describe('log', () => {
  it('drops lines under the threshold; silent drops all', () => {
    setLogLevel('info');
    log.debug('chi tiết');
    log.info('bắt đầu');
    log.warn('cảnh báo');
    log.error('lỗi');
    expect(lines).toEqual(['info|bắt đầu', 'warn|cảnh báo', 'error|lỗi']);
    lines.length = 0;
    setLogLevel('debug');
    log.debug('chi tiết');
    setLogLevel('error');
    log.warn('bỏ qua');
    setLogLevel('silent');
    log.error('bỏ qua');
    expect(lines).toEqual(['debug|chi tiết']);
  });

  it('writes extra values after the message: an error by its stack, objects as JSON, strings as they are', () => {
    const err = new Error('đĩa đầy');
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    log.error('ghi thất bại', err, { code: 'SQLITE_FULL' }, 'tiếp', circular, 42);
    const [line] = lines;
    expect(line).toMatch(/^error\|ghi thất bại Error: đĩa đầy\n\s+at /);
    expect(line).toContain(' {"code":"SQLITE_FULL"} tiếp [object Object] 42');
  });

  it('goes to stderr, prefixed with its level, when no sink is set', () => {
    setLogSink(null);
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stderr.write;
    try {
      log.info('sẵn sàng');
      log.warn('máy quét mất');
    } finally {
      process.stderr.write = write;
      setLogSink(capture);
    }
    expect(written).toEqual(['sẵn sàng\n', 'warn: máy quét mất\n']);
  });
});
