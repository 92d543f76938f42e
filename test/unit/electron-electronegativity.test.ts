// Electronegativity on the Electron shell, in CI: every finding is either fixed or justified in
// .electronegativity.json. Its CLI does not start here (it expects commander 2 and finds our commander
// 14), so the test calls its runner, which is what the CLI calls. It scans .ts/.js only: the preload is
// .cts, so the shell is copied with .cts renamed .ts first. A SARIF report goes to test-results/.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

interface Finding {
  id: string;
  file: string;
  location: { line: number };
  description: string;
}
type Runner = (
  options: Record<string, unknown>,
) => Promise<{ issues: Finding[]; errors: Array<{ file: string; message: string; tolerable: boolean }> }>;

interface Justifications {
  input: string;
  excludeChecks: Record<string, string>;
  accepted: Array<{ id: string; file: string; why: string }>;
}

describe('electronegativity', () => {
  it('finds nothing that is not justified in .electronegativity.json', async () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.electronegativity.json'), 'utf8')) as Justifications;
    for (const a of config.accepted) expect(a.why.length, `${a.id} needs a reason`).toBeGreaterThan(40);

    const dir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
    const scanned = join(dir, 'electron');
    cpSync(join(ROOT, config.input), scanned, { recursive: true });
    for (const f of readdirSync(scanned)) {
      if (f.endsWith('.cts')) renameSync(join(scanned, f), join(scanned, f.replace(/\.cts$/, '.ts')));
    }
    mkdirSync(join(ROOT, 'test-results'), { recursive: true });
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    const run = require('@doyensec/electronegativity') as Runner;
    const result = await run({
      input: scanned,
      isRelative: true,
      electronVersionOverride: electronVersion,
      excludeFromScan: Object.keys(config.excludeChecks),
      output: join(ROOT, 'test-results', 'electronegativity.sarif'),
      isSarif: true,
    });
    rmSync(dir, { recursive: true, force: true });

    expect(result.errors.filter((e) => !e.tolerable)).toEqual([]);
    const found = result.issues.map((i) => ({ id: i.id, file: i.file }));
    const isAccepted = (f: { id: string; file: string }) =>
      config.accepted.some((a) => a.id === f.id && a.file === f.file);
    const unexplained = result.issues
      .filter((i) => !isAccepted(i))
      .map((i) => `${i.id} at ${i.file}:${i.location.line}: ${i.description}`);
    expect(unexplained).toEqual([]);
    // A justification whose finding is gone is stale: remove it, so the file stays true.
    const stale = config.accepted.filter((a) => !found.some((f) => f.id === a.id && f.file === a.file));
    expect(stale).toEqual([]);
  }, 60_000);

  it('never calls shell.openExternal (there is no untrusted input it could be given)', () => {
    for (const f of readdirSync(join(ROOT, 'electron'))) {
      expect(readFileSync(join(ROOT, 'electron', f), 'utf8'), f).not.toMatch(/openExternal|openPath/);
    }
  });
});
