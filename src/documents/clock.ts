// The clock check (DESIGN.md CLOCK_UNTRUSTED). Every signed document carries the command centre's
// `issued` time; a kiosk clock earlier than that is certainly wrong (a dead RTC battery, a bad manual
// setting), and a clock that runs behind makes expired permits look valid.

/** How far behind the newest `issued` the clock may be before scans are flagged: signing-machine skew. */
export const CLOCK_TOLERANCE_MS = 5 * 60_000;

/** True when the kiosk clock is behind the newest signed document it holds, beyond the tolerance. */
export function clockBehind(nowMs: number, newestIssuedMs: number | null | undefined): boolean {
  return newestIssuedMs != null && nowMs < newestIssuedMs - CLOCK_TOLERANCE_MS;
}

/**
 * The MQTT status's clockSkewMs: the only broker-side time a kiosk has is the `issued` of the documents
 * it holds, which bounds the skew from above (the true time is at least `issued`). So a negative value
 * is a measured minimum of how far the clock is behind; 0 means "not behind any document"; null means
 * no signed document is held. Whole seconds, so that a slow clock does not republish every millisecond.
 */
export function clockSkewMs(nowMs: number, newestIssuedMs: number | null | undefined): number | null {
  if (newestIssuedMs == null) return null;
  const skew = Math.min(0, Math.round((nowMs - newestIssuedMs) / 1000) * 1000);
  return skew === 0 ? 0 : skew; // never -0
}
