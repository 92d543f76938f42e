// Completes the kiosk's view for the lane (service.ts): the audit chain, the ID-number HMAC and who
// did it, all read from the kiosk's database, so the composition root only passes its own parts.
import type { Caller } from '../api/dispatch.js';
import { AuditChain } from '../audit/chain-log.js';
import { IdnHasher } from '../audit/idn.js';
import type { Db } from '../store/db.js';
import type { Attribution } from './record.js';
import type { LaneHost } from './service.js';

export type LaneHostParts = Omit<LaneHost, 'chain' | 'idnHmac' | 'attribution'> & {
  /** The kiosk's own answers (src/audit/supervision.ts), when it has them. */
  shiftAttribution?: () => Attribution;
  idnHmac?: (idNumber: string) => string | null;
};

export function laneHost(parts: LaneHostParts): LaneHost {
  // One of each per database: a restarted kiosk (stop, start) opens a new one.
  let db: Db | null = null;
  let chain: AuditChain | null = null;
  let hasher: IdnHasher | null = null;
  const current = (): Db => {
    const d = parts.store().db;
    if (d !== db) {
      db = d;
      chain = new AuditChain(d);
      hasher = new IdnHasher(d);
    }
    return d;
  };
  return {
    ...parts,
    chain: () => {
      current();
      return chain as AuditChain;
    },
    idnHmac: (idNumber) => {
      if (parts.idnHmac) return parts.idnHmac(idNumber);
      current();
      return hasher?.hmac(idNumber) ?? null;
    },
    attribution: (caller: Caller | null): Attribution => {
      if (parts.shiftAttribution) {
        const a = parts.shiftAttribution();
        return { ...a, userName: a.userName ?? caller?.session?.displayName ?? null };
      }
      const d = current();
      // The kiosk's open shift: its guard is who scans and records here (src/auth/shifts.ts).
      const shift = d.prepare('SELECT id, user_id FROM shifts WHERE closed_ms IS NULL LIMIT 1').get() as
        | { id: number; user_id: number }
        | undefined;
      const session = caller?.session ?? null;
      return {
        userId: session?.userId ?? shift?.user_id ?? null,
        userName: session?.displayName ?? null,
        shiftId: shift?.id ?? null,
      };
    },
  };
}
