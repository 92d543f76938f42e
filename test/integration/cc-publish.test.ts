// The command centre's publish API and dashboard host: documents are validated with the kiosk's own
// schemas, signed with the key the server holds, and published to the spec's v2 topics (retained where
// the spec says; the full revocation list current after every delta); bad requests change nothing and
// say why in both languages; acks come back to the page; an operator's resend command reaches a kiosk.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCommandCentre, startCommandCentre } from '../../command-centre/server/run.js';
import { verifyDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { packHexHashes } from '../../src/contract/revocation-packing.js';
import { ack, event, kioskId, send, status } from '../fixtures/cc-messages.js';
import { addAccount, CcClient, publishApproved, TEST_OPERATOR_OPTIONS } from '../fixtures/cc-operators.js';
import { type MosquittoHandle, retainedMessage, startMosquitto } from '../helpers/mosquitto.js';
import { removeTempDirs, tempDbPath } from '../unit/store-fixtures.js';
import { waitFor } from './uplink-helpers.js';

const root = generateKeyPair();
const nowS = Math.floor(Date.now() / 1000);
let broker: MosquittoHandle;
let centre: RunningCommandCentre;
let base: URL;
/** Two publishers (four eyes on trust lists and revocations) and an operator (resend commands). */
let pub1: CcClient;
let pub2: CcClient;
let operator: CcClient;

beforeAll(async () => {
  broker = await startMosquitto({ persistence: false, extraConfig: 'max_queued_messages 100' });
  centre = await startCommandCentre({
    urls: [broker.url],
    database: tempDbPath(),
    clientId: `cc-publish-${randomUUID()}`,
    http: { host: '127.0.0.1', port: 0 },
    signingKeyPem: root.privatePem,
    operators: TEST_OPERATOR_OPTIONS,
  });
  base = new URL(centre.url!);
  await addAccount(centre, 'pub1', 'publisher', 'city');
  await addAccount(centre, 'pub2', 'publisher', 'city');
  await addAccount(centre, 'op', 'operator', 'city');
  [pub1, pub2, operator] = [new CcClient(centre.url!), new CcClient(centre.url!), new CcClient(centre.url!)];
  for (const [c, n] of [
    [pub1, 'pub1'],
    [pub2, 'pub2'],
    [operator, 'op'],
  ] as const) {
    expect((await c.login(n)).status).toBe(200);
  }
  await waitFor(() => centre.aggregator.state().connected, 'aggregator connected');
});
afterAll(async () => {
  await centre?.stop({ retire: true });
  await broker?.stop();
  removeTempDirs();
});

interface PublishReply {
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; vi: string; en: string };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request in `as`'s session (cookie and CSRF header), headers as given. */
function http(
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
  as: CcClient = pub1,
): Promise<Reply> {
  const session = { Cookie: as.cookieHeader, 'X-CC-CSRF': as.csrf };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers: { ...session, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What a kiosk subscribing now receives as the retained message of a topic. */
async function retained(topic: string): Promise<string> {
  const got = await retainedMessage(broker.url, topic);
  if (got === null) throw new Error(`no retained ${topic}`);
  return got;
}

async function until<T>(probe: () => Promise<T | null>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Published by pub1; a trust list or revocations approved by pub2 first (four eyes). */
async function publish(request: unknown, headers: Record<string, string> = {}) {
  const r = await publishApproved(pub1, pub2, request, headers);
  return { status: r.status, json: r.json as PublishReply };
}

describe('publishing signed documents', () => {
  it('signs a zone map with the held key and leaves it retained on ckpt/v2/all/zones', async () => {
    const payload = { version: 3, issued: nowS, default: 'green', zones: { '01-009-00337': 'red' } };
    const r = await publish({ kind: 'zones', payload });
    expect(r.status).toBe(200);
    expect(r.json.result).toEqual({
      typ: 'vnp-zones+jws',
      version: 3,
      topic: 'ckpt/v2/all/zones',
      retained: true,
    });
    // A kiosk connecting later gets it, and it verifies against the root public key.
    const jws = await retained('ckpt/v2/all/zones');
    expect(await verifyDocument(jws, 'zones', loadPublicKey(root.publicPem))).toEqual(payload);

    // The same or an older version would only be refused by every kiosk: refused here, nothing sent.
    const stale = await publish({ kind: 'zones', payload: { ...payload, version: 3 } });
    expect(stale.status).toBe(400);
    expect(stale.json.error).toMatchObject({
      code: 'PUBLISH_INVALID',
      vi: expect.stringMatching(/Phiên bản 3/),
    });
  });

  it('keeps the retained full revocation list current after every delta', async () => {
    const [h1, h2, h3] = ['ab', 'cd', 'ef'].map((x) => x.repeat(32)) as [string, string, string];
    const root_ = loadPublicKey(root.publicPem);
    const fullList = async () =>
      (await verifyDocument(await retained('ckpt/v2/all/revocations'), 'revocations', root_)) as {
        version: number;
        mode: string;
        addPacked: string;
      };
    // Deltas are not retained: a kiosk watches them live.
    const deltas = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const seen: string[] = [];
    deltas.on('message', (topic) => seen.push(topic));
    await deltas.subscribeAsync('ckpt/v2/all/revocations/#', { qos: 1 });

    const full = await publish({
      kind: 'revocations',
      payload: { version: 1, issued: nowS, mode: 'full', add: [h1, h2] },
    });
    expect(full.json.result).toEqual({
      typ: 'vnp-revocations+jws',
      version: 1,
      topic: 'ckpt/v2/all/revocations',
      retained: true,
    });
    // Full lists go out packed: a kiosk reads a million entries without a string each.
    expect(await fullList()).toMatchObject({ version: 1, mode: 'full', addPacked: packHexHashes([h1, h2]) });

    const delta = await publish({
      kind: 'revocations',
      payload: { version: 2, issued: nowS, mode: 'delta', base: 1, add: [h3], remove: [h1] },
    });
    expect(delta.json.result).toEqual({
      typ: 'vnp-revocations+jws',
      version: 2,
      topic: 'ckpt/v2/all/revocations/delta',
      retained: false,
      full: { topic: 'ckpt/v2/all/revocations', entries: 2 },
    });
    // The delta folded into a new full list of its version, signed and retained: a kiosk whose version
    // is not the delta's base fetches it and is current.
    expect(await fullList()).toEqual({
      version: 2,
      issued: nowS,
      mode: 'full',
      addPacked: packHexHashes([h2, h3]),
    });
    await waitFor(() => seen.length >= 3, 'full, full, delta');
    // The full list goes first, so that a kiosk re-fetching it after the delta finds it current.
    expect(seen).toEqual([
      'ckpt/v2/all/revocations',
      'ckpt/v2/all/revocations',
      'ckpt/v2/all/revocations/delta',
    ]);
    await deltas.endAsync();

    const wrongBase = await publish({
      kind: 'revocations',
      payload: { version: 3, issued: nowS, mode: 'delta', base: 1, add: [h1] },
    });
    expect(wrongBase.status).toBe(400);
    expect(wrongBase.json.error?.en).toMatch(/based on version 1, but the current full list is version 2/);
    const again = await publish({ kind: 'revocations', payload: { version: 2, issued: nowS, mode: 'full' } });
    expect(again.status).toBe(400);
    expect(await fullList()).toMatchObject({ version: 2, addPacked: packHexHashes([h2, h3]) });
  });

  it('addresses a config to one kiosk, one checkpoint or a whole district', async () => {
    const policy = { curfew: ['22:00', '05:00'] };
    const one = await publish({
      kind: 'config',
      district: '01-009',
      payload: { version: 1, issued: nowS, checkpoint: 'TX-01', policy },
    });
    expect(one.json.result).toMatchObject({ topic: 'ckpt/v2/01-009/TX-01/all/config', retained: true });
    const kiosk = await publish({
      kind: 'config',
      district: '01-009',
      kiosk: 'L2',
      payload: { version: 1, issued: nowS, checkpoint: 'TX-01', policy },
    });
    expect(kiosk.json.result).toMatchObject({ topic: 'ckpt/v2/01-009/TX-01/L2/config', retained: true });
    const all = await publish({
      kind: 'config',
      district: '01-009',
      payload: { version: 1, issued: nowS, checkpoint: '*', policy },
    });
    expect(all.json.result).toMatchObject({ topic: 'ckpt/v2/01-009/all/config' });
    const everyKiosk = await publish({
      kind: 'config',
      district: '01-009',
      kiosk: 'L2',
      payload: { version: 2, issued: nowS, checkpoint: '*', policy },
    });
    expect(everyKiosk.status).toBe(400);
    expect(everyKiosk.json.error?.en).toMatch(/named checkpoint/);
    const noDistrict = await publish({
      kind: 'config',
      payload: { version: 2, issued: nowS, checkpoint: '*', policy },
    });
    expect(noDistrict.status).toBe(400);
    expect(noDistrict.json.error?.en).toMatch(/district/);
  });

  it('refuses bad requests with a reason in both languages, publishing nothing', async () => {
    // Live deliveries only (retained ones arrive flagged): nothing new may be published.
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    let live = 0;
    watcher.on('message', (_t, _p, packet) => {
      if (!packet.retain) live++;
    });
    await watcher.subscribeAsync(['ckpt/v2/all/#', 'ckpt/v2/+/all/config', 'ckpt/v2/+/+/+/config'], {
      qos: 1,
    });
    const invalid = await publish({
      kind: 'zones',
      payload: { version: 9, issued: nowS, zones: { nowhere: 'red' } },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error).toMatchObject({
      code: 'DOCUMENT_INVALID',
      vi: expect.any(String),
      en: expect.any(String),
    });
    expect((await publish({ kind: 'passport', payload: {} })).json.error?.code).toBe('PUBLISH_INVALID');
    expect((await publish({ kind: 'trust', payload: { version: 1 } })).json.error?.code).toBe(
      'DOCUMENT_INVALID',
    );
    const empty = await publish({ kind: 'trust', payload: { version: 1, issued: nowS, issuers: [] } });
    expect(empty.json.error).toMatchObject({
      code: 'PUBLISH_INVALID',
      en: expect.stringMatching(/empty trust list/),
    });
    const notJson = await http('POST', '/api/publish', '{', { 'Content-Type': 'application/json' });
    expect(notJson.status).toBe(400);
    const form = await http('POST', '/api/publish', 'kind=zones', { 'Content-Type': 'text/plain' });
    expect(form.status).toBe(415);
    const foreign = await publish(
      { kind: 'zones', payload: { version: 10, issued: nowS, zones: {} } },
      { Origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
    const rebinding = await http('GET', '/api/snapshot', undefined, { Host: 'evil.example' });
    expect(rebinding.status).toBe(403);
    expect(live).toBe(0);
    // A good document last: the server's client publishes in order, so anything a bad request had
    // sent would have arrived before it.
    const good = await publish({
      kind: 'zones',
      payload: { version: 4, issued: nowS, default: 'green', zones: { '01-009-00337': 'red' } },
    });
    expect(good.status).toBe(200);
    await waitFor(() => live > 0, 'the good document');
    expect(live).toBe(1);
    await watcher.endAsync();
  });

  it('shows the acks kiosks send back, and never shows the key', async () => {
    const kiosk = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const k = kioskId('L1');
    await send(kiosk, k, 'ack', ack(k, 1, Date.now(), { applied: false, error: 'stale' }));
    await kiosk.endAsync();
    const snapshot = await until(async () => {
      const s = JSON.parse((await http('GET', '/api/snapshot')).body);
      return s.acks.length > 0 ? s : null;
    }, 'the ack on the page');
    expect(snapshot.acks[0]).toMatchObject({
      checkpoint: 'TX-01',
      kiosk: 'L1',
      typ: 'vnp-zones+jws',
      version: '3',
      applied: false,
      error: 'stale',
    });
    expect(snapshot.published.map((p: { topic: string }) => p.topic)).toContain('ckpt/v2/all/zones');
    const keyBody = root.privatePem.split('\n')[1]!;
    expect(JSON.stringify(snapshot)).not.toContain(keyBody);
    expect(snapshot.keyId).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });

  it('sends a resend command to a kiosk on request, by default for the first gap', async () => {
    const kiosk = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const commands: { topic: string; json: Record<string, unknown> }[] = [];
    kiosk.on('message', (topic, payload) => commands.push({ topic, json: JSON.parse(payload.toString()) }));
    await kiosk.subscribeAsync('ckpt/v2/01-009/TX-03/L1/command', { qos: 1 });
    const k = kioskId('L1', 'TX-03');
    await send(kiosk, k, 'status', status(k, Date.now(), { lastSeq: 9 }), true);
    for (const seq of [1, 2, 5]) await send(kiosk, k, 'event', event(k, seq, Date.now()));
    await waitFor(
      () => centre.ledger.receipt(centre.ledger.findKiosk(k.scope) ?? -1).also.length === 1,
      'held',
    );
    const resend = (body: unknown, headers: Record<string, string> = {}) =>
      http(
        'POST',
        '/api/resend',
        JSON.stringify(body),
        { 'Content-Type': 'application/json', ...headers },
        operator,
      );

    const first = await resend({ district: '01-009', checkpoint: 'TX-03', kiosk: 'L1' });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body).result).toMatchObject({
      topic: 'ckpt/v2/01-009/TX-03/L1/command',
      instance: k.instance,
      from: 3,
      to: 4,
    });
    const asked = await resend({ district: '01-009', checkpoint: 'TX-03', kiosk: 'L1', from: 6, to: 9 });
    expect(JSON.parse(asked.body).result).toMatchObject({ from: 6, to: 9 });
    await waitFor(() => commands.length === 2, 'both commands');
    expect(commands.map((c) => c.json)).toEqual([
      { schema: 'ckpt.command/1', id: expect.any(String), kind: 'resend', from: 3, to: 4 },
      { schema: 'ckpt.command/1', id: expect.any(String), kind: 'resend', from: 6, to: 9 },
    ]);
    await kiosk.endAsync();

    const unknown = await resend({ district: '01-009', checkpoint: 'TX-03', kiosk: 'L7' });
    expect(unknown.status).toBe(404);
    const backwards = await resend({ district: '01-009', checkpoint: 'TX-03', kiosk: 'L1', from: 5, to: 2 });
    expect(backwards.status).toBe(400);
    expect(JSON.parse(backwards.body).error).toMatchObject({
      code: 'RESEND_INVALID',
      vi: expect.any(String),
    });
    const foreign = await resend(
      { district: '01-009', checkpoint: 'TX-03', kiosk: 'L1' },
      { Origin: 'http://evil.example' },
    );
    expect(foreign.status).toBe(403);
  });

  it('streams snapshots as Server-Sent Events', async () => {
    const res = await fetch(new URL('/api/stream', base), { headers: { Cookie: pub1.cookieHeader } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: snapshot\ndata: {'))
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/^retry: \d+\n\nevent: snapshot\ndata: \{/);
  });
});
