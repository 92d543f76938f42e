// Power cuts in the normal suite: a short run of the crash test (scripts/crash-test.ts runs 50+).
import { describe, expect, it } from 'vitest';
import { runCrashTest } from './crash-harness.js';

describe('SIGKILL while scans stream in over a pseudo-terminal', () => {
  it('loses no passage whose verdict was shown; the file and the chain stay intact', async () => {
    const lines: string[] = [];
    const s = await runCrashTest({ kills: 5, startupKillEvery: 4, log: (l) => lines.push(l) });
    if (s.failures.length) console.error(lines.join('\n'));
    expect(s.failures).toEqual([]);
    expect(s.kills).toBe(5);
    expect(s.startupKills).toBe(1);
    // The kills fell while verdicts were flowing, not only between scans.
    expect(s.verdictsSeen).toBeGreaterThan(20);
    expect(s.passages).toBeGreaterThanOrEqual(s.verdictsSeen);
  }, 240_000);
});
