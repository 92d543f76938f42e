// The renderer as shipped (vite build) into a fresh temporary folder: for tests and the bench that
// serve it, so that runs side by side never serve a half-written dist/renderer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the renderer into a new folder named with `prefix` under the temporary folder; returns it. */
export function buildRendererInto(prefix: string): string {
  const out = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  return out;
}
