// How long the uplink waits before connecting again.

/**
 * The wait before reconnection attempt `attempt` (from 1) over `urls` brokers: one round tries every URL
 * at the shortest wait, each later round waits twice as long (up to maxMs), ±20 % jitter so that a fleet
 * cut off at once does not come back at once.
 */
export function reconnectDelay(
  attempt: number,
  urls: number,
  o: { minMs: number; maxMs: number; random: () => number },
): number {
  const round = Math.floor((attempt - 1) / Math.max(1, urls));
  return Math.min(o.maxMs, o.minMs * 2 ** round) * (0.8 + o.random() * 0.4);
}
