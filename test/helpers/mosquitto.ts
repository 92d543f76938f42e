// Starts a real Mosquitto (/usr/sbin/mosquitto) on a free port with a generated config in a temp dir.
// Persistence is on unless `persistence: false` (Mosquitto's default, which forgets retained messages
// and queued sessions on restart: what the contract v2 must survive).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';

export interface MosquittoHandle {
  port: number;
  url: string;
  /** Stops the broker and deletes its temp dir. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port, keeping persisted sessions and retained messages. */
  restart(): Promise<void>;
  /** Stops the broker but keeps its state, for outages; restart() brings it back. */
  down(): Promise<void>;
}

export const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startMosquitto(
  opts: { aclFile?: string; extraConfig?: string; persistence?: boolean } = {},
): Promise<MosquittoHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    // Started as root, mosquitto drops to user "mosquitto", which cannot write into our temp dir.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `persistence ${opts.persistence === false ? 'false' : 'true'}`,
    `persistence_location ${dir}/`,
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    ...(opts.aclFile ? [`acl_file ${opts.aclFile}`] : []),
    ...(opts.extraConfig ? [opts.extraConfig] : []),
  ];
  await writeFile(conf, `${lines.join('\n')}\n`);

  let proc: ChildProcess | null = null;

  async function launch(): Promise<void> {
    let stderr = '';
    const child = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    proc = child;
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`mosquitto exited at start: ${stderr.trim()}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`mosquitto did not accept connections on port ${port}: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function halt(): Promise<void> {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      // SIGTERM: mosquitto saves its persistence file on the way out.
      child.kill('SIGTERM');
    });
  }

  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
    down: halt,
  };
}

/**
 * The retained message of `topic` on a broker now, or null. A new subscription reads it; the
 * acknowledgement of a second SUBSCRIBE on the same connection shows it has been delivered if there is
 * one (Mosquitto queues the retained message while handling the SUBSCRIBE and answers a connection's
 * packets in order), so nothing waits on a timer.
 */
export async function retainedMessage(url: string, topic: string): Promise<string | null> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5 });
  try {
    let retained: string | null = null;
    client.on('message', (t, payload, packet) => {
      if (t === topic && packet.retain) retained = payload.toString();
    });
    await client.subscribeAsync(topic, { qos: 1 });
    await client.subscribeAsync(`test/sync/${randomUUID()}`, { qos: 1 });
    return retained;
  } finally {
    await client.endAsync();
  }
}
