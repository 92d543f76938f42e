// The aggregator's intake: messages that arrive together are classified and stored in one fsync'd
// transaction, and receipted only once it has committed. What the kiosk trusts is the receipt, not the
// broker's PUBACK (spec/mqtt.md "Receipts"): a message lost between the broker and the commit (a crash,
// a failed commit) is never receipted, so its kiosk publishes it again. That is what lets one commit
// carry many messages: holding each PUBACK until its commit would make mqtt.js take them one at a time.
import { log } from '../../src/base/log.js';
import { classify } from './ingest.js';
import type { Ledger } from './ledger.js';

export interface IntakeStats {
  received: number;
  counted: number;
  duplicates: number;
  rejected: number;
  conflicts: number;
}

interface Delivery {
  topic: string;
  message: Buffer;
  retained: boolean;
}

/** A commit never waits for more than this many messages. */
const MAX_BATCH = 500;

export class Intake {
  private batch: Delivery[] = [];
  private scheduled = false;

  constructor(
    private readonly o: {
      ledger: Ledger;
      stats: IntakeStats;
      now: () => number;
      /** After the commit: the kiosk instances whose ranges it touched. */
      committed: (kioskIds: Set<number>) => void;
    },
  ) {}

  /** Takes one delivery; it is stored with whatever else arrives before the event loop turns. */
  push(topic: string, message: Buffer, retained: boolean): void {
    this.batch.push({ topic, message, retained });
    if (this.batch.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // Whatever else the socket has already delivered joins this commit.
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const { ledger, stats } = this.o;
    const now = this.o.now();
    const touched = new Set<number>();
    const tally = { counted: 0, duplicates: 0, rejected: 0, conflicts: 0 };
    try {
      ledger.db
        .transaction(() => {
          for (const d of batch) {
            const m = classify(d.topic, d.message);
            switch (m.kind) {
              case 'rejected':
                tally.rejected++;
                ledger.reject(m.reason, d.topic, now);
                break;
              case 'numbered': {
                const r = ledger.ingest(m.scope, m.payload, now);
                if (r.result === 'counted') tally.counted++;
                else tally.duplicates++;
                // A copy of something held means its sender missed the receipt: it gets one again.
                touched.add(r.kioskId);
                break;
              }
              case 'status': {
                const r = ledger.applyStatus(m.scope, m.payload, d.retained, now);
                if (r.conflict) {
                  tally.conflicts++;
                  const { district, checkpoint, kiosk } = m.scope;
                  log.warn(
                    `command centre: kiosk id ${district}/${checkpoint}/${kiosk} claimed by ${r.conflict.join(', ')}`,
                  );
                }
                break;
              }
            }
          }
        })
        .immediate();
    } catch (err) {
      // Disk full, database locked too long: nothing is receipted, so the kiosks send it all again.
      log.error(
        `command centre: could not record what arrived (${batch.length} messages); their kiosks will send it again`,
        err,
      );
      return;
    }
    // Counted once committed, so that whoever reads the stats finds the ledger up to date with them.
    stats.received += batch.length;
    stats.counted += tally.counted;
    stats.duplicates += tally.duplicates;
    stats.rejected += tally.rejected;
    stats.conflicts += tally.conflicts;
    this.o.committed(touched);
  }
}
