// Shared fixtures for the store tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointConfig } from '../../src/contract/checkpoint.js';
import type { PassageInput } from '../../src/lane/passage.js';
import { sha256Hex } from '../../src/store/chain.js';

export const checkpoint = CheckpointConfig.parse({
  checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry', lanes: ['1', '2'] },
});

const tempDirs: string[] = [];

export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-store-'));
  tempDirs.push(dir);
  return join(dir, 'kiosk.db');
}

/** Call after closing the stores. */
export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function permitHash(cti: string): string {
  return sha256Hex(`VN-HN-CA/${cti}`);
}

export function passage(over: Partial<PassageInput> = {}, cti = 'P-1'): PassageInput {
  return {
    atMs: Date.UTC(2021, 7, 23, 1, 0, 0),
    lane: '1',
    direction: 'in',
    source: 'serial',
    decision: 'ALLOW',
    reasons: [],
    permit: {
      hash: permitHash(cti),
      iss: 'VN-HN-CA',
      cti,
      holderName: 'Nguyễn Văn An',
      purpose: 'work',
    },
    vehiclePlate: '29A-123.45',
    vehicleType: 'motorbike',
    letThrough: true,
    ...over,
  };
}
