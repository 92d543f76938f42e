// `kiosk simulate-scanner` on real pseudo-terminals: what it writes is read back byte for byte, and by
// the kiosk's own serial driver.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { register, simulateScanner } from '../../src/cli/simulate-scanner.js';
import { KioskError } from '../../src/contract/errors.js';
import { SerialScanner } from '../../src/hardware/serial-scanner.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

const CODE =
  'VNP1:NCFOXN%TSMAHN-H5UGQNPXGD8:T7D3DH4.%5MS9Z76QW6LDMOGINYEUJJM*4.ADCZ5G:J:F2.PDA6CQKI*C0AN9T1JSGHMYH$LR1W4 B::INQ9';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function pair(): Promise<PtyPair> {
  const p = await openPtyPair();
  cleanups.push(() => p.close());
  return p;
}

/** Collects the raw bytes arriving at a port. */
async function reader(path: string) {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const chunks: Buffer[] = [];
  port.on('data', (c: Buffer) => chunks.push(c));
  cleanups.push(() => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())));
  return { text: () => Buffer.concat(chunks).toString('utf8') };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('simulateScanner', () => {
  it.each([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ] as const)('writes each scan followed by %s', async (suffix, term) => {
    const p = await pair();
    const r = await reader(p.a);
    const result = await simulateScanner({ port: p.b, suffix, delayMs: 0, scans: [CODE, 'Nguyễn Thị Hằng'] });
    expect(result).toEqual({ sent: 2 });
    const expected = `${CODE}${term}Nguyễn Thị Hằng${term}`;
    await waitFor('all bytes', () => r.text().length >= expected.length);
    expect(r.text()).toBe(expected);
  });

  it('feeds the kiosk driver: every scan arrives as one scan, from an async source', async () => {
    const p = await pair();
    const scanner = new SerialScanner({ path: p.a, baudRate: 9600, suffix: 'auto' });
    cleanups.push(() => scanner.stop());
    const scans: string[] = [];
    scanner.onScan((t) => scans.push(t));
    await scanner.start();
    async function* source() {
      yield 'one';
      yield CODE;
      yield 'three';
    }
    await simulateScanner({ port: p.b, suffix: 'CRLF', delayMs: 20, scans: source() });
    await waitFor('three scans', () => scans.length >= 3);
    expect(scans).toEqual(['one', CODE, 'three']);
  });

  it('a port that cannot be opened is a bilingual KioskError', async () => {
    const err = await simulateScanner({ port: '/nonexistent/tty', scans: ['x'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('PORT_OPEN_FAILED');
    expect((err as KioskError).vi).toMatch(/Không mở được cổng/);
    expect((err as KioskError).en).toMatch(/Cannot open port/);
  });

  it('refuses bad options and scans holding a line break, sending nothing after them', async () => {
    const p = await pair();
    const bad = await simulateScanner({ port: p.b, baudRate: Number.NaN, scans: ['x'] }).catch((e) => e);
    expect((bad as KioskError).code).toBe('SIMULATOR_OPTIONS_INVALID');
    const r = await reader(p.a);
    const err = await simulateScanner({ port: p.b, delayMs: 0, scans: ['ok', 'a\nb', 'never'] }).catch(
      (e) => e,
    );
    expect((err as KioskError).code).toBe('SCAN_INVALID');
    // Anything sent after the refused scan would arrive before a scan sent next.
    await simulateScanner({ port: p.b, delayMs: 0, scans: ['end'] });
    await waitFor('the next scan', () => r.text().endsWith('end\r'));
    // What matters is that nothing of the refused scan or after it was sent. The scan before it may not
    // arrive: a loaded machine has been seen to lose a pty's last bytes when the simulator closes it.
    expect(['ok\rend\r', 'end\r']).toContain(r.text());
  });
});

describe('kiosk simulate-scanner (commander)', () => {
  function program() {
    const errors: string[] = [];
    const out: string[] = [];
    const p = new Command('kiosk')
      .exitOverride()
      .configureOutput({ writeErr: (s) => errors.push(s), writeOut: (s) => out.push(s) });
    register(p);
    return { p, errors, out };
  }

  it('sends the scans given as arguments, from a file too', async () => {
    const pty = await pair();
    const r = await reader(pty.a);
    const { p, out } = program();
    await p.parseAsync(
      ['simulate-scanner', '--port', pty.b, '--suffix', 'lf', '--delay-ms', '0', 'A1', 'B2'],
      {
        from: 'user',
      },
    );
    expect(out.map((l) => JSON.parse(l))).toEqual([{ port: pty.b, sent: 2 }]);
    await waitFor('two scans', () => r.text().length >= 6);
    expect(r.text()).toBe('A1\nB2\n');

    const dir = await mkdtemp(join(tmpdir(), 'kiosk-sim-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'scans.txt'), 'C3\r\n\nD4\n');
    await p.parseAsync(
      ['simulate-scanner', '--port', pty.b, '--delay-ms', '0', '--file', join(dir, 'scans.txt')],
      {
        from: 'user',
      },
    );
    await waitFor('two more scans', () => r.text().length >= 12);
    expect(r.text()).toBe('A1\nB2\nC3\rD4\r');
  });

  it('exits 2 with a message in Vietnamese and English when the port cannot be opened', async () => {
    const { p, errors } = program();
    const err = await p
      .parseAsync(['simulate-scanner', '--port', '/nonexistent/tty', 'X'], { from: 'user' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommanderError);
    expect((err as CommanderError).exitCode).toBe(2);
    expect((err as CommanderError).code).toBe('PORT_OPEN_FAILED');
    expect(errors.join('')).toMatch(/Không mở được cổng[\s\S]*Cannot open port/);
  });

  it('exits 2 on a bad --baud or --suffix, before touching the port', async () => {
    const { p } = program();
    for (const args of [
      ['--baud', '96OO'],
      ['--suffix', 'TAB'],
    ]) {
      const err = await p
        .parseAsync(['simulate-scanner', '--port', '/nonexistent/tty', ...args, 'X'], { from: 'user' })
        .catch((e: unknown) => e);
      expect((err as CommanderError).exitCode).toBe(2);
      expect((err as CommanderError).code).toBe('SIMULATOR_OPTIONS_INVALID');
    }
  });

  it('as a process: reads scans from stdin and exits 0', async () => {
    const pty = await pair();
    const r = await reader(pty.a);
    // src/cli/main.ts imports every sub-command; this runs only ours, the same way main.ts does.
    const script = `
      import { Command } from 'commander';
      import { register } from './src/cli/simulate-scanner.js';
      const p = new Command('kiosk').exitOverride();
      register(p);
      try { await p.parseAsync(process.argv.slice(1), { from: 'user' }); }
      catch (e) { process.exit(e.exitCode === 0 ? 0 : 2); }`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        '--',
        'simulate-scanner',
        '--port',
        pty.b,
        '--delay-ms',
        '0',
      ],
      { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(`${CODE}\n\nsecond\n`);
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ port: pty.b, sent: 2 });
    await waitFor('both scans', () => r.text().length >= CODE.length + 8);
    expect(r.text()).toBe(`${CODE}\rsecond\r`);
  });

  it('as a process: exit code 2 and both languages on stderr for a missing port', async () => {
    const script = `
      import { Command } from 'commander';
      import { register } from './src/cli/simulate-scanner.js';
      const p = new Command('kiosk').exitOverride();
      register(p);
      try { await p.parseAsync(process.argv.slice(1), { from: 'user' }); }
      catch (e) { process.exit(e.exitCode === 0 ? 0 : 2); }`;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        '--',
        'simulate-scanner',
        '--port',
        '/nonexistent/x',
        'A',
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/Không mở được cổng/);
    expect(stderr).toMatch(/Cannot open port/);
  });
});
