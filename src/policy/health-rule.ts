// The checkpoint's health rule (spec/policy.md `health`) on a verified certificate, as pure functions
// with the clock as an argument. Calendar dates of the certificate (vaccination, positive test,
// validity) are compared with today's date in Vietnam (UTC+7), whatever the machine's time zone.

import { calendarDayNumber, vietnamDayNumber } from '../contract/time.js';
import type { HealthCertificate } from '../formats/hc1-types.js';

export interface HealthRule {
  /** A negative test counts when its sample was taken at most this many hours ago. */
  testHours: number;
  /** A completed vaccination counts from this many days after its date. */
  vaccinationDays: number;
  /** A recovery counts up to this many days after the first positive test. */
  recoveryDays: number;
}

/** SNOMED CT 260415000 "Not detected": the only negative result of the EU value set. */
export const NEGATIVE_TEST_RESULT = '260415000';

const HOUR_MS = 3_600_000;
/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export function dayNumber(date: string): number {
  return calendarDayNumber(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

export type ValidityProblem = 'EXPIRED' | 'NOT_YET_VALID' | null;

/**
 * The CWT validity at the clock: expired when now > exp (the EU suite validates ES/1501-1503 and
 * IE/1-4 at exactly exp, unlike permits, which expire at exp); not yet valid when issued more than
 * the tolerance in the future (a kiosk clock slightly behind must not refuse it).
 */
export function validityProblem(
  claims: { iat: number; exp: number },
  nowMs: number,
  toleranceSeconds = 0,
): ValidityProblem {
  const nowSec = nowMs / 1000;
  if (nowSec > claims.exp) return 'EXPIRED';
  if (nowSec + toleranceSeconds < claims.iat) return 'NOT_YET_VALID';
  return null;
}

/**
 * Why the certificate does not meet the rule at the clock, in English, or null when it does.
 * Boundaries are inclusive: a test exactly testHours old, a vaccination exactly vaccinationDays ago
 * and a positive test exactly recoveryDays ago all count.
 */
export function healthRuleProblem(
  cert: HealthCertificate,
  rule: HealthRule,
  nowMs: number,
  toleranceSeconds = 0,
): string | null {
  const e = cert.entry;
  const today = vietnamDayNumber(nowMs);
  switch (e.type) {
    case 'test': {
      if (e.tr !== NEGATIVE_TEST_RESULT)
        return `test result ${e.tr} is not negative (${NEGATIVE_TEST_RESULT})`;
      if (e.sc > nowMs + toleranceSeconds * 1000) return 'sample collected in the future';
      if (nowMs - e.sc > rule.testHours * HOUR_MS) return `sample older than ${rule.testHours} hours`;
      return null;
    }
    case 'vaccination': {
      if (e.dn < e.sd) return `vaccination not complete (dose ${e.dn} of ${e.sd})`;
      const days = today - dayNumber(e.dt);
      if (days < rule.vaccinationDays)
        return `completed ${days} days ago, fewer than ${rule.vaccinationDays}`;
      return null;
    }
    case 'recovery': {
      const days = today - dayNumber(e.fr);
      if (days < 0) return 'positive test dated in the future';
      if (days > rule.recoveryDays) return `positive test ${days} days ago, more than ${rule.recoveryDays}`;
      if (e.df !== null && today < dayNumber(e.df)) return `recovery valid only from ${e.df}`;
      if (e.du !== null && today > dayNumber(e.du)) return `recovery valid only until ${e.du}`;
      return null;
    }
  }
}
