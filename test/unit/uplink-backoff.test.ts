// The uplink's reconnect waits (src/uplink/backoff.ts), with the jitter's source fixed.
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../../src/uplink/backoff.js';

const at = (random: number) => ({ minMs: 500, maxMs: 30_000, random: () => random });

describe('reconnectDelay', () => {
  it('doubles per round of attempts up to the cap, one round trying every broker', () => {
    const one = [1, 2, 3, 4, 5, 6, 7, 8].map((a) => reconnectDelay(a, 1, at(0.5)));
    expect(one).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    // Two brokers: both are tried at the same wait before it doubles.
    const two = [1, 2, 3, 4, 5].map((a) => reconnectDelay(a, 2, at(0.5)));
    expect(two).toEqual([500, 500, 1000, 1000, 2000]);
  });

  it('spreads each wait over ±20 % by the jitter source', () => {
    expect(reconnectDelay(2, 1, at(0))).toBe(800);
    expect(reconnectDelay(2, 1, at(0.25))).toBe(900);
    expect(reconnectDelay(2, 1, at(0.999))).toBeCloseTo(1199.6, 6);
    expect(reconnectDelay(20, 1, at(0))).toBe(24_000); // the cap is jittered too
  });

  it('treats an empty broker list as one broker rather than dividing by zero', () => {
    expect(reconnectDelay(3, 0, at(0.5))).toBe(2000);
  });
});
