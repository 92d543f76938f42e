// The aggregator's intake: messages that arrive together are classified and stored in one fsync'd
// transaction, and receipted only once it has committed. What the kiosk trusts is the receipt, not the
// broker's PUBACK (spec/mqtt.md "Receipts"): a message lost between the broker and the commit (a crash,
// a failed commit) is never receipted, so its kiosk publishes it again. That is what lets one commit
// carry many messages: holding each PUBACK until its commit would make mqtt.js take them one at a time.
import { log } from '../../src/base/log.js';
import { classify } from './ingest.js';
import type { Delivery, LedgerStore } from './store.js';

export interface IntakeStats {
  received: number;
  counted: number;
  duplicates: number;
  rejected: number;
  conflicts: number;
  /** Messages whose commit failed (database unreachable or full): not receipted, so sent again. */
  uncommitted: number;
}

/** A commit never carries more than this many messages. */
const MAX_BATCH = 1000;

export class Intake {
  private batch: Delivery[] = [];
  private scheduled = false;
  /** The commit in flight: one at a time, and what arrives meanwhile forms the next. */
  private running: Promise<void> | null = null;

  constructor(
    private readonly o: {
      store: LedgerStore;
      stats: IntakeStats;
      now: () => number;
      /** After the commit: the kiosk instances whose ranges it touched. */
      committed: (kioskIds: Set<number>) => void;
    },
  ) {}

  /** Takes one delivery; it is stored with whatever else arrives before the event loop turns. */
  push(topic: string, message: Buffer, retained: boolean): void {
    this.batch.push({ ...classify(topic, message), topic, retained });
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // Whatever else the socket has already delivered joins this commit.
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Resolves when everything pushed so far is committed (or has failed to be). */
  async flush(): Promise<void> {
    while (this.running || this.batch.length > 0) {
      if (!this.running) this.drain();
      await this.running;
    }
  }

  private drain(): void {
    if (this.running || this.batch.length === 0) return;
    const batch = this.batch.splice(0, MAX_BATCH);
    this.running = this.commit(batch).finally(() => {
      this.running = null;
      this.drain();
    });
  }

  private async commit(batch: Delivery[]): Promise<void> {
    const { store, stats } = this.o;
    let r: Awaited<ReturnType<LedgerStore['commit']>>;
    try {
      r = await store.commit(batch, this.o.now());
    } catch (err) {
      // Disk full, database locked or unreachable: nothing is receipted, so the kiosks send it all again.
      stats.uncommitted += batch.length;
      log.error(
        `command centre: could not record what arrived (${batch.length} messages); their kiosks will send it again`,
        err,
      );
      return;
    }
    for (const c of r.conflicts) {
      const { district, checkpoint, kiosk } = c.scope;
      log.warn(
        `command centre: kiosk id ${district}/${checkpoint}/${kiosk} claimed by ${c.instances.join(', ')}`,
      );
    }
    // Counted once committed, so that whoever reads the stats finds the ledger up to date with them.
    stats.received += batch.length;
    stats.counted += r.counted;
    stats.duplicates += r.duplicates;
    stats.rejected += r.rejected;
    stats.conflicts += r.conflicts.length;
    this.o.committed(r.touched);
  }
}
