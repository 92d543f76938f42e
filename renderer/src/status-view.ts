// What the status bar makes of the kiosk's status, as pure functions (the kiosk's clock is an input).
import type { KioskStatus } from '../../src/contract/api.js';

/** How long the last thing the scanner sent that was not a code stays in the status bar. */
export const DIAGNOSTIC_SHOWN_MS = 60_000;

type Diagnostic = NonNullable<KioskStatus['scanner']['diagnostic']>;

/** The scanner's last diagnostic while it is recent by the kiosk's clock (`kioskNowMs`), else null. */
export function recentDiagnostic(status: KioskStatus | null, kioskNowMs: number): Diagnostic | null {
  const d = status?.scanner.diagnostic;
  if (!d) return null;
  const at = Date.parse(d.at);
  if (!Number.isFinite(at)) return null;
  // A little ahead is clock jitter between the status and this screen, not a reason to hide it.
  return kioskNowMs - at <= DIAGNOSTIC_SHOWN_MS && at - kioskNowMs <= DIAGNOSTIC_SHOWN_MS ? d : null;
}

/** Why the serial scanner is missing or failing, in words, while it is (null otherwise). */
export function scannerProblem(status: KioskStatus | null): { vi: string; en: string } | null {
  const s = status?.scanner;
  return s && (s.state === 'missing' || s.state === 'error') ? (s.problem ?? null) : null;
}

/** The log's fault while the kiosk reports one. */
export function storeFault(status: KioskStatus | null): NonNullable<KioskStatus['store']> | null {
  const s = status?.store;
  return s && !s.ok ? s : null;
}
