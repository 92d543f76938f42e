// A fleet of simulated kiosks for load tests and demos: each has its own MQTT connection, retained
// birth status and Last Will, summaries per clock-aligned window and events for denials and overrides,
// built with the kiosk's own summary code so the payloads are exactly a kiosk's. No SQLite outbox: the
// simulator counts what it published and waits for every PUBACK, so its totals are exact when it ends.
import { randomUUID } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { seededRandom } from '../../src/base/prng.js';
import areas from '../../src/contract/hanoi-areas-2021.json' with { type: 'json' };
import type {
  EventPayload,
  OfflineStatusPayload,
  StatusPayload,
  SummaryVehicle,
} from '../../src/contract/mqtt.js';
import { kioskTopic, type TopicScope } from '../../src/contract/mqtt-topics.js';
import type { Decision, Direction, ReasonCode } from '../../src/contract/reasons.js';
import { PURPOSES } from '../../src/contract/reasons.js';
import {
  addPassage,
  emptySummary,
  type SummaryData,
  toSummaryPayload,
  windowStartOf,
} from '../../src/contract/summary.js';
import { emptyTotals, type Totals } from './types.js';

export const DISTRICTS: readonly string[] = (areas as { districts: { code: string }[] }).districts.map(
  (d) => d.code,
);

export interface FleetOptions {
  urls: string[];
  count: number;
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
  /** How long to wait for the last PUBACKs (default 60 s). */
  drainTimeoutMs?: number;
}

export interface SimKioskTotals {
  district: string;
  checkpoint: string;
  scans: number;
  total: Totals;
  summaries: number;
  events: number;
}

export interface FleetResult {
  kiosks: SimKioskTotals[];
  total: { kiosks: number; scans: number; summaries: number; events: number; total: Totals };
  /** Publishes without a PUBACK when the fleet stopped: non-zero means the totals are not delivered. */
  undelivered: number;
}

const TICK_MS = 100;
const DENY_REASONS: ReasonCode[] = [
  'EXPIRED',
  'AREA_NOT_PERMITTED',
  'REVOKED',
  'UNKNOWN_ISSUER',
  'ORIGIN_HIGH_RISK',
  'OUTSIDE_HOURS',
];
const REVIEW_REASONS: ReasonCode[] = ['ALREADY_INSIDE', 'VEHICLE_MISMATCH'];

class SimKiosk {
  readonly scope: TopicScope;
  readonly totals: SimKioskTotals;
  client: MqttClient | null = null;
  pending = 0;
  failed = 0;
  private credit: number;
  private windowStart = -1;
  private window: SummaryData = emptySummary();
  private windowHasData = false;
  private readonly startedAt = new Date().toISOString();
  private lastScanAt: string | null = null;

  constructor(
    district: string,
    checkpoint: string,
    private readonly random: () => number,
    private readonly windowMs: number,
  ) {
    this.scope = { district, checkpoint };
    this.totals = { district, checkpoint, scans: 0, total: emptyTotals(), summaries: 0, events: 0 };
    this.credit = random();
  }

