// The serial scanner driver on real pseudo-terminals (socat): bytes written at one end are what a
// scanner would send; the driver reads the other end.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { MAX_FRAME_BYTES, type ScannerSuffix } from '../../src/hardware/line-framer.js';
import {
  type ScannerDiagnostic,
  type ScannerStatus,
  SerialScanner,
  type SerialScannerOptions,
} from '../../src/hardware/serial-scanner.js';
import { FakeClock } from '../fixtures/clock.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

const CODE =
  'VNP1:NCFOXN%TSMAHN-H5UGQNPXGD8:T7D3DH4.%5MS9Z76QW6LDMOGINYEUJJM*4.ADCZ5G:J:F2.PDA6CQKI*C0AN9T1JSGHMYH$LR1W4 B::INQ9';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function pair(dir?: string): Promise<PtyPair> {
  const p = await openPtyPair(dir === undefined ? {} : { dir });
  cleanups.push(() => p.close());
  return p;
}

/** A scanner with everything it reports recorded. */
function scanner(options: SerialScannerOptions) {
  const s = new SerialScanner(options);
  const scans: string[] = [];
  const states: ScannerStatus[] = [];
  const diagnostics: ScannerDiagnostic[] = [];
  s.onScan((t) => scans.push(t));
  s.onState((st) => states.push(st));
  s.onDiagnostic((d) => diagnostics.push(d));
  cleanups.push(() => s.stop());
  return { s, scans, states, diagnostics };
}

/** The scanner's end: a plain serial port writing raw bytes. */
async function writer(path: string) {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => {});
  cleanups.push(() => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())));
  return {
    async send(data: string | Buffer) {
      await new Promise<void>((res, rej) => port.write(data, (e) => (e ? rej(e) : res())));
      await new Promise<void>((res, rej) => port.drain((e) => (e ? rej(e) : res())));
    },
    close: () => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())),
  };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Fires the scanner's pending retry and waits for that attempt to end (as a new retry, or a state). */
async function retryOnce(clock: FakeClock, s: SerialScanner, then: 'fails' | 'opens'): Promise<void> {
  expect(clock.pending).toBe(1);
  clock.advance(500);
  if (then === 'fails') await waitFor('the retry to fail and the next to be set', () => clock.pending === 1);
  else await waitFor('the port open', () => s.status.state === 'ok');
}

