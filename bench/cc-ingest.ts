// The command centre's aggregator on a local Mosquitto: how many kiosk messages per second one
// aggregator stores (each (instance, seq) checked and added to the ranges held, in fsync'd commits, then
// acknowledged and receipted) on SQLite, on PostgreSQL, and two aggregators sharing PostgreSQL, in one
// run; and how soon after its commit a kiosk holds the receipt covering a message.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Ledger } from '../command-centre/server/ledger.js';
import {
  type RunningCentre,
  startCommandCentre,
  startCommandCentreOn,
} from '../command-centre/server/run.js';
import type { EventPayload, SummaryPayload } from '../src/contract/mqtt.js';
import { kioskTopic, receiptTopic, type TopicScope } from '../src/contract/mqtt-topics.js';
import { receiptCovers } from '../src/contract/receipts.js';
import { addPassage, emptySummary, toSummaryPayload } from '../src/contract/summary.js';
import { type MosquittoHandle, startMosquitto } from '../test/helpers/mosquitto.js';
import { postgresBinDir, startPostgres } from '../test/helpers/postgres.js';
import { recordBudget } from './budgets.js';
import { percentile } from './stats.js';

interface Sim {
  scope: TopicScope;
  instance: string;
  seq: number;
}

function message(k: Sim, i: number): { topic: string; body: string } {
  const seq = ++k.seq;
  const base = { seq, kiosk: k.scope.kiosk, instance: k.instance };
  if (i % 5 === 0) {
    const data = emptySummary();
    for (let j = 0; j < 20; j++) {
      addPassage(data, {
        direction: j % 2 ? 'in' : 'out',
        decision: j % 7 ? 'ALLOW' : 'DENY',
        reasons: j % 7 ? [] : ['EXPIRED'],
        letThrough: j % 7 !== 0,
        purpose: 'work',
        vehicleType: 'motorbike',
        people: 1,
      });
    }
    const s: SummaryPayload = {
      ...toSummaryPayload(k.scope, 1_764_000_000_000 + i * 60_000, 60_000, data),
      ...base,
    };
    return { topic: kioskTopic(k.scope, 'summary'), body: JSON.stringify(s) };
  }
  const e: EventPayload = {
    schema: 'ckpt.event/2',
    id: randomUUID(),
    ...base,
    at: new Date().toISOString(),
    kind: 'denial',
    decision: 'DENY',
    reasons: ['EXPIRED'],
    permit: 'ab'.repeat(32),
    direction: 'in',
    lane: '1',
  };
  return { topic: kioskTopic(k.scope, 'event'), body: JSON.stringify(e) };
}

async function centre(url: string, database: string, clientId: string): Promise<RunningCentre> {
  const cc = await startCommandCentreOn({ urls: [url], database, clientId, http: false });
  while (!cc.aggregator.state().connected) await new Promise((r) => setTimeout(r, 20));
  return cc;
}

/**
 * A burst queued at the broker for `aggregators` aggregators' sessions (created, then away), then taken
 * in by all of them at once: messages stored per second, counted from their start to the last commit.
 */
async function burst(
  broker: MosquittoHandle,
  database: string,
  messages: number,
  aggregators: number,
  label: string,
  /** The DESIGN.md budget is one aggregator's on the embedded database. */
  budget = false,
): Promise<void> {
  const ids = Array.from({ length: aggregators }, () => `cc-bench-${randomUUID()}`);
  for (const id of ids) await (await centre(broker.url, database, id)).stop();
  const kiosks: Sim[] = Array.from({ length: 100 }, (_, i) => ({
    scope: {
      district: '01-009',
      checkpoint: `B-${String(Math.floor(i / 2)).padStart(3, '0')}`,
      kiosk: `L${(i % 2) + 1}`,
    },
    instance: randomUUID(),
    seq: 0,
  }));
  const pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  for (let i = 0; i < messages; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, messages - i) }, (_, j) => {
        const m = message(kiosks[(i + j) % kiosks.length]!, i + j);
        return pub.publishAsync(m.topic, m.body, { qos: 1 });
      }),
    );
  }
  await pub.endAsync();
  const t0 = performance.now();
  const ccs = await Promise.all(ids.map((id) => centre(broker.url, database, id)));
  const counted = () => ccs.reduce((n, cc) => n + cc.aggregator.stats.counted, 0);
  while (counted() < messages) await new Promise((r) => setTimeout(r, 5));
  const s = (performance.now() - t0) / 1000;
  const receipts = ccs.reduce((n, cc) => n + cc.aggregator.stats.receipts, 0);
  if (budget) recordBudget('ccIngest', `${(messages / s).toFixed(0)} msg/s`, messages / s >= 5000);
  const shares = ccs.map((cc) => cc.aggregator.stats.counted).join(' + ');
  console.log(
    `  ${label}: ${messages} queued messages (100 kiosk instances; summaries, denial events)${aggregators > 1 ? ` split ${shares}` : ''}: ${(messages / s).toFixed(0)} msg/s (${s.toFixed(2)} s; ${receipts} receipts)   budget ≥ 5,000 msg/s`,
  );
  await Promise.all(ccs.map((cc) => cc.stop({ retire: true })));
}