  connect(url: string, base: IClientOptions): Promise<void> {
    const will: OfflineStatusPayload = {
      schema: 'ckpt.status/1',
      online: false,
      at: new Date().toISOString(),
    };
    const client = connect(url, {
      ...base,
      clientId: `sim-${this.scope.district}-${this.scope.checkpoint}`,
      will: {
        topic: kioskTopic(this.scope, 'status'),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on('connect', () => this.publishStatus());
    client.on('error', () => {});
    return new Promise((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  publishStatus(): void {
    const status: StatusPayload = {
      schema: 'ckpt.status/1',
      online: true,
      at: new Date().toISOString(),
      version: 'simulated',
      startedAt: this.startedAt,
      scanner: 'ok',
      uplinkBacklog: this.pending,
      clockSkewMs: 0,
      shift: null,
      lastScanAt: this.lastScanAt,
    };
    this.client?.publish(kioskTopic(this.scope, 'status'), JSON.stringify(status), { qos: 1, retain: true });
  }

  /** Advances by dt ms of simulated traffic at `rate` scans/s. */
  tick(nowMs: number, rate: number, dtMs: number): void {
    this.closeWindowIfDue(nowMs);
    this.credit += (rate * dtMs) / 1000;
    while (this.credit >= 1) {
      this.credit -= 1;
      this.scan(nowMs);
    }
  }

  private scan(nowMs: number): void {
    const r = this.random;
    const direction: Direction = r() < 0.5 ? 'in' : 'out';
    const p = r();
    const decision: Decision = p < 0.85 ? 'ALLOW' : p < 0.95 ? 'DENY' : 'REVIEW';
    const reasons: ReasonCode[] =
      decision === 'DENY'
        ? [DENY_REASONS[Math.floor(r() * DENY_REASONS.length)]!]
        : decision === 'REVIEW'
          ? [REVIEW_REASONS[Math.floor(r() * REVIEW_REASONS.length)]!]
          : [];
    const overridden = decision === 'REVIEW' ? r() < 0.5 : decision === 'DENY' && r() < 0.02;
    const v = r();
    const vehicle: SummaryVehicle =
      v < 0.6 ? 'motorbike' : v < 0.75 ? 'car' : v < 0.8 ? 'truck' : v < 0.85 ? 'bicycle' : 'none';
    const people = vehicle === 'car' ? 1 + Math.floor(r() * 4) : 1;
    const purpose = PURPOSES[Math.floor(r() * PURPOSES.length)]!;
    this.closeWindowIfDue(nowMs);
    addPassage(this.window, {
      direction,
      decision,
      reasons,
      letThrough: decision === 'ALLOW' || overridden,
      purpose,
      vehicleType: vehicle,
      people,
    });
    this.windowHasData = true;
    const t = this.totals.total;
    const dir = t[direction];
    if (decision === 'ALLOW') dir.allowed++;
    else if (decision === 'DENY') dir.denied++;
    else dir.review++;
    if (decision !== 'ALLOW' && overridden) dir.overridden++;
    t.people += people;
    this.totals.scans++;
    this.lastScanAt = new Date(nowMs).toISOString();
    if (decision === 'DENY' || overridden) {
      const kind: EventPayload['kind'] = overridden
        ? 'override'
        : reasons.includes('REVOKED')
          ? 'revoked-presented'
          : reasons.includes('UNKNOWN_ISSUER')
            ? 'unknown-issuer'
            : 'denial';
      const event: EventPayload = {
        schema: 'ckpt.event/1',
        id: randomUUID(),
        at: this.lastScanAt,
        kind,
        decision,
        reasons,
        permit: Array.from({ length: 8 }, () =>
          Math.floor(r() * 2 ** 32)
            .toString(16)
            .padStart(8, '0'),
        ).join(''),
        direction,
        lane: '1',
      };
      this.send('event', event);
      this.totals.events++;
    }
  }

  private closeWindowIfDue(nowMs: number): void {
    const start = windowStartOf(nowMs, this.windowMs);
    if (start === this.windowStart) return;
    this.flushWindow();
    this.windowStart = start;
  }

  /** Publishes the open window's summary (at its end, or early when the fleet stops). */
  flushWindow(): void {
    if (this.windowHasData) {
      this.send('summary', toSummaryPayload(this.scope, this.windowStart, this.windowMs, this.window));
      this.totals.summaries++;
    }
    this.window = emptySummary();
    this.windowHasData = false;
  }

  private send(kind: 'summary' | 'event', payload: object): void {
    const client = this.client;
    if (!client) return;
    this.pending++;
    client.publish(kioskTopic(this.scope, kind), JSON.stringify(payload), { qos: 1 }, (err) => {
      this.pending--;
      if (err) this.failed++;
    });
  }

  async leave(how: 'goodbye' | 'will'): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (how === 'will') {
      // Like a kiosk losing power: the socket just goes, and the broker publishes the Will.
      client.stream.destroy();
      await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
      return;
    }
    const bye: OfflineStatusPayload = {
      schema: 'ckpt.status/1',
      online: false,
      at: new Date().toISOString(),
    };
    await client.publishAsync(kioskTopic(this.scope, 'status'), JSON.stringify(bye), {
      qos: 1,
      retain: true,
    });
    await client.endAsync();
  }
}

function sumTotals(into: Totals, t: Totals): void {
  for (const dir of ['in', 'out'] as const) {
    for (const k of ['allowed', 'denied', 'review', 'overridden'] as const) into[dir][k] += t[dir][k];
  }
  into.people += t.people;
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  if (o.urls.length === 0) throw new Error('no broker URL');
  const windowMs = Math.round((o.windowS ?? 60) * 1000);
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 32);
  const prefix = o.prefix ?? 'SIM';
  const progress = o.onProgress ?? (() => {});
  const kiosks = Array.from({ length: o.count }, (_, i) => {
    const district = DISTRICTS[i % DISTRICTS.length]!;
    return new SimKiosk(
      district,
      `${prefix}-${String(i + 1).padStart(4, '0')}`,
      seededRandom(seed + i),
      windowMs,
    );
  });
  const base: IClientOptions = {
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
  // Connect in batches: a few hundred simultaneous TLS handshakes would only slow each other down.
  try {
    for (let i = 0; i < kiosks.length; i += 50) {
      await Promise.all(
        kiosks.slice(i, i + 50).map((k, j) => k.connect(o.urls[(i + j) % o.urls.length]!, base)),
      );
    }
  } catch (err) {
    for (const k of kiosks) k.client?.end(true);
    throw err;
  }
  progress(`${kiosks.length} kiosks connected`);

  const started = Date.now();
  await new Promise<void>((resolve) => {
    let last = Date.now();
    let lastHeartbeat = last;
    const timer = setInterval(() => {
      const now = Date.now();
      for (const k of kiosks) k.tick(now, o.rate, now - last);
      last = now;
      if (now - lastHeartbeat >= 30_000) {
        lastHeartbeat = now;
        for (const k of kiosks) k.publishStatus();
      }
      const done = o.durationS > 0 && now - started >= o.durationS * 1000;
      if (done || o.signal?.aborted) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });

  for (const k of kiosks) k.flushWindow();
  const deadline = Date.now() + (o.drainTimeoutMs ?? 60_000);
  while (kiosks.some((k) => k.pending > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const undelivered = kiosks.reduce((n, k) => n + k.pending + k.failed, 0);
  await Promise.all(kiosks.map((k) => k.leave(o.end ?? 'goodbye').catch(() => {})));

  const total = { kiosks: kiosks.length, scans: 0, summaries: 0, events: 0, total: emptyTotals() };
  for (const k of kiosks) {
    total.scans += k.totals.scans;
    total.summaries += k.totals.summaries;
    total.events += k.totals.events;
    sumTotals(total.total, k.totals.total);
  }
  progress(
    `${total.scans} scans, ${total.summaries} summaries, ${total.events} events; undelivered ${undelivered}`,
  );
  return { kiosks: kiosks.map((k) => k.totals), total, undelivered };
}
