// Test tools for the uplink: an MQTT subscriber that records what arrives, a TCP proxy that can cut
// connections or swallow the broker's replies, and a polling wait.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { ccStateTopic } from '../../src/contract/mqtt-topics.js';
import { addSeq, receiptOf, type SeqRange } from '../../src/contract/receipts.js';
import type { FakeClock } from '../fixtures/clock.js';

export interface Received {
  topic: string;
  retain: boolean;
  json: Record<string, unknown>;
}

export interface Subscriber {
  client: MqttClient;
  messages: Received[];
  on(topicSuffix: string): Received[];
  close(): Promise<void>;
}

export async function subscribe(url: string, topic: string, opts: IClientOptions = {}): Promise<Subscriber> {
  const client = await connectAsync(url, { reconnectPeriod: 100, ...opts });
  const messages: Received[] = [];
  client.on('message', (t, payload, packet) => {
    // An empty payload clears a retained message: nothing to record.
    if (payload.byteLength === 0) return;
    messages.push({ topic: t, retain: packet.retain, json: JSON.parse(payload.toString()) });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return {
    client,
    messages,
    on: (suffix) => messages.filter((m) => m.topic.endsWith(suffix)),
    close: () => client.endAsync(true),
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  what: string,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Moves a kiosk's FakeClock from timer to timer until `connected()`. A connect attempt is real I/O: after
 * the step that fires the reconnect timer, this waits for its outcome, connected or its next backoff
 * timer (set from the socket's close, outside the clock's timers); periodic timers in between are stepped
 * over at once.
 */
export async function stepUntilConnected(
  clock: FakeClock,
  connected: () => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await waitFor(() => connected() || clock.pendingSetOutside > 0, what, deadline - Date.now());
    if (connected()) return;
    const at = clock.nextAt();
    if (at !== null) clock.advanceTo(at);
  }
}

export interface TcpProxy {
  url: string;
  /** Broker → client bytes are dropped while set: PUBACKs never arrive. */
  swallowReplies: boolean;
  /** Bytes dropped while swallowing. */
  swallowed: number;
  /** New connections are closed at once while cleared: the client stays out until the test lets it in. */
  accepting: boolean;
  cutAll(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const proxy: TcpProxy = {
    url: '',
    swallowReplies: false,
    swallowed: 0,
    accepting: true,
    cutAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cutAll();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((client) => {
    if (!proxy.accepting) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!proxy.swallowReplies) client.write(d);
      else proxy.swallowed += d.byteLength;
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  proxy.url = `mqtt://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return proxy;
}

/**
 * Stands in front of a real broker like an MQTT 3.1.1-only broker: a v5 CONNECT is refused with the
 * 3.1.1 CONNACK "unacceptable protocol version"; other connections are passed through.
 */
export async function startV311Gate(
  targetPort: number,
): Promise<{ url: string; refused: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const gate = { url: '', refused: 0, close: async () => {} };
  const server = createServer((client) => {
    sockets.add(client);
    client.once('data', (first) => {
      // Fixed header byte, remaining length (a varint), then 00 04 "MQTT" and the protocol level.
      let i = 1;
      while (i < 5 && (first[i]! & 0x80) !== 0) i++;
      const level = first[i + 1 + 6];
      if (level === 5) {
        gate.refused++;
        client.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
        return;
      }
      const upstream = createConnection({ port: targetPort, host: '127.0.0.1' }, () => upstream.write(first));
      sockets.add(upstream);
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => client.write(d));
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    client.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  gate.url = `mqtt://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  gate.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return gate;
}

/**
 * Stands in for the command centre's receipts in the uplink's own tests (the real command centre is
 * tested with kiosks in test/e2e): holds the (instance, seq) of every numbered message it receives and
 * publishes each kiosk's receipt, retained, as spec/mqtt.md says. `hold` stops receipts (the command
 * centre is slow or its database lost them); `drop` forgets the next messages as if never received.
 */
export interface Receipter {
  /** Every numbered message received, duplicates included. */
  messages: Received[];
  hold: boolean;
  drop: number;
  /** Publishes this aggregator's retained presence. */
  presence(online: boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startReceipter(
  url: string,
  opts: IClientOptions = {},
  /** Receipts at most this often per kiosk (the command centre: one a second); 0: after every message. */
  coalesceMs = 0,
): Promise<Receipter> {
  const client = await connectAsync(url, { reconnectPeriod: 100, ...opts });
  const ranges = new Map<string, { topic: string; instance: string; held: SeqRange[] }>();
  const pending = new Set<string>();
  const send = (instance: string) => {
    const k = ranges.get(instance);
    if (!k) return;
    const receipt = {
      schema: 'ckpt.receipt/1',
      instance,
      ...receiptOf(k.held),
      at: new Date().toISOString(),
    };
    client.publish(k.topic, JSON.stringify(receipt), { qos: 1, retain: true });
  };
  const r: Receipter = {
    messages: [],
    hold: false,
    drop: 0,
    presence: async (online) => {
      await client.publishAsync(
        ccStateTopic('test-cc'),
        JSON.stringify({ schema: 'ckpt.cc-state/1', online, at: new Date().toISOString() }),
        { qos: 1, retain: true },
      );
    },
    close: async () => {
      await client.publishAsync(ccStateTopic('test-cc'), '', { qos: 1, retain: true });
      for (const k of ranges.values()) await client.publishAsync(k.topic, '', { qos: 1, retain: true });
      await client.endAsync(true);
    },
  };
  client.on('message', (topic, payload, packet) => {
    const json = JSON.parse(payload.toString()) as Record<string, unknown>;
    r.messages.push({ topic, retain: packet.retain, json });
    if (r.drop > 0) {
      r.drop--;
      return;
    }
    // Not a numbered message (a raw publisher's): nothing to receipt.
    if (typeof json.seq !== 'number' || typeof json.instance !== 'string') return;
    const instance = json.instance;
    const kioskBase = topic.split('/').slice(0, 5).join('/');
    const k = ranges.get(instance) ?? { topic: `${kioskBase}/receipt`, instance, held: [] };
    k.held = addSeq(k.held, Number(json.seq));
    ranges.set(instance, k);
    if (r.hold) return;
    if (coalesceMs === 0) send(instance);
    else if (!pending.has(instance)) {
      pending.add(instance);
      setTimeout(() => {
        pending.delete(instance);
        send(instance);
      }, coalesceMs);
    }
  });
  await client.subscribeAsync(
    ['summary', 'event', 'ack', 'passage'].map((kind) => `ckpt/v2/+/+/+/${kind}`),
    { qos: 1 },
  );
  return r;
}

/** Publishes the latest receipts again (after `hold` is cleared), as the command centre's next commit would. */
export async function releaseReceipts(url: string, r: Receipter): Promise<void> {
  r.hold = false;
  const last = r.messages.at(-1);
  if (!last) return;
  // Receiving its own duplicate makes the receipter publish the receipt of everything it holds.
  const client = await connectAsync(url);
  await client.publishAsync(last.topic, JSON.stringify(last.json), { qos: 1 });
  await client.endAsync();
}
