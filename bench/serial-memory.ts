// Memory around unterminated serial lines: the scanner driver (the kiosk's, in this process) on a socat
// pseudo-terminal is sent `lines` 1 MiB lines with no CR or LF, each followed by a good code. The framer
// holds at most MAX_FRAME_BYTES of a line whatever its length; the process's resident memory is printed
// beside a budget. Measured here and not in the test suite: RSS moves with the garbage collector.
import { SerialPort } from 'serialport';
import { MAX_FRAME_BYTES } from '../src/hardware/line-framer.js';
import { SerialScanner } from '../src/hardware/serial-scanner.js';
import { openPtyPair } from '../src/hardware/virtual-port.js';

const MiB = 2 ** 20;
const RSS_BUDGET_KB = 24 * 1024;

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`serial-memory: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const rssKb = () => Math.round(process.memoryUsage().rss / 1024);

export async function benchSerialMemory(lines: number): Promise<void> {
  const pty = await openPtyPair();
  const scanner = new SerialScanner({ path: pty.a, baudRate: 115_200, suffix: 'auto' });
  let scans = 0;
  let dropped = 0;
  let maxBuffered = 0;
  scanner.onScan(() => scans++);
  scanner.onDiagnostic(() => dropped++);
  await scanner.start();
  const port = new SerialPort({ path: pty.b, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  const send = async (data: string | Buffer) => {
    await new Promise<void>((res, rej) => port.write(data, (e) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => port.drain((e) => (e ? rej(e) : res())));
  };
  try {
    await send('WARM-UP\r\n');
    await until('the warm-up scan', () => scans === 1);
    const before = rssKb();
    let peak = before;
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < MiB / chunk.length; i++) {
        await send(chunk);
        maxBuffered = Math.max(maxBuffered, scanner.bufferedLength);
        peak = Math.max(peak, rssKb());
      }
      await send(`\rCODE-${l}\r\n`);
      await until(`code ${l}`, () => scans === l + 2);
    }
    const after = rssKb();
    const ok = (b: boolean) => (b ? 'ok' : 'OVER BUDGET');
    console.log(`  ${lines} × 1 MiB unterminated lines, each followed by a code: ${scans - 1} codes read`);
    console.log(
      `  framer held at most ${maxBuffered} B (cap ${MAX_FRAME_BYTES} B): ${ok(maxBuffered <= MAX_FRAME_BYTES)}`,
    );
    console.log(
      `  RSS ${before} → peak ${peak} → ${after} kB; growth ${peak - before} kB (budget ${RSS_BUDGET_KB} kB): ${ok(peak - before < RSS_BUDGET_KB)}`,
    );
    console.log(`  LINE_TOO_LONG diagnostics: ${dropped}`);
  } finally {
    await new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res()));
    await scanner.stop();
    await pty.close();
  }
}
