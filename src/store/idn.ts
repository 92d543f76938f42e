// The full ID number of a holder is never stored: each passage keeps HMAC-SHA-256(key, idn) so that a
// supervisor can find every passage of one number exactly. The key is random per kiosk, kept in the
// database's kv table: it stops precomputed tables across kiosks; the retention purge erases the HMAC
// with the other personal fields.
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../base/db.js';

const KEY = 'audit.idnHmacKey';

export class IdnHasher {
  private key: Buffer | null = null;

  constructor(private readonly db: Db) {}

  private getKey(): Buffer {
    if (this.key) return this.key;
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(KEY) as
      | { value: string }
      | undefined;
    if (row) {
      this.key = Buffer.from(row.value, 'base64');
      return this.key;
    }
    const fresh = randomBytes(32);
    // INSERT OR IGNORE then re-read: two starts racing end up with the same key.
    this.db
      .prepare('INSERT OR IGNORE INTO kv (key, value, updated_ms) VALUES (?, ?, ?)')
      .run(KEY, fresh.toString('base64'), Date.now());
    const stored = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(KEY) as { value: string };
    this.key = Buffer.from(stored.value, 'base64');
    return this.key;
  }

  /** HMAC of an ID number, digits only (spaces a guard might type are ignored). */
  hmac(idn: string): string {
    return createHmac('sha256', this.getKey()).update(idn.replace(/\s+/g, ''), 'utf8').digest('hex');
  }
}
