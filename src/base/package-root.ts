// Where the package lives on disk, found the same way from src/ (tsx) and dist/src/ (compiled).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Our package.json, in a checkout or in the packaged Electron app (which carries no sources). */
function isOurPackage(dir: string): boolean {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'checkpoint-kiosk';
  } catch {
    return false;
  }
}

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (isOurPackage(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
export const RENDERER_DIR = join(PACKAGE_ROOT, 'dist', 'renderer');
