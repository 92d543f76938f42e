// Outbox drain to a local Mosquitto at QoS 1 (contract v2): a Store's numbered outbox drained by the
// Uplink, rows deleted when a receipt covers them (receipts coalesced every 200 ms, as a command centre
// does once a second), beside raw mqtt.js publishing the same messages at QoS 1 to the same broker in
// the same run; then the backlog of one offline day.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { CheckpointConfig } from '../src/contract/checkpoint.js';
import type { UnnumberedEvent } from '../src/contract/mqtt.js';
import { kioskTopic } from '../src/contract/mqtt-topics.js';
import { addPassage, emptySummary, toSummaryPayload } from '../src/contract/summary.js';
import { Outbox } from '../src/store/outbox.js';
import { openStore, type Store } from '../src/store/store.js';
import { Uplink } from '../src/uplink/uplink.js';
import { startMosquitto } from '../test/helpers/mosquitto.js';
import { startReceipter } from '../test/integration/uplink-helpers.js';
import { recordBudget } from './budgets.js';

const checkpoint = CheckpointConfig.parse({
  checkpoint: { id: 'BENCH', district: '01-009', area: '01-009', kind: 'district-entry' },
});
const scope = { district: '01-009', checkpoint: 'BENCH', kiosk: 'L1' };

function denial(atMs: number): UnnumberedEvent {
  return {
    schema: 'ckpt.event/2',
    id: randomUUID(),
    at: new Date(atMs).toISOString(),
    kind: 'denial',
    decision: 'DENY',
    reasons: ['EXPIRED'],
    permit: 'ab'.repeat(32),
    direction: 'in',
    lane: '1',
  };
}

/** A realistic minute: 25 passages across directions, vehicles, purposes and a few reasons. */
function busySummary(windowStartMs: number) {
  const data = emptySummary();
  for (let i = 0; i < 25; i++) {
    const decision = i % 10 === 0 ? 'DENY' : i % 13 === 0 ? 'REVIEW' : 'ALLOW';
    addPassage(data, {
      direction: i % 2 ? 'in' : 'out',
      decision,
      reasons: decision === 'DENY' ? ['EXPIRED'] : decision === 'REVIEW' ? ['ALREADY_INSIDE'] : [],
      letThrough: decision === 'ALLOW',
      purpose: ['work', 'medical', 'goods'][i % 3]!,
      vehicleType: i % 4 ? 'motorbike' : 'car',
      people: i % 4 ? 1 : 2,
    });
  }
  return toSummaryPayload(scope, windowStartMs, 60_000, data);
}

/** Fills the outbox, numbered, in one transaction: setting up is not what is measured. */
function fill(store: Store, rows: { kind: 'summary' | 'event'; payload: object }[]): void {
  const outbox = new Outbox(store.db, store.scope);
  store.db.transaction(() => {
    for (const r of rows) outbox.write(r.kind, r.payload, Date.now());
  })();
}

