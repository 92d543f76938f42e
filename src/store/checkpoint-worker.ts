// The checkpointer's thread (checkpointer.ts): its own connection to the kiosk's database, which copies
// the WAL into the database file when asked, and every LOOP_MS besides. Nothing else is read or written.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** How often the WAL is checkpointed unasked (a PASSIVE checkpoint with nothing to copy is cheap). */
const LOOP_MS = 100;

const port = parentPort;
if (port) {
  const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
  // A scan holding the write lock for a moment must not make the checkpoint wait: PASSIVE skips it.
  db.pragma('busy_timeout = 0');
  const checkpoint = () => {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    return { log: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 };
  };
  // Whatever writes (a purge, peers' passages, the follower), the WAL is copied here within a moment,
  // and the kiosk's connection never reaches its own checkpoint threshold.
  const loop = setInterval(() => {
    try {
      checkpoint();
    } catch {
      // A lasting failure is reported to the next request.
    }
  }, LOOP_MS);
  port.on('message', (m: 'checkpoint' | 'close') => {
    if (m === 'close') {
      clearInterval(loop);
      db.close();
      port.close();
      return;
    }
    try {
      port.postMessage({ ok: true, ...checkpoint() });
    } catch (err) {
      port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
