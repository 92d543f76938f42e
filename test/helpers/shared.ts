// The project's shared folder (specs, public test data) stands beside the repository, in CI as here.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR =
  process.env.KIOSK_SHARED_DIR ?? resolve(fileURLToPath(new URL('../../..', import.meta.url)), 'shared');
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);
