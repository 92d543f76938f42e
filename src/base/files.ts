import { readFileSync } from 'node:fs';
import { KioskError } from '../contract/errors.js';

/** Reads a text file named in the configuration or on the command line, with a bilingual error. */
export function readTextFile(path: string, whatVi: string, whatEn: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new KioskError(
      'FILE_UNREADABLE',
      `Không đọc được ${whatVi} ${path} (${why})`,
      `Cannot read ${whatEn} ${path} (${why})`,
    );
  }
}
