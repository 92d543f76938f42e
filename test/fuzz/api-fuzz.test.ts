// The API fuzz, a shorter run (the full one is `npm run fuzz:api`): random and malformed calls as every
// role and as nobody, through the Dispatcher, HTTP and the WebSocket of a real kiosk. No crash, every
// answer a well-formed result or bilingual error (no 5xx, no internal error), no success a caller may
// not have, nothing changed by a refused call.
import { describe, expect, it } from 'vitest';
import { runApiFuzz } from './api-fuzz.js';

const CALLS = Number(process.env.API_FUZZ_CALLS ?? 1500);
const SEED = Number(process.env.API_FUZZ_SEED ?? 20_211_123);

describe('API fuzz', () => {
  it(`${CALLS} seeded calls: well-formed answers, no change without permission`, {
    timeout: 240_000,
  }, async () => {
    const r = await runApiFuzz(CALLS, SEED);
    expect(r.failure).toBeNull();
    expect(r.calls).toBe(CALLS);
    // The run reached the methods' own code, not only the gates: some calls succeeded on each way in.
    for (const via of ['dispatch', 'http', 'ws']) expect(r.answers.get(`${via} ok`) ?? 0).toBeGreaterThan(0);
  });
});
