// The search index follower after a power cut: a real process records passages in bursts and is killed
// with SIGKILL in the middle of one; reopened, the follower resumes from the progress it stored and,
// within a second of the kiosk's clock, every committed passage is found by name, plate, ID number and
// the ID number's last four digits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PassageSearch } from '../../src/audit/search.js';
import { CheckpointConfig } from '../../src/contract/checkpoint.js';
import { idnKeyLocation, openIdnKey } from '../../src/store/idn-key-file.js';
import { FOLLOW_DELAY_MS } from '../../src/store/search-index.js';
import { openStore } from '../../src/store/store.js';
import { FakeClock } from '../fixtures/clock.js';
import { burstIdn, burstName, burstPlate } from '../fixtures/search-burst.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = join(ROOT, 'test/fixtures/search-burst-child.ts');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the child until it has committed at least `atLeast` passages, then SIGKILLs it mid-burst. */
function recordThenKill(database: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, database], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) seen = Math.max(seen, Number(l) || 0);
      if (seen >= atLeast && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`child exited ${code}: ${stderr}`));
    });
  });
}

describe('search index follower after SIGKILL', () => {
  it('resumes from its stored progress: every committed passage is searchable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-search-crash-'));
    dirs.push(dir);
    const database = join(dir, 'kiosk.db');
    const reported = await recordThenKill(database, 1200);

    const start = Date.now();
    const clock = new FakeClock(start);
    const store = openStore(
      database,
      CheckpointConfig.parse({
        checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
      }),
      { timers: clock },
    );
    try {
      const idn = openIdnKey(store.db, idnKeyLocation({ database })).key;
      store.attachIdn(idn);
      const committed = (store.db.prepare('SELECT MAX(id) AS n FROM passages').get() as { n: number }).n;
      // Every passage whose commit the child reported, and perhaps a few of the burst it was killed in.
      expect(committed).toBeGreaterThanOrEqual(reported);
      expect(store.verifyChain()).toBeNull();
      // The follower catches up on its own, within a second, without a search asking it to.
      clock.advance(FOLLOW_DELAY_MS);
      while (clock.pending > 0) clock.advance(1);
      expect(store.searchIndex.behind()).toBe(0);
      const unindexed = store.db.prepare('SELECT count(*) AS n FROM passages WHERE indexed = 0').get() as {
        n: number;
      };
      expect(unindexed.n).toBe(0);
      expect(clock.now() - start).toBeLessThanOrEqual(1000);

      const search = new PassageSearch(store.db, idn);
      const finds = (filters: Parameters<PassageSearch['search']>[0], id: number) =>
        search.search(filters, 100).rows.some((r) => r.id === id);
      const missing: string[] = [];
      for (let i = 1; i <= committed; i++) {
        const full = burstIdn(i);
        if (!finds({ name: burstName(i) }, i)) missing.push(`name ${i}`);
        if (!finds({ plate: burstPlate(i) }, i)) missing.push(`plate ${i}`);
        if (!finds({ idn: full }, i)) missing.push(`idn ${i}`);
        if (!finds({ idn: full.slice(-4) }, i)) missing.push(`last-4 ${i}`);
      }
      expect(missing).toEqual([]);
    } finally {
      store.close();
    }
  }, 60_000);
});
