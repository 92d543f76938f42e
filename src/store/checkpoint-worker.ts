// The checkpointer's thread (checkpointer.ts): its own connection to the kiosk's database, which copies
// the WAL into the database file every LOOP_MS. Nothing else is read or written here.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReport } from './checkpointer.js';

/** How often the WAL is checkpointed (a PASSIVE checkpoint with nothing to copy is cheap). */
const LOOP_MS = 100;

const port = parentPort;
if (port) {
  const db = new Database((workerData as { path: string }).path, { fileMustExist: true });
  // A scan holding the write lock for a moment must not make the checkpoint wait: PASSIVE skips it.
  db.pragma('busy_timeout = 0');
  let failing = false;
  let lastCopied = 0;
  // Whatever writes (the follower, a purge, peers' passages), the WAL is copied here within a moment,
  // and the kiosk's connection never reaches its own checkpoint threshold.
  const loop = setInterval(() => {
    let report: CheckpointReport | null = null;
    try {
      const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { checkpointed: number }[];
      failing = false;
      // Said when it copied something new (the same count again is the same WAL, already copied).
      const copied = r?.checkpointed ?? 0;
      if (copied > 0 && copied !== lastCopied) report = { ok: true, copied };
      lastCopied = copied;
    } catch (err) {
      // Said once, not every 100 ms.
      if (!failing) report = { ok: false, error: err instanceof Error ? err.message : String(err) };
      failing = true;
    }
    if (report) port.postMessage(report);
  }, LOOP_MS);
  port.on('message', (m: 'close') => {
    if (m !== 'close') return;
    clearInterval(loop);
    db.close();
    port.close();
  });
}
