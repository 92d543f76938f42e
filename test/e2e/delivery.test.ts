// Contract v2's promise with real processes (spec/mqtt.md "Delivery guarantee"): Mosquitto with
// `persistence false` and `max_queued_messages 100` (its defaults forget and drop), two `kiosk start`
// processes of one checkpoint reading socat scanners, and `kiosk command-centre` processes. The command
// centre's totals must equal the kiosks' own logs whatever the brokers and the command centre do.
// Nothing here sleeps to cross a time window: every wait is for a condition.

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/contract/keys.js';
import { issuePermit } from '../../src/formats/vnp1-issue.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import {
  addTotals,
  type CommandCentreProcess,
  type KioskProcess,
  startCommandCentreProcess,
  startKioskProcess,
  type Totals,
  until,
} from './delivery-fixture.js';

const forger = generateKeyPair();
let broker: MosquittoHandle;
let lanes: KioskProcess[] = [];
const centres: CommandCentreProcess[] = [];
const ccDb = join(tmpdir(), `cc-delivery-${randomUUID()}.db`);
let serial = 0;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100' });
  lanes = await Promise.all(['1', '2'].map((lane) => startKioskProcess({ lane, brokerUrl: broker.url })));
}, 120_000);

afterAll(async () => {
  for (const c of centres) await c.stop();
  for (const k of lanes) await k.stop();
  await broker?.stop();
  for (const k of lanes) rmSync(k.dir, { recursive: true, force: true });
  rmSync(ccDb, { force: true });
});

/** Valid permits (ALLOW) and forged ones (DENY, UNKNOWN_ISSUER) through the lane's real scanner. */
async function scanAt(k: KioskProcess, valid: number, forged: number): Promise<void> {
  const texts: string[] = [];
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < valid; i++) texts.push(k.folder.permit(`D-${k.lane}-${serial++}`));
  for (let i = 0; i < forged; i++) {
    texts.push(
      issuePermit(
        {
          iss: '01-009',
          cti: `F-${k.lane}-${serial++}`,
          iat: now - 60,
          exp: now + 3600,
          permit: {
            v: 1,
            k: 'travel',
            nam: 'Lê Văn Giả',
            idn: '001085009999',
            pur: 'work',
            areas: ['01-009'],
          },
        },
        forger.privatePem,
      ),
    );
  }
  await k.scan(...texts);
}

/** Waits until the kiosk's log holds n passages. */
async function recorded(k: KioskProcess, n: number): Promise<void> {
  await until(`lane ${k.lane}: ${n} passages`, () => {
    const t = k.logTotals();
    const total = Object.values(t.in)
      .concat(Object.values(t.out))
      .reduce((a, b) => a + b, 0);
    return total - t.in.overridden - t.out.overridden >= n || undefined;
  });
}

interface CheckpointRow {
  district: string;
  checkpoint: string;
  total: Totals;
  kiosks?: { kiosk: string; total: Totals }[];
}

async function checkpointTotals(cc: CommandCentreProcess): Promise<CheckpointRow | undefined> {
  const body = (await cc.totals()) as { checkpoints?: CheckpointRow[] } | CheckpointRow[];
  const rows = Array.isArray(body) ? body : (body.checkpoints ?? []);
  return rows.find((r) => r.checkpoint === 'TX-01');
}

function expected(): Totals {
  return lanes.map((k) => k.logTotals()).reduce(addTotals);
}

/** The shift ends on both lanes: their open summary windows are sent at once. */
async function endShifts(calls: ((m: string, p?: unknown) => Promise<unknown>)[]): Promise<void> {
  for (const call of calls) await call('shift.close', { notes: '' });
}

async function exact(cc: CommandCentreProcess): Promise<void> {
  const want = expected();
  const got = await until(
    'the command centre totals to equal the logs',
    async () => {
      const row = await checkpointTotals(cc);
      return row && JSON.stringify(row.total) === JSON.stringify({ ...row.total, ...want }) ? row : undefined;
    },
    90_000,
  ).catch(async (err) => {
    throw new Error(
      `${(err as Error).message}: want ${JSON.stringify(want)}, got ${JSON.stringify(await checkpointTotals(cc))}`,
    );
  });
  expect(got.total).toMatchObject(want);
}

describe('delivery on contract v2, real processes', () => {
  it('two lanes of one checkpoint scanning at once: the totals are exact', async () => {
    const cc = await startCommandCentreProcess({ brokerUrl: broker.url, db: ccDb, clientId: 'cc-a' });
    centres.push(cc);
    const guards = await Promise.all(lanes.map((k) => k.onDuty()));
    await Promise.all([scanAt(lanes[0]!, 6, 2), scanAt(lanes[1]!, 6, 1)]);
    await recorded(lanes[0]!, 8);
    await recorded(lanes[1]!, 7);
    await endShifts(guards);
    await exact(cc);
    const row = await checkpointTotals(cc);
    expect(row?.kiosks?.map((k) => k.kiosk).sort()).toEqual(['L1', 'L2']);
  }, 180_000);

  it('the command centre down over many windows, the broker restarted, a kiosk restarted: exact, nothing twice', async () => {
    const cc = centres.pop()!;
    await cc.stop();
    for (let round = 0; round < 3; round++) {
      const guards = await Promise.all(lanes.map((k) => k.onDuty()));
      const before = lanes.map((k) => k.logTotals());
      await Promise.all([scanAt(lanes[0]!, 4, 1), scanAt(lanes[1]!, 3, 2)]);
      const count = (t: Totals) =>
        Object.values(t.in)
          .concat(Object.values(t.out))
          .reduce((a, b) => a + b, 0) -
        t.in.overridden -
        t.out.overridden;
      await recorded(lanes[0]!, count(before[0]!) + 5);
      await recorded(lanes[1]!, count(before[1]!) + 5);
      await endShifts(guards);
      if (round === 1) await broker.restart(); // persistence false: whatever it queued is gone
    }
    await lanes[1]!.restart();
    const back = await startCommandCentreProcess({ brokerUrl: broker.url, db: ccDb, clientId: 'cc-a' });
    centres.push(back);
    await exact(back);
  }, 240_000);

  it('an aggregator SIGKILLed mid-burst while a second shares the subscription: exact', async () => {
    const b = await startCommandCentreProcess({ brokerUrl: broker.url, db: ccDb, clientId: 'cc-b' });
    centres.push(b);
    const a = centres[0]!;
    const guards = await Promise.all(lanes.map((k) => k.onDuty()));
    const burst = Promise.all([scanAt(lanes[0]!, 20, 5), scanAt(lanes[1]!, 20, 5)]);
    await a.kill();
    centres.shift();
    await burst;
    await endShifts(guards);
    await exact(b);
  }, 240_000);
});
