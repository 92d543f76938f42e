// The checkpointer's thread (checkpointer.ts): its own connection to the kiosk's database, which copies
// the WAL into the database file when asked. Nothing else is read or written here.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const port = parentPort;
if (port) {
  const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
  // A scan holding the write lock for a moment must not make the checkpoint wait: PASSIVE skips it.
  db.pragma('busy_timeout = 0');
  port.on('message', (m: 'checkpoint' | 'close') => {
    if (m === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as {
        busy: number;
        log: number;
        checkpointed: number;
      }[];
      port.postMessage({ ok: true, log: r?.log ?? 0, checkpointed: r?.checkpointed ?? 0 });
    } catch (err) {
      port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
