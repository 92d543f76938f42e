// Anti-passback across the lanes of one checkpoint with real `kiosk start` processes on Mosquitto: a
// permit let in at lane 1 and handed back over the barrier is refused at lane 2; with lane 1 stopped,
// lane 2 names it as out of contact and "already inside" asks for a check instead of refusing. The
// windows (forgetting after antiPassbackHours, a silent peer) are tested with a moved clock in
// test/integration/shared-history.test.ts; here nothing waits for a time window to pass.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KioskStatus } from '../../src/contract/api.js';
import { makeFolderKeys } from '../fixtures/kiosk-folder.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { type Caller, type KioskProcess, startKioskProcess, until } from './delivery-fixture.js';

let broker: MosquittoHandle;
let lane1: KioskProcess;
let lane2: KioskProcess;
let guard2: Caller;

/** The passages of a permit in a kiosk's log, oldest first. */
function passagesOf(k: KioskProcess, cti: string): { decision: string; reasons: string[] }[] {
  const db = new Database(join(k.dir, 'kiosk.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT decision, reasons FROM passages WHERE cti = ? ORDER BY id').all(cti) as {
      decision: string;
      reasons: string;
    }[];
    return rows.map((r) => ({ decision: r.decision, reasons: JSON.parse(r.reasons) as string[] }));
  } finally {
    db.close();
  }
}

/** How many of the area's other kiosks' passages a kiosk holds. */
function peerPassages(k: KioskProcess): number {
  const db = new Database(join(k.dir, 'kiosk.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM peer_passages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const peersOf = async (call: Caller) => ((await call('status.get')) as KioskStatus).uplink.peers;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false });
  const keys = makeFolderKeys();
  const policy = { antiPassback: 'deny' };
  lane1 = await startKioskProcess({ lane: '1', brokerUrl: broker.url, policy, keys });
  lane2 = await startKioskProcess({ lane: '2', brokerUrl: broker.url, policy, keys });
  await lane1.onDuty();
  guard2 = await lane2.onDuty();
  // Each hears the other's status before the first scan: the shared history is complete.
  await until('lane 2 hearing lane 1', async () => {
    const peers = await peersOf(guard2);
    return peers && peers.watched >= 1 && peers.complete ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await lane1?.stop();
  await lane2?.stop();
  await broker?.stop();
});

describe('shared history between two kiosk processes', () => {
  it('refuses at lane 2 a permit let in at lane 1 and not gone out', async () => {
    const text = lane1.folder.permit('PB-1');
    await lane1.scan(text);
    await until('the passage at lane 1', () => (passagesOf(lane1, 'PB-1').length === 1 ? true : undefined));
    expect(passagesOf(lane1, 'PB-1')).toEqual([{ decision: 'ALLOW', reasons: [] }]);
    await until('lane 2 holding it', () => (peerPassages(lane2) >= 1 ? true : undefined));
    await lane2.scan(text);
    await until('the passage at lane 2', () => (passagesOf(lane2, 'PB-1').length === 1 ? true : undefined));
    expect(passagesOf(lane2, 'PB-1')).toEqual([{ decision: 'DENY', reasons: ['ALREADY_INSIDE'] }]);
  }, 60_000);

  it('with lane 1 stopped, names it and asks for a check instead of refusing', async () => {
    const text = lane1.folder.permit('PB-2');
    await lane1.scan(text);
    await until('lane 2 holding PB-2', () => (peerPassages(lane2) >= 2 ? true : undefined));
    // Stopped as a technician stops it: its goodbye tells the area at once.
    await lane1.stop();
    const peers = await until('lane 2 naming lane 1', async () => {
      const p = await peersOf(guard2);
      return p && !p.complete && p.silent.length > 0 ? p : undefined;
    });
    expect(peers.silent.map((s) => [s.checkpoint, s.lane])).toEqual([['TX-01', '1']]);
    await lane2.scan(text);
    await until('PB-2 at lane 2', () => (passagesOf(lane2, 'PB-2').length === 1 ? true : undefined));
    expect(passagesOf(lane2, 'PB-2')).toEqual([{ decision: 'REVIEW', reasons: ['ALREADY_INSIDE'] }]);
  }, 60_000);
});
