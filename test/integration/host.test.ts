import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ResultMessage } from '../../src/contract/api.js';
import { BrowserHost } from '../../src/host/server.js';
import { makeTestKiosk, makeVerdict, SAMPLES, type TestKiosk } from './host-fixture.js';

let dir: string;
let staticDir: string;
let kiosk: TestKiosk;
let host: BrowserHost;
let base: string;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kiosk-host-'));
  staticDir = path.join(dir, 'www');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>kiosk</title>');
  await writeFile(path.join(staticDir, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
  await writeFile(path.join(staticDir, 'assets', 'font-9f8e.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  await writeFile(path.join(dir, 'secret.txt'), 'TOP SECRET');
  await symlink(path.join(dir, 'secret.txt'), path.join(staticDir, 'link.txt'));
  kiosk = makeTestKiosk();
  host = new BrowserHost({ staticDir, dispatcher: kiosk.dispatcher, subscribe: kiosk.subscribe });
  const started = await host.start();
  base = started.url.replace(/\/$/, '');
  port = started.port;
});

afterAll(async () => {
  await host?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A raw GET that sends the path exactly as given (fetch would normalise `..`). */
function rawGet(
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function openWs(headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Collects every message a socket receives, to await by predicate. */
function inbox(ws: WebSocket) {
  const messages: Record<string, unknown>[] = [];
  const waiters: {
    pred: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  return {
    next(pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    result(id: number) {
      return this.next((m) => m.type === 'result' && m.id === id) as Promise<ResultMessage>;
    },
  };
}

async function postCall(method: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as ResultMessage };
}

describe('BrowserHost over WebSocket', () => {
  it('answers calls and broadcasts events to every client', async () => {
    const a = await openWs();
    const b = await openWs();
    const ia = inbox(a);
    const ib = inbox(b);
    a.send(JSON.stringify({ type: 'call', id: 1, method: 'status.get', params: {} }));
    const r1 = await ia.result(1);
    expect(r1.ok).toBe(true);
    if (r1.ok) expect((r1.result as { checkpoint: { id: string } }).checkpoint.id).toBe('TX-01');

    a.send(JSON.stringify({ type: 'call', id: 2, method: 'demo.samples', params: {} }));
    const r2 = await ia.result(2);
    expect(r2).toMatchObject({ ok: true, result: SAMPLES });

    const verdict = makeVerdict('DENY', ['EXPIRED']);
    kiosk.emit('verdict', verdict);
    const ea = await ia.next((m) => m.type === 'event');
    const eb = await ib.next((m) => m.type === 'event');
    expect(ea).toEqual({ type: 'event', name: 'verdict', data: verdict });
    expect(eb).toEqual(ea);
    a.close();
    b.close();
  });

  it('gives bilingual errors for bad JSON, bad envelopes, unknown methods and bad params, and keeps serving', async () => {
    const ws = await openWs();
    const box = inbox(ws);
    ws.send('{not json');
    const bad = await box.result(-1);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });
    if (!bad.ok) {
      expect(bad.error.vi).toMatch(/JSON/);
      expect(bad.error.en).toMatch(/JSON/);
    }

    ws.send(JSON.stringify({ type: 'call', id: 7, method: 42 }));
    expect(await box.result(7)).toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });

    ws.send(JSON.stringify({ type: 'call', id: 8, method: 'nope.nope', params: {} }));
    const unknown = await box.result(8);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    if (!unknown.ok) expect(unknown.error.vi).toContain('nope.nope');

    ws.send(JSON.stringify({ type: 'call', id: 9, method: 'lane.set', params: { direction: 'sideways' } }));
    const badParams = await box.result(9);
    expect(badParams).toMatchObject({ ok: false, error: { code: 'BAD_PARAMS' } });
    if (!badParams.ok) expect(badParams.error.vi).toMatch(/Tham số/);

    ws.send(JSON.stringify({ type: 'call', id: 10, method: 'scan.submit', params: { text: 'THROW' } }));
    expect(await box.result(10)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });

    ws.send(JSON.stringify({ type: 'call', id: 11, method: 'status.get', params: {} }));
    expect(await box.result(11)).toMatchObject({ ok: true });
    ws.close();
  });

  it('closes only the offending connection on an oversized message', async () => {
    const big = await openWs();
    const closed = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    big.on('error', () => {});
    big.send(
      JSON.stringify({ type: 'call', id: 1, method: 'scan.submit', params: { text: 'x'.repeat(70 * 1024) } }),
    );
    expect(await closed).toBe(1009);

    const other = await openWs();
    const box = inbox(other);
    other.send(JSON.stringify({ type: 'call', id: 1, method: 'status.get', params: {} }));
    expect(await box.result(1)).toMatchObject({ ok: true });
    other.close();
  });

  it('refuses upgrades from another origin or host name', async () => {
    await expect(openWs({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(
      openWs({ Origin: `http://evil.example:${port}`, Host: `evil.example:${port}` }),
    ).rejects.toThrow(/403/);
    const same = await openWs({ Origin: `http://127.0.0.1:${port}` });
    same.close();
    const local = await openWs({ Origin: `http://localhost:${port}`, Host: `localhost:${port}` });
    local.close();
  });

  it('rejects upgrades on other paths', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
        ws.once('open', resolve);
        ws.once('error', reject);
      }),
    ).rejects.toThrow(/404/);
  });

  it('stops sending events after stop() and unsubscribes from the core', async () => {
    const k = makeTestKiosk();
    const h = new BrowserHost({ staticDir, dispatcher: k.dispatcher, subscribe: k.subscribe });
    const { port: p } = await h.start();
    expect(k.listenerCount()).toBe(1);
    const ws = new WebSocket(`ws://127.0.0.1:${p}/api/ws`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    await h.stop();
    expect(await closed).toBe(1001);
    expect(k.listenerCount()).toBe(0);
  });
});

describe('BrowserHost over HTTP', () => {
  it('serves the API health and calls', async () => {
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    const ok = await postCall('scan.submit', JSON.stringify({ text: 'SAMPLE-ALLOW' }));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, result: { decision: 'ALLOW', source: 'api' } });

    const empty = await postCall('status.get', '');
    expect(empty.status).toBe(200);
  });

  it('maps errors to status codes with bilingual messages', async () => {
    const unknown = await postCall('no.such', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });

    const badParams = await postCall('verdicts.recent', JSON.stringify({ limit: 'lots' }));
    expect(badParams.status).toBe(400);
    expect(badParams.json).toMatchObject({ ok: false, error: { code: 'BAD_PARAMS' } });

    const badJson = await postCall('status.get', '{"a":');
    expect(badJson.status).toBe(400);
    expect(badJson.json).toMatchObject({ ok: false, error: { code: 'BAD_JSON' } });

    const refused = await postCall('scan.submit', JSON.stringify({ text: 'REFUSE' }));
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ ok: false, error: { code: 'NO_SHIFT', vi: 'Chưa mở ca trực' } });

    const big = await postCall('scan.submit', JSON.stringify({ text: 'x'.repeat(65 * 1024) }));
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });
    if (!big.json.ok) expect(big.json.error.vi).toMatch(/quá lớn/);

    const formPost = await fetch(`${base}/api/call/status.get`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(formPost.status).toBe(415);

    const get = await fetch(`${base}/api/call/status.get`);
    expect(get.status).toBe(405);

    const crossSite = await postCall('status.get', '{}', { Origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_ORIGIN' } });

    // Still serving after all of that.
    expect((await postCall('status.get', '{}')).status).toBe(200);
  });

  it('serves static files with types, caching and security headers', async () => {
    const index = await rawGet('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>kiosk</title>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.headers['referrer-policy']).toBe('no-referrer');

    const js = await rawGet('/assets/app-1a2b3c.js?v=1');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');

    const font = await rawGet('/assets/font-9f8e.woff2');
    expect(font.headers['content-type']).toBe('font/woff2');

    expect((await rawGet('/missing.js')).status).toBe(404);
    expect((await rawGet('/assets')).status).toBe(404);
  });

  it('refuses directory traversal, symlinks out of the root and foreign host names', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
      '/link.txt',
    ]) {
      const res = await rawGet(p);
      expect(res.status, p).toBe(404);
      expect(res.body, p).not.toContain('TOP SECRET');
    }
    const rebind = await rawGet('/', { Host: `attacker.example:${port}` });
    expect(rebind.status).toBe(403);
  });
});
