// Power cuts in the normal suite: a short run of the crash test (scripts/crash-test.ts runs 50+).
import { describe, expect, it } from 'vitest';
import { runCrashTest } from './crash-harness.js';

describe('SIGKILL while scans stream in over a pseudo-terminal', () => {
  it('loses no passage whose verdict was shown; the file and the chain stay intact', async () => {
    const lines: string[] = [];
    // A fixed seed: the same bursts and kill points every run (the kiosk's own timing still varies).
    const s = await runCrashTest({
      kills: 5,
      seed: 20_210_910,
      startupKillEvery: 4,
      log: (l) => lines.push(l),
    });
    if (s.failures.length) console.error(lines.join('\n'));
    expect(s.failures).toEqual([]);
    expect(s.kills).toBe(5);
    expect(s.startupKills).toBe(1);
    // Each kill after a start fell while a burst was being judged, once some of its verdicts were shown.
    expect(s.verdictsSeen).toBeGreaterThanOrEqual(s.kills - s.startupKills);
    expect(s.scansWritten).toBeGreaterThan(s.verdictsSeen);
    expect(s.passages).toBeGreaterThanOrEqual(s.verdictsSeen);
  }, 240_000);
});
