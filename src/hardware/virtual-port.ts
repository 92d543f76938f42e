// A pair of connected pseudo-terminals made by socat: a virtual serial port for the demo checkpoint and
// the tests, with no hardware. Bytes written to `b` arrive at `a` and vice versa. Pass `dir` to re-create
// the same links after a close(), which is how tests unplug and re-plug a scanner.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** Path of one end (a symlink to /dev/pts/N). */
  a: string;
  /** Path of the other end. */
  b: string;
  /** Folder holding both links. */
  dir: string;
  /** Kills socat (which removes the links) and waits for it to exit. Idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Reuse this folder (links `a` and `b` in it) instead of a new temporary one; it is not removed. */
  dir?: string;
  /** How long to wait for socat to create both links (default 5 s). */
  timeoutMs?: number;
}

export async function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kiosk-pty-')));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  // A socat killed hard leaves its links behind; a new one would not replace them.
  await rm(a, { force: true });
  await rm(b, { force: true });
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    if (stderr.length < 10_000) stderr += s;
  });
  let spawnError: Error | null = null;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      spawnError = err;
      resolve();
    });
  });

  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  while (!(existsSync(a) && existsSync(b))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await kill(child, exited);
      if (ownDir) await rm(dir, { recursive: true, force: true });
      throw new Error(`socat did not create ${a} and ${b}: ${spawnError ?? stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }

  let closed: Promise<void> | null = null;
  return {
    a,
    b,
    dir,
    close() {
      closed ??= (async () => {
        await kill(child, exited);
        await rm(a, { force: true });
        await rm(b, { force: true });
        if (ownDir) await rm(dir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
