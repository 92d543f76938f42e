// Starts Debian's PostgreSQL (initdb in a temp dir, a free port, its unix socket in the same dir) for a
// test or the bench, stopped and deleted at the end. initdb and postgres refuse to run as root: as root
// (CI) they run as the `postgres` system user that Debian's package creates, owning the temp dir.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './mosquitto.js';

export interface PostgresHandle {
  port: number;
  /** postgres://… for the `kiosk` database (created empty). */
  url: string;
  /** A fresh empty database on this server, and its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server, keeping its data, for outages; up() starts it again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** /usr/lib/postgresql/<highest version>/bin, or null when Debian's postgresql is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function asUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'postgres-'));
  const user = asUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const spawnOpts = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'kiosk', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
    ...spawnOpts,
    stdio: 'ignore',
  });
  const port = await freePort();
  let stderr = '';
  let proc: ChildProcess | null = null;
  const base = `postgres://kiosk@127.0.0.1:${port}`;

  async function launch(createKiosk: boolean): Promise<void> {
    const child = spawn(
      join(bin!, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
      { ...spawnOpts, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proc = child;
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      try {
        await c.connect();
        if (createKiosk) await c.query('CREATE DATABASE kiosk');
        await c.end();
        return;
      } catch (err) {
        await c.end().catch(() => {});
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function down(): Promise<void> {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // Fast shutdown: ends sessions, no waiting for clients to leave.
    child.kill('SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  try {
    await launch(true);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    url: `${base}/kiosk`,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: `${base}/postgres` });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await c.end();
      }
      return `${base}/${name}`;
    },
    down,
    up: () => launch(false),
    async stop() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
