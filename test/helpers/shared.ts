// The public conformance data the tests read (VNP1 vectors, the EU's dgc-testdata with its licence),
// copied from the project's shared folder into test/shared so a clone tests on its own.
// KIOSK_SHARED_DIR points the tests at another copy, e.g. a newer shared folder.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR =
  process.env.KIOSK_SHARED_DIR ?? resolve(fileURLToPath(new URL('..', import.meta.url)), 'shared');
export const sharedPath = (...parts: string[]): string => join(SHARED_DIR, ...parts);
