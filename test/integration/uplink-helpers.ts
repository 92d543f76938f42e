// Test tools for the uplink: an MQTT subscriber that records what arrives, a TCP proxy that can cut
// connections or swallow the broker's replies, and a polling wait.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

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

export interface TcpProxy {
  url: string;
  /** Broker → client bytes are dropped while set: PUBACKs never arrive. */
  swallowReplies: boolean;
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
