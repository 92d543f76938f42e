// Per-kiosk credentials and the broker ACL (README "Command centre and MQTT deployment"): a Mosquitto
// password file and ACL, as deployed. Each kiosk may publish only under its own ckpt/v1/{d}/{c}/; the
// command centre reads everything and writes only downlink topics; anonymous clients are refused.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { openStore, type Store } from '../../src/store/store.js';
import { Uplink } from '../../src/uplink/uplink.js';
import { type MosquittoHandle, startMosquitto } from '../helpers/mosquitto.js';
import { checkpoint, passage, removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-acl-'));
const USERS: Record<string, string> = {
  cc: 'cc-secret',
  'kiosk-TX-01': 'pin-tx01',
  'kiosk-TX-02': 'pin-tx02',
};

/** The ACL a deployment generates from its list of checkpoints (README shows the same). */
function acl(kiosks: { user: string; district: string; checkpoint: string }[]): string {
  const lines = [
    '# Command centre: reads what kiosks publish, writes only the downlink.',
    'user cc',
    'topic read ckpt/v1/#',
    'topic write ckpt/v1/all/#',
    'topic write ckpt/v1/+/+/config',
  ];
  for (const k of kiosks) {
    const own = `ckpt/v1/${k.district}/${k.checkpoint}`;
    lines.push(
      '',
      `user ${k.user}`,
      `topic write ${own}/status`,
      `topic write ${own}/summary`,
      `topic write ${own}/event`,
      `topic write ${own}/ack`,
      'topic read ckpt/v1/all/#',
      `topic read ckpt/v1/${k.district}/all/config`,
      `topic read ${own}/config`,
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
      { user: 'kiosk-TX-01', district: '01-009', checkpoint: 'TX-01' },
      { user: 'kiosk-TX-02', district: '01-009', checkpoint: 'TX-02' },
    ]),
  );
  broker = await startMosquitto({
    aclFile: join(dir, 'acl'),
    extraConfig: `allow_anonymous false\npassword_file ${pw}\nmax_queued_messages 1000000`,
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
  removeTempDirs();
});

function newStore(id = 'TX-01'): Store {
  const s = openStore(tempDbPath(), { ...checkpoint, checkpoint: { ...checkpoint.checkpoint, id } });
  cleanups.push(() => s.close());
  return s;
}

function uplink(store: Store, username: string, password: string): Uplink {
  const u = new Uplink({
    urls: [broker.url],
    scope: store.scope,
    clientId: `kiosk-acl-${randomUUID()}`,
    outbox: store,
    version: '0.1.0-test',
    startedAtMs: Date.now(),
    username,
    password,
    backoffMinMs: 100,
    backoffMaxMs: 300,
  });
  cleanups.push(() => u.stop());
  return u;
}

function deny(store: Store, n: number, tag: string): void {
  for (let i = 0; i < n; i++) {
    store.recordPassage(
      passage({ atMs: Date.now(), decision: 'DENY', reasons: ['EXPIRED'], letThrough: false }, `${tag}-${i}`),
    );
  }
}

async function client(username?: string, password?: string): Promise<mqtt.MqttClient> {
  const c = await mqtt.connectAsync(broker.url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...(username ? { username, password } : {}),
  });
  cleanups.push(() => c.endAsync(true));
  return c;
}

const totalsOf = (c: string) => centre.ledger.totals().find((t) => t.checkpoint === c);

describe('broker ACL with per-kiosk credentials', () => {
  it('lets a kiosk publish under its own topics, seen by the command centre', async () => {
    const store = newStore('TX-01');
    const u = uplink(store, 'kiosk-TX-01', USERS['kiosk-TX-01']!);
    u.start();
    deny(store, 3, 'OWN');
    await waitFor(() => store.outboxCount() === 0, 'outbox drained');
    await waitFor(() => totalsOf('TX-01')?.events === 3, 'three events counted');
    const view = centre.ledger.snapshot(Date.now()).checkpoints.find((c) => c.checkpoint === 'TX-01');
    expect(view?.online).toBe(true); // its status (birth) passed the ACL too
  });

  it("refuses a kiosk publishing under another checkpoint's topic, and the row stays queued", async () => {
    // TX-02's topics with TX-01's credentials: the broker answers "not authorized" to every publish.
    const store = newStore('TX-02');
    const u = uplink(store, 'kiosk-TX-01', USERS['kiosk-TX-01']!);
    const refusals: string[] = [];
    u.onChange((s) => {
      if (s.lastError) refusals.push(s.lastError);
    });
    u.start();
    await waitFor(() => u.state().connected, 'connected');
    deny(store, 2, 'FORGE');
    const rows = store.outboxPeek(0, 10);
    expect(rows).toHaveLength(2);
    // The broker answers each publish with "not authorized": the uplink says so for the last one too…
    await waitFor(() => refusals.some((e) => e.includes(`#${rows[1]!.seq}:`)), 'both rows refused');
    expect(refusals).toEqual(
      rows.map((r) => expect.stringMatching(new RegExp(`#${r.seq}: .*(not authori[sz]ed|135)`, 'i'))),
    );
    // …and keeps them: never acknowledged, so never deleted, nothing lost either.
    expect(store.outboxCount()).toBe(2);

    const raw = await client('kiosk-TX-01', USERS['kiosk-TX-01']!);
    const summary = { schema: 'ckpt.summary/1' };
    await expect(
      raw.publishAsync('ckpt/v1/01-009/TX-02/summary', JSON.stringify(summary), { qos: 1 }),
    ).rejects.toThrow(/not authori[sz]ed|135/i);
    // A kiosk cannot forge a downlink document either.
    await expect(raw.publishAsync('ckpt/v1/all/trust', 'x.y.z', { qos: 1, retain: true })).rejects.toThrow(
      /not authori[sz]ed|135/i,
    );
    expect(totalsOf('TX-02')).toBeUndefined();
    expect(centre.ledger.snapshot(Date.now()).checkpoints.some((c) => c.checkpoint === 'TX-02')).toBe(false);
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 })).rejects.toThrow(
      /not authori[sz]ed|bad user name or password/i,
    );
    await expect(
      mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        reconnectPeriod: 0,
        username: 'kiosk-TX-01',
        password: 'wrong',
      }),
    ).rejects.toThrow(/not authori[sz]ed|bad user name or password/i);
  });
});
