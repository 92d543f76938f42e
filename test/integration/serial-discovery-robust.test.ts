// Finding the scanner by USB id: serialport's list (udevadm), the sysfs fallback when udevadm is
// missing, and a scanner that comes back under another name after a re-plug (socat pseudo-terminals).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  discoverScannerPort,
  listFromSysfs,
  listSerialPorts,
  matchPorts,
  type PortInfo,
} from '../../src/hardware/serial-discovery.js';
import { type ScannerStatus, SerialScanner } from '../../src/hardware/serial-scanner.js';
import { openPtyPair, type PtyPair } from '../helpers/socat.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A folder laid out like /sys for two USB serial devices and a built-in UART. */
function fakeSys(): string {
  const root = mkdtempSync(join(tmpdir(), 'fake-sys-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const usb = (bus: string, vendor: string, product: string, maker: string) => {
    const dev = join(root, 'devices', 'pci0000:00', bus);
    mkdirSync(join(dev, `${bus}:1.0`), { recursive: true });
    writeFileSync(join(dev, 'idVendor'), `${vendor}\n`);
    writeFileSync(join(dev, 'idProduct'), `${product}\n`);
    writeFileSync(join(dev, 'manufacturer'), `${maker}\n`);
    writeFileSync(join(dev, 'serial'), 'SN123\n');
    return join(dev, `${bus}:1.0`);
  };
  const tty = join(root, 'class', 'tty');
  mkdirSync(join(tty, 'ttyACM0'), { recursive: true });
  mkdirSync(join(tty, 'ttyUSB3'), { recursive: true });
  mkdirSync(join(tty, 'ttyS0'), { recursive: true });
  symlinkSync(usb('1-1', '0c2e', '0b61', 'Honeywell'), join(tty, 'ttyACM0', 'device'));
  symlinkSync(usb('1-2', '1a86', '7523', 'QinHeng'), join(tty, 'ttyUSB3', 'device'));
  return root;
}

async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('serial port discovery', () => {
  it('reads USB ids from sysfs, the way udev would', async () => {
    const ports = await listFromSysfs(fakeSys(), '/dev');
    expect(ports).toEqual([
      {
        path: '/dev/ttyACM0',
        vendorId: '0c2e',
        productId: '0b61',
        manufacturer: 'Honeywell',
        serialNumber: 'SN123',
      },
      {
        path: '/dev/ttyUSB3',
        vendorId: '1a86',
        productId: '7523',
        manufacturer: 'QinHeng',
        serialNumber: 'SN123',
      },
    ]);
  });

  it('matches by vendor, vendor and product, or any known scanner vendor', () => {
    const ports: PortInfo[] = [
      { path: '/dev/ttyUSB3', vendorId: '1a86', productId: '7523', manufacturer: null, serialNumber: null },
      { path: '/dev/ttyACM1', vendorId: '05e0', productId: '1300', manufacturer: null, serialNumber: null },
      { path: '/dev/ttyACM0', vendorId: '0c2e', productId: '0b61', manufacturer: null, serialNumber: null },
    ];
    expect(matchPorts(ports, { vendorId: '0x0C2E' }).map((p) => p.path)).toEqual(['/dev/ttyACM0']);
    expect(matchPorts(ports, { vendorId: '0c2e', productId: '0b62' })).toEqual([]);
    expect(matchPorts(ports, 'auto').map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyACM1']);
  });

  it('with no udevadm on PATH: no crash, serialport’s failure reported, sysfs used instead', async () => {
    // Really run serialport's list (it spawns udevadm) with a PATH where udevadm cannot be found.
    const direct = await withPath('/nonexistent', () =>
      SerialPort.list().then(
        () => 'listed',
        (e: Error) => e.message,
      ),
    );
    expect(direct).toMatch(/ENOENT|udevadm/);
    const sys = fakeSys();
    const listed = await withPath('/nonexistent', () => listSerialPorts({ sysRoot: sys }));
    expect(listed.via).toBe('sysfs');
    expect(listed.problem).toMatch(/ENOENT|udevadm/);
    expect(listed.ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB3']);
    const found = await withPath('/nonexistent', () =>
      discoverScannerPort({ vendorId: '0c2e' }, { sysRoot: sys }),
    );
    expect(found.path).toBe('/dev/ttyACM0');
  });

  it('no port at all, and no way to list: a bilingual answer, never a throw', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-sys-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const none = await discoverScannerPort('auto', { list: async () => [], sysRoot: empty });
    expect(none.path).toBeNull();
    expect(none.vi).toContain('Không thấy máy quét');
    const broken = await discoverScannerPort(
      { vendorId: '0c2e' },
      { list: () => Promise.reject(new Error('spawn udevadm ENOENT')), sysRoot: join(empty, 'nope') },
    );
    expect(broken).toMatchObject({ path: null });
    expect(broken.en).toContain('udevadm ENOENT');
    expect(broken.vi).toContain('kiosk.json');
    // A list that never answers is abandoned.
    const hung = await discoverScannerPort('auto', {
      list: () => new Promise(() => {}),
      timeoutMs: 50,
      sysRoot: empty,
    });
    expect(hung.path).toBeNull();
  });
});

describe('SerialScanner found by USB id', () => {
  it('is missing while no port matches, then follows the scanner to its new name after a re-plug', async () => {
    let current: PtyPair | null = null;
    const scanner = new SerialScanner({
      usb: { vendorId: '0c2e' },
      baudRate: 9600,
      suffix: 'auto',
      retryMs: 50,
      // The boundary: what udev would report. The ports themselves are real pseudo-terminals.
      discover: async () =>
        current
          ? { path: current.a, vi: 'có', en: 'found' }
          : { path: null, vi: 'Không thấy máy quét USB', en: 'No USB scanner 0c2e:* found' },
    });
    const scans: string[] = [];
    const states: ScannerStatus[] = [];
    scanner.onScan((t) => scans.push(t));
    scanner.onState((s) => states.push(s));
    cleanups.push(() => scanner.stop());
    await scanner.start();
    expect(scanner.status).toMatchObject({ state: 'missing', detail: 'No USB scanner 0c2e:* found' });

    const write = async (p: PtyPair, text: string) => {
      const port = new SerialPort({ path: p.b, baudRate: 9600, autoOpen: false });
      await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
      await new Promise<void>((res) => port.write(text, () => port.drain(() => res())));
      await new Promise<void>((res) => port.close(() => res()));
    };
    const waitFor = async (what: string, cond: () => boolean) => {
      const deadline = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    const first = await openPtyPair();
    cleanups.push(() => first.close());
    current = first;
    await waitFor('ok on the first port', () => scanner.status.state === 'ok');
    expect(scanner.status.path).toBe(first.a);
    await write(first, 'VNP1:FIRST\r');
    await waitFor('the first scan', () => scans.length === 1);

    // Unplug: the port goes away; re-plug: it comes back as another device.
    current = null;
    await first.close();
    await waitFor('missing after unplug', () => scanner.status.state !== 'ok');
    const second = await openPtyPair();
    cleanups.push(() => second.close());
    current = second;
    await waitFor(
      'ok on the new port',
      () => scanner.status.state === 'ok' && scanner.status.path === second.a,
    );
    await write(second, 'VNP1:SECOND\r');
    await waitFor('the second scan', () => scans.length === 2);
    expect(scans).toEqual(['VNP1:FIRST', 'VNP1:SECOND']);
    expect(states.map((s) => s.state)).toContain('missing');
  });
});
