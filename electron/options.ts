// How the shell is started: which kiosk.json, the demo's samples, and whether a technician wants a
// normal window instead of the locked full-screen kiosk. Pure, so it is tested without Electron.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface ShellOptions {
  configPath: string;
  demoSamplesFile?: string | undefined;
  /** A normal, closable window (technicians: KIOSK_WINDOWED=1 or --windowed). Kiosk mode otherwise. */
  windowed: boolean;
}

/** Where a device install keeps its configuration (the .deb creates the folder). */
export const SYSTEM_CONFIG = '/etc/checkpoint-kiosk/kiosk.json';

function argValue(argv: readonly string[], name: string): string | undefined {
  const eq = argv.find((a) => a.startsWith(`${name}=`));
  if (eq) return eq.slice(name.length + 1);
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);

/**
 * --config, else KIOSK_CONFIG, else /etc/checkpoint-kiosk/kiosk.json when it exists, else kiosk.json in
 * the app's user-data folder (~/.config/checkpoint-kiosk/).
 */
export function parseShellOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  where: { userData: string; cwd: string; systemConfig?: string; exists?: (p: string) => boolean },
): ShellOptions {
  const exists = where.exists ?? existsSync;
  const system = where.systemConfig ?? SYSTEM_CONFIG;
  const given = argValue(argv, '--config') ?? env.KIOSK_CONFIG;
  const configPath = given
    ? resolve(where.cwd, given)
    : exists(system)
      ? system
      : join(where.userData, 'kiosk.json');
  const samples = argValue(argv, '--demo-samples');
  return {
    configPath,
    demoSamplesFile: samples ? resolve(where.cwd, samples) : undefined,
    windowed: argv.includes('--windowed') || TRUE.has((env.KIOSK_WINDOWED ?? '').toLowerCase()),
  };
}
