// Files that hold secrets (the ID-number key, the browser host's TLS key): readable by the kiosk's user
// only. One readable by others is refused, not used: it may already have been copied.
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { KioskError } from '../contract/errors.js';

/** Owner read/write only. */
export const PRIVATE_MODE = 0o600;

/**
 * Throws unless `path` is a regular file that neither group nor others may read or write and that the
 * kiosk's own user owns. Windows has no such modes: there the folder's ACL is the technician's.
 */
export function checkPrivateFile(path: string, whatVi: string, whatEn: string): void {
  const st = statSync(path);
  if (!st.isFile()) {
    throw new KioskError(
      'SECRET_FILE_INVALID',
      `${whatVi} ${path} không phải tệp`,
      `${whatEn} ${path} is not a file`,
    );
  }
  if (process.platform === 'win32') return;
  const mode = (st.mode & 0o777).toString(8).padStart(3, '0');
  if ((st.mode & 0o077) !== 0) {
    throw new KioskError(
      'SECRET_FILE_EXPOSED',
      `${whatVi} ${path} có quyền ${mode}: người khác đọc được. Chạy: chmod 600 ${path} (và coi như khoá đã lộ nếu máy có người dùng khác)`,
      `${whatEn} ${path} has mode ${mode}: others can read it. Run: chmod 600 ${path} (and treat the key as exposed if other users share the machine)`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new KioskError(
      'SECRET_FILE_EXPOSED',
      `${whatVi} ${path} thuộc người dùng khác (uid ${st.uid}), không phải người dùng của máy (uid ${uid})`,
      `${whatEn} ${path} belongs to another user (uid ${st.uid}), not the kiosk's (uid ${uid})`,
    );
  }
}

/** The file's bytes after checkPrivateFile, or null when it does not exist. */
export function readPrivateFile(path: string, whatVi: string, whatEn: string): Buffer | null {
  try {
    checkPrivateFile(path, whatVi, whatEn);
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof KioskError) throw err;
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNREADABLE',
      `Không đọc được ${whatVi} ${path} (${why})`,
      `Cannot read ${whatEn} ${path} (${why})`,
    );
  }
}

/**
 * Writes a secret durably with mode 0600 from its creation (never a moment world-readable): a new
 * file beside it, fsync'd, renamed over `path`, the folder fsync'd. `exclusive` refuses to replace
 * an existing file (two first starts must not make two keys).
 */
export function writePrivateFile(
  path: string,
  data: string | Buffer,
  opts: { exclusive?: boolean; whatVi?: string; whatEn?: string } = {},
): void {
  const whatVi = opts.whatVi ?? 'tệp bí mật';
  const whatEn = opts.whatEn ?? 'secret file';
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', PRIVATE_MODE);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.exclusive) linkNew(tmp, path);
    else renameSync(tmp, path);
    syncFolder(dirname(path));
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    if (err instanceof KioskError) throw err;
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      why === 'EEXIST' ? 'FILE_EXISTS' : 'FILE_UNWRITABLE',
      `Không ghi được ${whatVi} ${path} (${why})`,
      `Cannot write ${whatEn} ${path} (${why})`,
    );
  }
}

/**
 * Puts the finished file at `path` only if nothing is there: a hard link fails with EEXIST, and a kill
 * at any moment leaves either no file or the whole one (never an empty key). File systems without
 * hard links (FAT on a USB stick) get a check then a rename.
 */
function linkNew(tmp: string, path: string): void {
  try {
    linkSync(tmp, path);
    unlinkSync(tmp);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (existsSync(path)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    renameSync(tmp, path);
  }
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  }
}
