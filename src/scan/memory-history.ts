// An in-memory ScanHistory: what the CLI uses so that scans in one run share duplicates and
// anti-passback, as consecutive scans on one kiosk would. The kiosk itself uses the SQLite store.
import type { Direction } from '../api/reasons.js';
import type { Judgement, PriorVerdict, ScanHistory } from './types.js';

export class MemoryHistory implements ScanHistory {
  private readonly verdicts = new Map<string, PriorVerdict>();
  private readonly directions = new Map<string, Direction>();
  private nextId = 1;

  /** Records a judged scan; duplicates and scans without a permit are not passages. */
  record(judgement: Judgement, now: number, direction: Direction, area: string): number | null {
    if (judgement.duplicateOf || !judgement.permit) return null;
    const passageId = this.nextId++;
    const hash = judgement.permit.hash;
    this.verdicts.set(hash, {
      passageId,
      at: now,
      decision: judgement.decision,
      reasons: [...judgement.reasons],
    });
    // Only a passage that was let through moves the person in or out.
    if (judgement.decision === 'ALLOW') this.directions.set(`${area}\n${hash}`, direction);
    return passageId;
  }

  recentVerdict(hash: string, sinceMs: number): PriorVerdict | null {
    const v = this.verdicts.get(hash);
    return v && v.at >= sinceMs ? v : null;
  }

  lastDirection(hash: string, area: string): Direction | null {
    return this.directions.get(`${area}\n${hash}`) ?? null;
  }
}
