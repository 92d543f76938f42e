// serialport's Linux binding reads a port whose device went away as "no data yet, read again": a read
// that returns 0 bytes is retried at once, forever (serialport/bindings-cpp#162). That is what a tty
// returns after a hang-up, when a USB scanner is unplugged or the other end of a pseudo-terminal
// closes, unless the kernel happens to answer EIO first. The port then never closes: the kiosk shows
// the scanner as connected, never reopens it after a re-plug, and a core spins. Here a read of 0 bytes
// is what POSIX says it is, the end of the device, and the stream closes the port as disconnected.
import { read } from 'node:fs';
import { promisify } from 'node:util';
import {
  autoDetect,
  type BindingInterface,
  type BindingPortInterface,
  BindingsError,
  LinuxBinding,
  type LinuxOpenOptions,
  type LinuxPortBinding,
} from '@serialport/bindings-cpp';

const readAsync = promisify(read);

/** Codes that mean "nothing to read now": wait until the port is readable. */
const NOT_YET = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** The device has gone: the stream treats any error that is not `canceled` as a disconnection. */
export class HungUpError extends Error {
  readonly disconnect = true;
  constructor() {
    super('The port hung up (the device was unplugged or its other end closed)');
    this.name = 'HungUpError';
  }
}

/** serialport's own port, with a read that ends at a hang-up. */
class HangupAwarePort implements BindingPortInterface {
  constructor(private readonly inner: LinuxPortBinding) {}

  get openOptions(): LinuxPortBinding['openOptions'] {
    return this.inner.openOptions;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (buffer.length < offset + length) throw new Error('buffer is too small');
    for (;;) {
      const fd = this.inner.fd;
      if (fd === null) throw new BindingsError('Port is not open', { canceled: true });
      try {
        const { bytesRead } = await readAsync(fd, buffer, offset, length, null);
        // The port is non-blocking: no data is EAGAIN, so 0 bytes is the end of the device.
        if (bytesRead === 0) throw new HungUpError();
        return { buffer, bytesRead };
      } catch (err) {
        if (!NOT_YET.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
        if (!this.inner.isOpen) throw new BindingsError('Port is not open', { canceled: true });
        await new Promise<void>((resolve, reject) =>
          this.inner.poller.once('readable', (e: Error | null) => (e ? reject(e) : resolve())),
        );
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
  write(buffer: Buffer): Promise<void> {
    return this.inner.write(buffer);
  }
  update(options: Parameters<LinuxPortBinding['update']>[0]): Promise<void> {
    return this.inner.update(options);
  }
  set(options: Parameters<LinuxPortBinding['set']>[0]): Promise<void> {
    return this.inner.set(options);
  }
  get(): ReturnType<LinuxPortBinding['get']> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }
}

const linuxHangupAware: BindingInterface<HangupAwarePort, LinuxOpenOptions> = {
  list: () => LinuxBinding.list(),
  open: async (options) => new HangupAwarePort(await LinuxBinding.open(options)),
};

/** The binding the scanner opens its port with: Linux's, ending at a hang-up; elsewhere serialport's own. */
export const scannerBinding: BindingInterface =
  process.platform === 'linux' ? linuxHangupAware : autoDetect();
