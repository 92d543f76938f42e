// Secret files (the ID-number key, the HTTPS key): 0600 from creation, an exclusive create that never
// leaves an empty or half-written file, and refusal of a file others can read.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPrivateFile, writePrivateFile } from '../../src/base/secret-file.js';
import { KioskError } from '../../src/contract/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function code(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (err) {
    return err instanceof KioskError ? err.code : String(err);
  }
}

describe('secret files', () => {
  it('are created 0600; an exclusive create refuses an existing file and leaves nothing behind', () => {
    const f = join(dir, 'k1');
    writePrivateFile(f, 'first', { exclusive: true });
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(code(() => writePrivateFile(f, 'second', { exclusive: true }))).toBe('FILE_EXISTS');
    expect(readFileSync(f, 'utf8')).toBe('first');
    writePrivateFile(f, 'third');
    expect(readFileSync(f, 'utf8')).toBe('third');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('are read only when nobody else may read them', () => {
    const f = join(dir, 'k2');
    writePrivateFile(f, 'secret');
    expect(readPrivateFile(f, 'khoá', 'key')?.toString()).toBe('secret');
    chmodSync(f, 0o604);
    expect(code(() => readPrivateFile(f, 'khoá', 'key'))).toBe('SECRET_FILE_EXPOSED');
    expect(readPrivateFile(join(dir, 'none'), 'khoá', 'key')).toBeNull();
    mkdirSync(join(dir, 'folder'));
    expect(code(() => readPrivateFile(join(dir, 'folder'), 'khoá', 'key'))).toBe('SECRET_FILE_INVALID');
  });
});
