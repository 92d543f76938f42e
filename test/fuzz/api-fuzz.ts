// One run of the API fuzz: `calls` random calls (seeded) against a fresh kiosk, each checked by
// api-calls.ts, the world repaired after the calls that change it. Returns the figures a report needs;
// a violation fails the run with fast-check's counterexample (and its seed and path to replay it).
import fc from 'fast-check';
import { afterCall, callArb, type FuzzCall, perform } from './api-calls.js';
import { ApiWorld } from './api-world.js';

export interface ApiFuzzReport {
  calls: number;
  seconds: number;
  seed: number;
  /** Answers by way in and code ("ok" for results). */
  answers: Map<string, number>;
  failure: string | null;
}

export async function runApiFuzz(calls: number, seed: number): Promise<ApiFuzzReport> {
  const world = await ApiWorld.open();
  const answers = new Map<string, number>();
  const permits = Array.from({ length: 20 }, (_, i) => world.k.permit(`FZ-${i}`));
  const started = performance.now();
  try {
    const result = await fc.check(
      fc.asyncProperty(callArb(permits), async (c: FuzzCall) => {
        const o = await perform(world, c);
        const key = `${o.via} ${o.ok ? 'ok' : o.code}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        await afterCall(world, c, o);
      }),
      // Shrinking replays calls on a kiosk the failing run has changed: the first counterexample is kept.
      { numRuns: calls, seed, endOnFailure: true },
    );
    return {
      calls: result.numRuns,
      seconds: (performance.now() - started) / 1000,
      seed,
      answers,
      failure: result.failed ? (fc.defaultReportMessage(result) ?? 'failed') : null,
    };
  } finally {
    await world.close();
  }
}
