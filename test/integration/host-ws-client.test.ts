// The renderer's WebSocket KioskClient against the real BrowserHost (Node's `ws` stands in for the
// browser's WebSocket: same onopen/onmessage/onclose surface).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { KioskCallError, type SocketLike, WsKioskClient } from '../../renderer/src/api/ws-client.js';
import type { Verdict } from '../../src/contract/api.js';
import { BrowserHost } from '../../src/host/server.js';
import { makeTestKiosk, makeVerdict } from './host-fixture.js';

let staticDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  staticDir = await mkdtemp(path.join(tmpdir(), 'kiosk-wsc-'));
  cleanups.push(() => rm(staticDir, { recursive: true, force: true }));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const factory = (url: string) => new WebSocket(url) as unknown as SocketLike;

async function startHost(kiosk = makeTestKiosk(), port = 0) {
  const host = new BrowserHost({ port, staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
  const started = await host.start();
  return { host, kiosk, ...started };
}

function waitFor<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve) => register(resolve));
}

describe('WsKioskClient', () => {
  it('calls methods, validates results and delivers events', async () => {
    const { host, kiosk, port } = await startHost();
    const client = new WsKioskClient(`ws://127.0.0.1:${port}/api/ws`, { socketFactory: factory });
    cleanups.push(
      () => host.stop(),
      () => client.close(),
    );

    const status = await client.call('status.get', {});
    expect(status.checkpoint.id).toBe('TX-01');
    const recent = await client.call('verdicts.recent', {});
    expect(recent).toEqual([]);

    const got = waitFor<Verdict>((resolve) => client.on('verdict', resolve));
    kiosk.emit('verdict', makeVerdict('ALLOW', []));
    expect((await got).decision).toBe('ALLOW');

    const err = await client.call('lane.set', { lane: '9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KioskCallError);
    expect(err).toMatchObject({ code: 'BAD_LANE', vi: 'Không có làn 9', en: 'No lane 9' });
  });

  it('drops malformed events instead of passing them to the UI', async () => {
    const { host, kiosk, port } = await startHost();
    const client = new WsKioskClient(`ws://127.0.0.1:${port}/api/ws`, { socketFactory: factory });
    cleanups.push(
      () => host.stop(),
      () => client.close(),
    );
    await client.call('status.get', {});
    const seen: Verdict[] = [];
    client.on('verdict', (v) => seen.push(v));
    kiosk.emit('verdict', { decision: 'MAYBE' });
    const good = waitFor<Verdict>((resolve) => client.on('verdict', resolve));
    kiosk.emit('verdict', makeVerdict('DENY', ['REVOKED']));
    await good;
    expect(seen.map((v) => v.decision)).toEqual(['DENY']);
  });

  it('rejects pending calls when the connection drops, then reconnects and keeps its listeners', async () => {
    const first = await startHost();
    const port = first.port;
    const client = new WsKioskClient(`ws://127.0.0.1:${port}/api/ws`, {
      socketFactory: factory,
      minDelayMs: 50,
      maxDelayMs: 200,
    });
    cleanups.push(() => client.close());
    const states: boolean[] = [];
    client.onConnection((c) => states.push(c));
    await client.call('status.get', {});

    // A call the server never answers, so it is still pending when the socket drops.
    first.kiosk.impl['status.get'] = () => new Promise(() => {});
    const pending = client.call('status.get', {}).catch((e: unknown) => e);
    const verdicts: Verdict[] = [];
    client.on('verdict', (v) => verdicts.push(v));
    await first.host.stop();
    expect(await pending).toMatchObject({ code: 'DISCONNECTED' });
    await expect.poll(() => states.at(-1)).toBe(false);
    await expect(client.call('status.get', {})).rejects.toMatchObject({ code: 'DISCONNECTED' });

    const second = await startHost(first.kiosk, port);
    cleanups.push(() => second.host.stop());
    first.kiosk.impl['status.get'] = async () => first.kiosk.status;
    await expect.poll(() => states.at(-1), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => second.host.clientCount).toBe(1);
    second.kiosk.emit('verdict', makeVerdict('REVIEW', ['ALREADY_INSIDE']));
    await expect.poll(() => verdicts.length).toBe(1);
    expect((await client.call('status.get', {})).lane).toBe('1');
  });

  it('queues calls made while the first connection is opening', async () => {
    const { host, port } = await startHost();
    cleanups.push(() => host.stop());
    const client = new WsKioskClient(`ws://127.0.0.1:${port}/api/ws`, { socketFactory: factory });
    cleanups.push(() => client.close());
    expect(client.isConnected).toBe(false);
    const samples = await client.call('demo.samples', {});
    expect(samples.length).toBeGreaterThan(0);
  });
});
