// WAL checkpoints on a connection of their own, in a worker thread. Copying the WAL into the database
// and flushing it takes tens of milliseconds after a large write (128 ms measured while the retention
// purge filled the WAL): on the kiosk's connection that held the scan thread. A PASSIVE checkpoint takes
// no lock a writer waits for, so scans commit meanwhile. Started at the first request, the worker then
// also checkpoints every 100 ms by itself; when no worker can run, the checkpoint runs on the kiosk's
// connection as before.
import { Worker } from 'node:worker_threads';
import type { Db } from '../base/db.js';
import { log } from '../base/log.js';
import { workerSource } from '../base/worker-source.js';
import { WAL_AUTOCHECKPOINT_PAGES } from './search-index.js';

/**
 * The kiosk connection's own checkpoint threshold while the worker runs (pages): a safety net only.
 * At the usual one, a retention purge writing faster than the follower asked for checkpoints crossed it
 * every few slices, and the slice's commit then checkpointed on the scan thread (50–70 ms).
 */
export const WAL_AUTOCHECKPOINT_WITH_WORKER = 50_000;

type Reply = { ok: true; log: number; checkpointed: number } | { ok: false; error: string };

export class Checkpointer {
  private worker: Worker | null = null;
  private failed = false;
  private inFlight = false;
  private again = false;
  private closed = false;
  /** Checkpoints done by the worker (tests and diagnostics). */
  done = 0;

  /** The worker could not run: checkpoints run on the kiosk's connection. */
  get onKioskThread(): boolean {
    return this.failed;
  }

  constructor(
    private readonly db: Db,
    private readonly path: string,
  ) {}

  /** Copies the WAL into the database soon; requests while one runs make one more after it. */
  request(): void {
    if (this.closed) return;
    if (this.failed) {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      return;
    }
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const worker = this.worker ?? this.start();
    if (!worker) {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      return;
    }
    this.inFlight = true;
    worker.postMessage('checkpoint');
  }

  /** Ends the worker; its connection closes after any checkpoint in progress. */
  close(): void {
    this.closed = true;
    this.worker?.postMessage('close');
    this.worker = null;
  }

  private start(): Worker | null {
    try {
      const { source, eval: isEval } = workerSource(import.meta.url, 'checkpoint-worker');
      const worker = new Worker(source, { eval: isEval, workerData: { path: this.path } });
      // A kiosk stopping does not wait for this thread, nor does a process exiting.
      worker.unref();
      worker.on('message', (reply: Reply) => {
        this.inFlight = false;
        if (reply.ok) this.done++;
        else log.warn('checkpointer: a checkpoint failed', reply.error);
        if (this.again && !this.closed) {
          this.again = false;
          this.request();
        }
      });
      worker.on('error', (err) => this.fallBack(worker, err));
      worker.on('exit', (code) => {
        if (!this.closed) this.fallBack(worker, new Error(`exited (${code})`));
      });
      this.worker = worker;
      this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_WITH_WORKER}`);
      return worker;
    } catch (err) {
      this.fallBack(null, err);
      return null;
    }
  }

  private fallBack(worker: Worker | null, err: unknown): void {
    if (this.failed || (worker && this.worker !== worker)) return;
    this.failed = true;
    this.worker = null;
    this.inFlight = false;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    log.warn(
      'checkpointer: no worker thread, checkpoints run on the kiosk thread',
      err instanceof Error ? err.message : err,
    );
  }
}
