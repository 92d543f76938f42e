// A port whose device goes away while nothing is reading it: the next read finds a hung-up tty, which
// reads 0 bytes. serialport's own Linux binding reads again at once, forever, so the port never closes
// (and a core spins); the scanner's binding closes it as disconnected, and the scanner reconnects.
import { SerialPortStream } from '@serialport/stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HungUpError, scannerBinding } from '../../src/hardware/hangup-binding.js';
import { openPtyPair } from '../helpers/socat.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const opened = async (path: string) => {
  const port = new SerialPortStream({ binding: scannerBinding, path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  cleanups.push(() => new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res())));
  return port;
};

describe.runIf(process.platform === 'linux')('the scanner’s serial binding', () => {
  it('reads what is written, then closes the port as disconnected when the other end hangs up', async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const reader = await opened(pair.a);
    const writer = await opened(pair.b);
    const closed = new Promise<Error | null>((res) => reader.once('close', res));
    const got: Buffer[] = [];
    const all = new Promise<void>((res) =>
      reader.on('data', (b: Buffer) => {
        got.push(b);
        if (Buffer.concat(got).toString() === 'VNP1:ONE\r') res();
      }),
    );
    await new Promise<void>((res) => writer.write('VNP1:ONE\r', () => writer.drain(() => res())));
    await all;
    await pair.close();
    const err = (await closed) as (Error & { disconnected?: boolean }) | null;
    expect(err?.disconnected).toBe(true);
    expect(reader.isOpen).toBe(false);
  });

  it('a hang-up while nobody was reading: the first read ends the port instead of spinning', async () => {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const reader = await opened(pair.a);
    // Nothing reads yet (no listener): the hang-up is already there when the first read comes.
    await pair.close();
    const closed = new Promise<Error | null>((res) => reader.once('close', res));
    reader.on('data', () => {});
    const err = (await closed) as (Error & { disconnected?: boolean }) | null;
    expect(err?.disconnected).toBe(true);
    expect(err?.message).toBe(new HungUpError().message);
  });
});
