// A fleet of simulated kiosks for load tests and demos, on the contract v2: several kiosks per
// checkpoint (`kiosksPerCheckpoint`), each with its own connection, instance, seq, retained status and
// Last Will (fleet-kiosk.ts). It honours receipts: when it ends it waits until the command centre's
// receipts cover every message, so its totals and the command centre's can be compared exactly.
import type { IClientOptions } from 'mqtt';
import { seededRandom } from '../../src/base/prng.js';
import areas from '../../src/contract/hanoi-areas-2021.json' with { type: 'json' };
import { SimKiosk, type SimKioskTotals } from './fleet-kiosk.js';
import { addTotals } from './rows.js';
import { emptyTotals, type Totals } from './types.js';

export type { SimKioskTotals } from './fleet-kiosk.js';

export const DISTRICTS: readonly string[] = (areas as { districts: { code: string }[] }).districts.map(
  (d) => d.code,
);

export interface FleetOptions {
  urls: string[];
  /** Checkpoints. */
  count: number;
  /** Kiosks at each checkpoint (default 1): kiosk ids L1, L2…, on lanes 1, 2… */
  kiosksPerCheckpoint?: number;
  /** Scans per second per kiosk (may be fractional). */
  rate: number;
  /** Seconds; 0 runs until `signal` aborts. */
  durationS: number;
  windowS?: number;
  /** Checkpoint ids are `{prefix}-0001`… */
  prefix?: string;
  username?: string;
  password?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  seed?: number;
  /** How kiosks leave: a retained goodbye status, or a dropped socket so the broker sends each Will. */
  end?: 'goodbye' | 'will';
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** How long to wait, at the end, for receipts to cover every message (default 60 s). */
  drainTimeoutMs?: number;
  /** A message not receipted this long after it was published is published again (default 60 s). */
  receiptTimeoutMs?: number;
  /** Publish a `ckpt.passage/1` for every scan, as kiosks do (default true). */
  passages?: boolean;
}

export interface FleetResult {
  kiosks: SimKioskTotals[];
  total: {
    checkpoints: number;
    kiosks: number;
    scans: number;
    summaries: number;
    events: number;
    passages: number;
    /** Numbered messages written: summaries, events and passages. */
    messages: number;
    republished: number;
    total: Totals;
  };
  /** Messages no receipt covered when the fleet stopped: non-zero means the totals are not all held. */
  undelivered: number;
}

const TICK_MS = 100;
const HEARTBEAT_MS = 30_000;

/** The fleet's kiosks, not yet connected: checkpoint i of the districts in turn, each with its lanes. */
export function fleetKiosks(o: {
  count: number;
  kiosksPerCheckpoint?: number;
  prefix?: string;
  seed?: number;
  windowMs: number;
  receiptTimeoutMs?: number;
  passages?: boolean;
  now: () => number;
}): SimKiosk[] {
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  const perCheckpoint = o.kiosksPerCheckpoint ?? 1;
  const options = {
    windowMs: o.windowMs,
    receiptTimeoutMs: o.receiptTimeoutMs ?? 60_000,
    passages: o.passages ?? true,
    now: o.now,
  };
  const out: SimKiosk[] = [];
  for (let i = 0; i < o.count; i++) {
    const district = DISTRICTS[i % DISTRICTS.length]!;
    const checkpoint = `${o.prefix ?? 'SIM'}-${String(i + 1).padStart(4, '0')}`;
    for (let lane = 1; lane <= perCheckpoint; lane++) {
      const scope = { district, checkpoint, kiosk: `L${lane}` };
      out.push(new SimKiosk(scope, String(lane), seededRandom(seed + i * 64 + lane), options));
    }
  }
  return out;
}

export function mqttBase(
  o: Pick<FleetOptions, 'username' | 'password' | 'ca' | 'cert' | 'key'>,
): IClientOptions {
  return {
    protocolVersion: 5,
    clean: true,
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: 30_000,
    ...(o.username !== undefined && { username: o.username }),
    ...(o.password !== undefined && { password: o.password }),
    ...(o.ca !== undefined && { ca: o.ca, rejectUnauthorized: true }),
    ...(o.cert !== undefined && { cert: o.cert }),
    ...(o.key !== undefined && { key: o.key }),
  };
}

/** Connects in batches: a few hundred simultaneous TLS handshakes would only slow each other down. */
export async function connectFleet(kiosks: SimKiosk[], urls: string[], base: IClientOptions): Promise<void> {
  try {
    for (let i = 0; i < kiosks.length; i += 50) {
      await Promise.all(kiosks.slice(i, i + 50).map((k, j) => k.connect(urls[(i + j) % urls.length]!, base)));
    }
  } catch (err) {
    for (const k of kiosks) k.client?.end(true);
    throw err;
  }
}

/** Sums what every kiosk counted. */
export function fleetTotal(kiosks: SimKiosk[]): FleetResult['total'] {
  const total = {
    checkpoints: new Set(kiosks.map((k) => `${k.scope.district}/${k.scope.checkpoint}`)).size,
    kiosks: kiosks.length,
    scans: 0,
    summaries: 0,
    events: 0,
    passages: 0,
    messages: 0,
    republished: 0,
    total: emptyTotals(),
  };
  for (const { totals: t } of kiosks) {
    total.scans += t.scans;
    total.summaries += t.summaries;
    total.events += t.events;
    total.passages += t.passages;
    total.messages += t.lastSeq;
    total.republished += t.republished;
    addTotals(total.total, t.total);
  }
  return total;
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  if (o.urls.length === 0) throw new Error('no broker URL');
  const windowMs = Math.round((o.windowS ?? 60) * 1000);
  const progress = o.onProgress ?? (() => {});
  const kiosks = fleetKiosks({ ...o, windowMs, now: Date.now });
  await connectFleet(kiosks, o.urls, mqttBase(o));
  progress(`${kiosks.length} kiosks connected`);

  const started = Date.now();
  const credit = kiosks.map((_, i) => (i % 10) / 10);
  let last = started;
  let lastHeartbeat = started;
  let draining = false;
  let drainDeadline = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      kiosks.forEach((k, i) => {
        let scans = 0;
        if (!draining) {
          credit[i]! += (o.rate * (now - last)) / 1000;
          scans = Math.floor(credit[i]!);
          credit[i]! -= scans;
        }
        k.tick(now, scans);
      });
      last = now;
      if (now - lastHeartbeat >= HEARTBEAT_MS) {
        lastHeartbeat = now;
        for (const k of kiosks) k.publishStatus();
      }
      if (!draining && ((o.durationS > 0 && now - started >= o.durationS * 1000) || o.signal?.aborted)) {
        // The last windows close early; then only receipts are awaited (and late ones republished).
        draining = true;
        drainDeadline = now + (o.drainTimeoutMs ?? 60_000);
        for (const k of kiosks) k.flushWindow();
        for (const k of kiosks) k.publishStatus();
      }
      if (draining && (kiosks.every((k) => k.unreceipted === 0) || now >= drainDeadline)) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });

  await Promise.all(kiosks.map((k) => k.leave(o.end ?? 'goodbye').catch(() => {})));
  const total = fleetTotal(kiosks);
  const undelivered = kiosks.reduce((n, k) => n + k.totals.unreceipted, 0);
  progress(
    `${total.scans} scans, ${total.messages} messages (${total.summaries} summaries, ${total.events} events, ` +
      `${total.passages} passages), ${total.republished} republished; unreceipted ${undelivered}`,
  );
  return { kiosks: kiosks.map((k) => k.totals), total, undelivered };
}
