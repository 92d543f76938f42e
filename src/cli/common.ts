// What every sub-command shares: bilingual error reporting and argument parsing.
import { KioskError } from '../contract/errors.js';

export { readTextFile } from '../base/files.js';

/** Prints a bilingual error on stderr and sets exit code 2 (commands share this). */
export function reportCliError(command: string, err: unknown): void {
  if (err instanceof KioskError) {
    process.stderr.write(
      `kiosk ${command}: [${err.code}] ${err.vi}\nkiosk ${command}: [${err.code}] ${err.en}\n`,
    );
  } else {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kiosk ${command}: Lỗi / Error: ${msg}\n`);
  }
  process.exitCode = 2;
}

export function parseClock(value: string, where: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new KioskError(
      'BAD_CLOCK',
      `${where}: thời điểm "${value}" không phải ISO-8601 (vd 2021-09-10T08:00:00+07:00)`,
      `${where}: time "${value}" is not ISO-8601 (e.g. 2021-09-10T08:00:00+07:00)`,
    );
  }
  return ms;
}