/** This process's CPU time (user + system), ms: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function drainWithUplink(url: string, store: Store): Promise<number> {
  const rows = store.outboxCount();
  const uplink = new Uplink({
    urls: [url],
    scope,
    clientId: `bench-${randomUUID()}`,
    outbox: store,
    version: 'bench',
    startedAtMs: Date.now(),
    lane: () => '1',
    direction: () => 'in',
  });
  let t0 = 0;
  const done = new Promise<number>((resolve) => {
    uplink.onChange((s) => {
      if (s.connected && t0 === 0) t0 = performance.now();
      if (t0 > 0 && s.backlog === 0) resolve(performance.now() - t0);
    });
  });
  uplink.start();
  const ms = await done;
  await uplink.stop();
  if (store.outboxCount() !== 0) throw new Error(`bench: ${store.outboxCount()} of ${rows} rows left`);
  return ms;
}

/** Raw mqtt.js: the same payloads at QoS 1, all handed over at once, timed to the last PUBACK. */
async function publishRaw(url: string, payloads: { topic: string; payload: string }[]): Promise<number> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, clientId: `raw-${randomUUID()}` });
  const t0 = performance.now();
  await Promise.all(payloads.map((p) => client.publishAsync(p.topic, p.payload, { qos: 1 })));
  const ms = performance.now() - t0;
  await client.endAsync();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchUplinkDrain(n: number, rounds = 5): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-bench-drain-'));
  const broker = await startMosquitto();
  const receipts = await startReceipter(broker.url, {}, 200);
  try {
    const now = Date.now();
    const events = Array.from({ length: n }, (_, i) => ({
      kind: 'event' as const,
      payload: denial(now + i),
    }));
    const raw = events.map((e) => ({
      topic: kioskTopic(scope, 'event'),
      payload: JSON.stringify(e.payload),
    }));
    const uplinkMs: number[] = [];
    const rawMs: number[] = [];
    const uplinkCpu: number[] = [];
    const rawCpu: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const store = openStore(join(dir, `drain-${r}.db`), checkpoint);
      fill(store, events);
      let c0 = cpuMs();
      uplinkMs.push(await drainWithUplink(broker.url, store));
      uplinkCpu.push(cpuMs() - c0);
      store.close();
      c0 = cpuMs();
      rawMs.push(await publishRaw(broker.url, raw));
      rawCpu.push(cpuMs() - c0);
    }
    const uplinkRate = n / (median(uplinkMs) / 1000);
    const rawRate = n / (median(rawMs) / 1000);
    const ratio = uplinkRate / rawRate;
    recordBudget('drainRatio', `${(ratio * 100).toFixed(0)} % of raw`, ratio >= 0.5);
    console.log(
      `  outbox drain (Uplink, ${n} rows, deleted when receipted): ${uplinkRate.toFixed(0)} msg/s (median of ${rounds})`,
    );
    console.log(`  raw mqtt.js QoS 1, same messages, same broker:     ${rawRate.toFixed(0)} msg/s`);
    const perK = (xs: number[]) => ((median(xs) / n) * 1000).toFixed(1);
    console.log(
      `  CPU of this process per 1,000 messages: Uplink ${perK(uplinkCpu)} ms (SQLite reads, deletes, fsync'd commits), raw ${perK(rawCpu)} ms`,
    );
    console.log(
      `  budget: ≥ 5,000 msg/s and ≥ half of raw  →  ${uplinkRate >= 5000 ? 'rate within' : 'rate UNDER'}, ` +
        `${(ratio * 100).toFixed(0)} % of raw (${ratio >= 0.5 ? 'within' : 'UNDER'})`,
    );

    // One offline day: a summary a minute, and 2,000 denial events (Hà Nội's first camera day turned back
    // 2,133 of 9,786 vehicles at 23 checkpoints: ~93 a checkpoint; 2,000 is a busy checkpoint's day).
    const day = openStore(join(dir, 'day.db'), checkpoint);
    const dayStart = Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000;
    const backlog: { kind: 'summary' | 'event'; payload: object }[] = [];
    for (let m = 0; m < 1440; m++) {
      backlog.push({ kind: 'summary', payload: busySummary(dayStart + m * 60_000) });
      const denials = Math.floor(((m + 1) * 2000) / 1440) - Math.floor((m * 2000) / 1440);
      for (let d = 0; d < denials; d++)
        backlog.push({ kind: 'event', payload: denial(dayStart + m * 60_000) });
    }
    fill(day, backlog);
    const dayMs = await drainWithUplink(broker.url, day);
    day.close();
    console.log(
      `  one offline day (1,440 summaries + 2,000 denial events = ${backlog.length} rows) drained in ${(dayMs / 1000).toFixed(2)} s`,
    );
    return {
      drain: `${uplinkRate.toFixed(0)} msg/s`,
      raw: `${rawRate.toFixed(0)} msg/s`,
      ratio: `${(ratio * 100).toFixed(0)} %`,
      day: `${(dayMs / 1000).toFixed(2)} s`,
    };
  } finally {
    await receipts.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
