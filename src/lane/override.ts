// Overrides (spec/policy.md): a guard lets a DENY or REVIEW passage through with a written reason.
// The passage is never changed: the override is a new chained row (an `override` audit event, see
// record.ts) that refers to it, so the passage keeps its decision and reasons. These are the rules, as
// a pure function of the rows and the clock.
import { KioskError } from '../contract/errors.js';
import { cleanReason } from '../contract/manual-entry.js';
import type { Decision } from '../contract/reasons.js';

/** An override must come while the person is still at the barrier: within 15 minutes of the scan. */
export const OVERRIDE_WINDOW_MS = 15 * 60_000;

export interface OverrideTarget {
  id: number;
  atMs: number;
  decision: Decision;
  letThrough: boolean;
}

/**
 * Checks an override request; returns the cleaned reason. `existing` is the id of an override of the
 * same passage, if one was recorded. Throws a bilingual KioskError naming what is wrong.
 */
export function checkOverride(
  target: OverrideTarget | null,
  existing: number | null,
  reason: string,
  nowMs: number,
  windowMs = OVERRIDE_WINDOW_MS,
): string {
  if (!target) {
    throw new KioskError('PASSAGE_NOT_FOUND', 'Không tìm thấy lượt qua này', 'No such passage');
  }
  if (existing !== null) {
    throw new KioskError(
      'ALREADY_OVERRIDDEN',
      'Lượt qua này đã được cho qua rồi',
      'This passage was already let through',
    );
  }
  if (target.decision === 'ALLOW' || target.letThrough) {
    throw new KioskError(
      'OVERRIDE_NOT_NEEDED',
      'Lượt qua này đã được cho qua, không cần ghi đè',
      'This passage was allowed: there is nothing to override',
    );
  }
  const age = nowMs - target.atMs;
  if (age > windowMs || age < -60_000) {
    throw new KioskError(
      'OVERRIDE_TOO_LATE',
      `Chỉ được cho qua trong ${Math.round(windowMs / 60_000)} phút sau khi quét: hãy quét lại`,
      `An override must come within ${Math.round(windowMs / 60_000)} minutes of the scan: scan again`,
    );
  }
  return cleanReason(reason);
}
