// WAL checkpoints on a connection of their own, in a worker thread. Copying the WAL into the database
// and flushing it takes tens of milliseconds after a large write (128 ms measured while the retention
// purge filled the WAL): on the kiosk's connection that held the scan thread. A PASSIVE checkpoint takes
// no lock a writer waits for, so scans commit meanwhile. The worker starts at the first request and then
// checkpoints every 100 ms by itself; when no worker can run, a request checkpoints on the kiosk's
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

/** What the worker says after a checkpoint that copied pages, or when one failed. */
export type CheckpointReport = { ok: true; copied: number } | { ok: false; error: string };

export class Checkpointer {
  private worker: Worker | null = null;
  private failed = false;
  private closed = false;
  /** Checkpoints by the worker that copied pages into the database (tests and diagnostics). */
  done = 0;

  constructor(
    private readonly db: Db,
    private readonly path: string,
  ) {}

  /** The worker could not run: checkpoints run on the kiosk's connection. */
  get onKioskThread(): boolean {
    return this.failed;
  }

  /** The WAL is to be copied into the database: by the worker (started now if need be), or here. */
  request(): void {
    if (this.closed || this.worker) return;
    if (!this.failed) this.start();
    if (this.failed) this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Ends the worker; its connection closes after any checkpoint in progress. */
  close(): void {
    this.closed = true;
    this.worker?.postMessage('close');
    this.worker = null;
  }

  private start(): void {
    try {
      const { source, eval: isEval } = workerSource(import.meta.url, 'checkpoint-worker');
      const worker = new Worker(source, { eval: isEval, workerData: { path: this.path } });
      // A kiosk stopping does not wait for this thread, nor does a process exiting.
      worker.unref();
      worker.on('message', (report: CheckpointReport) => {
        if (report.ok) this.done++;
        else log.warn('checkpointer: a checkpoint failed', report.error);
      });
      worker.on('error', (err) => this.fallBack(worker, err));
      worker.on('exit', (code) => {
        if (!this.closed) this.fallBack(worker, new Error(`exited (${code})`));
      });
      this.worker = worker;
      this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_WITH_WORKER}`);
    } catch (err) {
      this.fallBack(null, err);
    }
  }

  private fallBack(worker: Worker | null, err: unknown): void {
    if (this.failed || (worker && this.worker !== worker)) return;
    this.failed = true;
    this.worker = null;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    log.warn(
      'checkpointer: no worker thread, checkpoints run on the kiosk thread',
      err instanceof Error ? err.message : err,
    );
  }
}