describe('SerialScanner on a socat pty', () => {
  it.each<[ScannerSuffix, string]>([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['auto', '\r'],
    ['auto', '\n'],
    ['auto', '\r\n'],
  ])('suffix %s: a scan ending in %j arrives once, the next one too', async (suffix, term) => {
    const p = await pair();
    const { s, scans, states } = scanner({ path: p.a, baudRate: 9600, suffix });
    await s.start();
    expect(s.status).toEqual({ state: 'ok', path: p.a, detail: null, problem: null });
    expect(states.at(-1)?.state).toBe('ok');
    const w = await writer(p.b);
    await w.send(`${CODE}${term}`);
    await w.send(`Nguyễn Thị Hằng${term}`);
    await w.send(`END${term}`);
    // A stray empty or duplicate scan would have arrived before the last one.
    await waitFor('three scans', () => scans.at(-1) === 'END');
    expect(scans).toEqual([CODE, 'Nguyễn Thị Hằng', 'END']);
  });

  it('reassembles a code that arrives in pieces', async () => {
    const p = await pair();
    const { s, scans } = scanner({ path: p.a, baudRate: 9600, suffix: 'auto' });
    await s.start();
    const w = await writer(p.b);
    let sent = 0;
    for (const piece of [CODE.slice(0, 7), CODE.slice(7, 40), CODE.slice(40)]) {
      await w.send(piece);
      sent += piece.length;
      // Each piece is read on its own before the next is sent.
      await waitFor(`${sent} bytes read`, () => s.bufferedLength === sent);
      expect(scans).toEqual([]);
    }
    await w.send('\r\n');
    await waitFor('the scan', () => scans.length >= 1);
    expect(scans).toEqual([CODE]);
  });

  it('drops garbage bytes with a diagnostic and still reads the next good code', async () => {
    const p = await pair();
    const { s, scans, diagnostics } = scanner({ path: p.a, baudRate: 9600, suffix: 'CR' });
    await s.start();
    const w = await writer(p.b);
    await w.send(Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x41, 0x80, 0x0d]));
    await w.send(`${CODE}\r`);
    await waitFor('the good scan', () => scans.length >= 1);
    expect(scans).toEqual([CODE]);
    expect(diagnostics.map((d) => d.code)).toEqual(['NOT_TEXT']);
    expect(diagnostics[0]?.vi).toMatch(/văn bản/);
  });

  it('drops a 1 MB line with no terminator, keeps its buffer bounded, then reads the next code', async () => {
    const p = await pair();
    const { s, scans, diagnostics } = scanner({ path: p.a, baudRate: 9600, suffix: 'auto' });
    await s.start();
    const w = await writer(p.b);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let maxSeen = 0;
    for (let i = 0; i < 16; i++) {
      await w.send(chunk);
      maxSeen = Math.max(maxSeen, s.bufferedLength);
    }
    await waitFor('the overflow diagnostic', () => diagnostics.length >= 1);
    expect(maxSeen).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(s.bufferedLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(scans).toEqual([]);
    await w.send(`\r${CODE}\r`);
    await waitFor('the next code', () => scans.length >= 1);
    expect(scans).toEqual([CODE]);
    expect(diagnostics.map((d) => d.code)).toEqual(['LINE_TOO_LONG']);
  });

  it('suffix none: a code ends after the inter-byte gap', async () => {
    const p = await pair();
    const { s, scans } = scanner({ path: p.a, baudRate: 9600, suffix: 'none', interByteTimeoutMs: 60 });
    await s.start();
    const w = await writer(p.b);
    await w.send(CODE.slice(0, 30));
    await w.send(CODE.slice(30));
    await waitFor('the first scan', () => scans.length >= 1);
    await w.send('second');
    await waitFor('the second scan', () => scans.length >= 2);
    expect(scans).toEqual([CODE, 'second']);
  });

  it('reconnects after socat is killed and restarted, and reads the next code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-replug-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await pair(dir);
    const clock = new FakeClock(0);
    const { s, scans, states } = scanner({ path: first.a, baudRate: 9600, suffix: 'CR', timers: clock });
    await s.start();
    const w1 = await writer(first.b);
    await w1.send('before\r');
    await waitFor('the first scan', () => scans.length >= 1);
    await w1.close();

    await first.close(); // unplug
    await waitFor('state missing', () => s.status.state === 'missing');
    expect(s.status.path).toBe(first.a);
    expect(s.status.detail).not.toBeNull();

    await retryOnce(clock, s, 'fails'); // unplugged: a retry fails quietly
    expect(s.status.state).toBe('missing');
    const second = await pair(dir); // re-plug: same link, new pty
    await retryOnce(clock, s, 'opens');
    const w2 = await writer(second.b);
    await w2.send('after\r');
    await waitFor('the scan after re-plug', () => scans.length >= 2);
    expect(scans).toEqual(['before', 'after']);
    // The detail may change between retries; the state itself went ok → missing → ok.
    const names = states.map((st) => st.state).filter((st, i, all) => st !== all[i - 1]);
    expect(names).toEqual(['ok', 'missing', 'ok']);
  });

  it('a port missing at start is reported as missing, not thrown, and picked up when it appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-late-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new FakeClock(0);
    const { s, scans } = scanner({ path: join(dir, 'a'), baudRate: 9600, suffix: 'auto', timers: clock });
    await expect(s.start()).resolves.toBeUndefined();
    expect(s.status.state).toBe('missing');
    expect(s.status.path).toBe(join(dir, 'a'));
    // The guard's screen says why in words, not with the driver's error.
    expect(s.status.problem).toEqual({
      vi: `Không thấy máy quét ở ${join(dir, 'a')}: kiểm tra cáp USB; máy tự kết nối lại khi cắm vào`,
      en: `No scanner at ${join(dir, 'a')}: check its USB cable; the kiosk reconnects when it is plugged in`,
    });
    await retryOnce(clock, s, 'fails'); // a retry fails quietly
    expect(s.status.state).toBe('missing');

    const p = await pair(dir);
    await retryOnce(clock, s, 'opens');
    const w = await writer(p.b);
    await w.send(`${CODE}\r\n`);
    await waitFor('the scan', () => scans.length >= 1);
    expect(scans).toEqual([CODE]);
  });

  it('a path that is not a serial port is an error state, retried, never a throw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-notty-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const { s } = scanner({ path: dir, baudRate: 9600, suffix: 'CR' });
    await s.start();
    expect(s.status.state).toBe('error');
    expect(s.status.detail).toBeTruthy();
    expect(s.status.problem?.en).toContain(`The scanner's port ${dir} failed (`);
    expect(s.status.problem?.vi).toContain(`Cổng máy quét ${dir} báo lỗi (`);
  });

  it('stop() closes the port, reports off, and stops retrying', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiosk-stop-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new FakeClock(0);
    const { s, states } = scanner({ path: join(dir, 'a'), baudRate: 9600, suffix: 'CR', timers: clock });
    await s.start();
    expect(clock.pending).toBe(1); // missing: a retry is set
    await s.stop();
    expect(clock.pending).toBe(0); // …and cleared
    expect(s.status).toEqual({ state: 'off', path: null, detail: null, problem: null });
    const seen = states.length;
    await pair(dir); // the port appears after stop: it must not be opened
    clock.advance(60_000);
    expect(states.length).toBe(seen);
    expect(s.status.state).toBe('off');
  });

  it('a listener that throws does not stop the next scans', async () => {
    const p = await pair();
    const { s, scans, diagnostics } = scanner({ path: p.a, baudRate: 9600, suffix: 'LF' });
    s.onScan(() => {
      throw new Error('boom');
    });
    await s.start();
    const w = await writer(p.b);
    await w.send('one\ntwo\n');
    await waitFor('two scans', () => scans.length >= 2);
    expect(scans).toEqual(['one', 'two']);
    expect(diagnostics.filter((d) => d.code === 'LISTENER_FAILED')).toHaveLength(2);
  });

  it('invalid options reject start() with a bilingual KioskError and open nothing', async () => {
    const { s, states } = scanner({ path: '', baudRate: -1, suffix: 'XX' as ScannerSuffix });
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('SCANNER_CONFIG_INVALID');
    expect((err as KioskError).vi).toMatch(/máy quét/);
    expect(states).toEqual([]);
    expect(s.status.state).toBe('off');
  });
});
