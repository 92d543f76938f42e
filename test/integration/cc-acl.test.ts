// Per-kiosk credentials and the broker ACL (README "Command centre and MQTT deployment"): a Mosquitto
// password file and ACL, as deployed. Each kiosk may publish only its own ckpt/v2/{d}/{c}/{k}/ status,
// summary, event, ack and passage, and read its receipts, commands and documents; the command centre
// reads everything and writes only the downlink, receipts, commands and its presence; anonymous
// clients are refused.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { kioskTopic, receiptTopic } from '../../src/contract/mqtt-topics.js';
import { event, kioskId, status, summary } from '../fixtures/cc-messages.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { subscribe, waitFor } from './uplink-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-acl-'));
const USERS: Record<string, string> = {
  cc: 'cc-secret',
  'kiosk-TX-01-L1': 'pin-tx01-l1',
  'kiosk-TX-01-L2': 'pin-tx01-l2',
};
const T0 = Date.UTC(2026, 11, 5, 3, 0, 0);

/** The ACL a deployment generates from its list of kiosks (README shows the same). */
function acl(kiosks: { district: string; checkpoint: string; kiosk: string }[]): string {
  const lines = [
    '# Command centre: reads what kiosks publish; writes the downlink, receipts, commands, its presence.',
    'user cc',
    'topic read ckpt/v2/#',
    'topic write ckpt/v2/all/#',
    'topic write ckpt/v2/+/all/config',
    'topic write ckpt/v2/+/+/+/config',
    'topic write ckpt/v2/+/+/+/receipt',
    'topic write ckpt/v2/+/+/+/command',
    'topic write ckpt/v2/cc/state/+',
  ];
  for (const k of kiosks) {
    const own = `ckpt/v2/${k.district}/${k.checkpoint}/${k.kiosk}`;
    lines.push(
      '',
      `user kiosk-${k.checkpoint}-${k.kiosk}`,
      ...['status', 'summary', 'event', 'ack', 'passage'].map((kind) => `topic write ${own}/${kind}`),
      ...['receipt', 'command', 'config'].map((kind) => `topic read ${own}/${kind}`),
      'topic read ckpt/v2/all/#',
      `topic read ckpt/v2/${k.district}/all/config`,
      `topic read ckpt/v2/${k.district}/${k.checkpoint}/all/config`,
      'topic read ckpt/v2/cc/state/+',
      `topic read ckpt/v2/${k.district}/+/+/passage`,
      `topic read ckpt/v2/${k.district}/+/+/status`,
    );
  }
  return `${lines.join('\n')}\n`;
}

let broker: MosquittoHandle;
let centre: RunningCommandCentre;
let cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  const pw = join(dir, 'passwd');
  for (const [i, [user, password]] of Object.entries(USERS).entries()) {
    execFileSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', pw, user, password], {
      stdio: 'pipe',
    });
  }
  writeFileSync(
    join(dir, 'acl'),
    acl([
      { district: '01-009', checkpoint: 'TX-01', kiosk: 'L1' },
      { district: '01-009', checkpoint: 'TX-01', kiosk: 'L2' },
    ]),
  );
  broker = await startMosquitto({
    aclFile: join(dir, 'acl'),
    persistence: false,
    extraConfig: `allow_anonymous false\npassword_file ${pw}\nmax_queued_messages 100`,
  });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: join(dir, 'cc.db'),
    clientId: `cc-acl-${randomUUID()}`,
    username: 'cc',
    password: USERS.cc!,
    http: false,
  });
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected with its credentials');
});
afterAll(async () => {
  await centre?.stop({ retire: true });
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function client(username?: string, password?: string): Promise<mqtt.MqttClient> {
  const c = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...(username ? { username, password } : {}),
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

const NOT_AUTHORISED = /not authori[sz]ed|135/i;
const checkpointRow = () => centre.ledger.totals().find((t) => t.checkpoint === 'TX-01');

describe('broker ACL with per-kiosk credentials', () => {
  it('lets a kiosk publish under its own topics and read its receipts, seen by the command centre', async () => {
    const k = kioskId('L1');
    const kiosk = await client('kiosk-TX-01-L1', USERS['kiosk-TX-01-L1']!);
    const receipts: unknown[] = [];
    kiosk.on('message', (_t, p) => receipts.push(JSON.parse(p.toString())));
    await kiosk.subscribeAsync(receiptTopic(k.scope), { qos: 1 });
    await kiosk.publishAsync(kioskTopic(k.scope, 'status'), JSON.stringify(status(k, T0, { lastSeq: 2 })), {
      qos: 1,
      retain: true,
    });
    await kiosk.publishAsync(
      kioskTopic(k.scope, 'summary'),
      JSON.stringify(summary(k, 1, T0, { allowedIn: 2 })),
      { qos: 1 },
    );
    await kiosk.publishAsync(kioskTopic(k.scope, 'event'), JSON.stringify(event(k, 2, T0)), { qos: 1 });
    await waitFor(() => checkpointRow()?.events === 1 && checkpointRow()?.summaries === 1, 'counted');
    await waitFor(
      () => receipts.some((r) => (r as { upTo: number }).upTo === 2),
      'its receipt, through the ACL',
    );
    const view = centre.ledger.snapshot(T0).checkpoints.find((c) => c.checkpoint === 'TX-01');
    expect(view?.kiosks[0]?.online).toBe(true); // its status (birth) passed the ACL too
  });

  it("refuses a kiosk publishing under another kiosk's topics, or the command centre's", async () => {
    // L2's topics with L1's credentials: the broker answers "not authorized" to every publish.
    const l2 = kioskId('L2');
    const raw = await client('kiosk-TX-01-L1', USERS['kiosk-TX-01-L1']!);
    await expect(
      raw.publishAsync(
        kioskTopic(l2.scope, 'summary'),
        JSON.stringify(summary(l2, 1, T0, { allowedIn: 5 })),
        { qos: 1 },
      ),
    ).rejects.toThrow(NOT_AUTHORISED);
    // Nor can it forge a receipt (its own or another's), a command, a downlink document, or presence.
    const l1 = kioskId('L1');
    for (const topic of [
      receiptTopic(l1.scope),
      receiptTopic(l2.scope),
      'ckpt/v2/01-009/TX-01/L2/command',
      'ckpt/v2/all/trust',
      'ckpt/v2/cc/state/cc',
    ]) {
      await expect(raw.publishAsync(topic, '{}', { qos: 1, retain: true }), topic).rejects.toThrow(
        NOT_AUTHORISED,
      );
    }
    // Its own kiosk's real traffic still goes through afterwards.
    const seen = await subscribe(broker.url, 'ckpt/v2/01-009/TX-01/L1/event', {
      protocolVersion: 5,
      username: 'cc',
      password: USERS.cc!,
    });
    cleanups.push(() => seen.close());
    await raw.publishAsync(kioskTopic(l1.scope, 'event'), JSON.stringify(event(l1, 1, T0)), { qos: 1 });
    await waitFor(() => seen.messages.length === 1, 'the allowed event');
    expect(checkpointRow()?.kiosks.some((r) => r.kiosk === 'L2')).toBe(false);
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(
      /not authori[sz]ed|bad user name or password/i,
    );
    await expect(
      mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        reconnectPeriod: 0,
        username: 'kiosk-TX-01-L1',
        password: 'wrong',
      }),
    ).rejects.toThrow(/not authori[sz]ed|bad user name or password/i);
  });
});