export async function benchCcIngest(messages: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cc-'));
  const broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 10000000' });
  const pg = postgresBinDir() ? await startPostgres() : null;
  try {
    await burst(broker, join(dir, 'cc.db'), messages, 1, 'one aggregator, SQLite', true);
    if (pg) {
      await burst(broker, await pg.createDatabase('bench_one'), messages, 1, 'one aggregator, PostgreSQL');
      await burst(
        broker,
        await pg.createDatabase('bench_two'),
        messages,
        2,
        'two aggregators, one PostgreSQL',
      );
    } else {
      console.log('  PostgreSQL: not installed (apt-get install postgresql), skipped');
    }
    await receiptLatency(broker.url, join(dir, 'latency.db'));
  } finally {
    await pg?.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 50 kiosks each sending 10 messages a second for 10 s; the receipt's arrival minus the commit. */
async function receiptLatency(url: string, database: string): Promise<void> {
  const cc = await startCommandCentre({
    urls: [url],
    database,
    clientId: `cc-latency-${randomUUID()}`,
    http: false,
  });
  while (!cc.aggregator.state().connected) await new Promise((r) => setTimeout(r, 20));
  const ledger = cc.ledger as Ledger & { ingest: Ledger['ingest'] };
  const ingest = ledger.ingest.bind(ledger);
  const uncommitted: string[] = [];
  const committedAt = new Map<string, number>();
  ledger.ingest = (scope, p, now) => {
    const r = ingest(scope, p, now);
    if (r.result === 'counted') uncommitted.push(`${p.instance}/${p.seq}`);
    return r;
  };
  // The aggregator announces every commit; whatever was ingested before it is in that commit.
  cc.aggregator.onChange(() => {
    const at = performance.now();
    for (const key of uncommitted.splice(0)) committedAt.set(key, at);
  });
  const latencies: number[] = [];
  const kiosks = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const k: Sim = {
        scope: {
          district: '01-009',
          checkpoint: `LAT-${String(Math.floor(i / 2)).padStart(3, '0')}`,
          kiosk: `L${(i % 2) + 1}`,
        },
        instance: randomUUID(),
        seq: 0,
      };
      const client = await mqtt.connectAsync(url, { protocolVersion: 5 });
      const waiting = new Set<number>();
      client.on('message', (_t, payload) => {
        const now = performance.now();
        const r = JSON.parse(payload.toString()) as {
          instance: string;
          upTo: number;
          also: [number, number][];
        };
        if (r.instance !== k.instance) return;
        for (const seq of waiting) {
          if (!receiptCovers(r, seq)) continue;
          waiting.delete(seq);
          const at = committedAt.get(`${k.instance}/${seq}`);
          if (at !== undefined) latencies.push(now - at);
        }
      });
      await client.subscribeAsync(receiptTopic(k.scope), { qos: 1 });
      return { k, client, waiting };
    }),
  );
  for (let tick = 0; tick < 100; tick++) {
    for (const { k, client, waiting } of kiosks) {
      const m = message(k, tick + 1);
      waiting.add(k.seq);
      client.publish(m.topic, m.body, { qos: 1 });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 10_000;
  while (kiosks.some((x) => x.waiting.size > 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  latencies.sort((a, b) => a - b);
  recordBudget(
    'receiptP99',
    `p99 ${percentile(latencies, 99).toFixed(0)} ms`,
    percentile(latencies, 99) <= 2000,
  );
  console.log(
    `  receipt after the commit, 50 kiosks × 10 msg/s for 10 s (${latencies.length} messages): p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms   budget p99 ≤ 2 s (receipts are coalesced to one a second per kiosk)`,
  );
  await Promise.all(kiosks.map((x) => x.client.endAsync()));
  await cc.stop({ retire: true });
}
