// The command centre's dashboard host on 127.0.0.1: the built dashboard (static files), a JSON API, and
// a Server-Sent Events stream of snapshots. Snapshots are read from the ledger, so a dashboard also shows
// what other aggregators sharing the database counted (the store's data version tells us when they commit).

import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  admitHost,
  allowedHostNames,
  apiError,
  isSameHostRequest,
  readBody,
  sendJson,
} from '../../src/base/http.js';
import { log } from '../../src/base/log.js';
import { serveStatic } from '../../src/base/static-files.js';
import { toApiError } from '../../src/contract/errors.js';
import type { Aggregator } from './aggregator.js';
import type { LedgerStore } from './store.js';
import type { Snapshot } from './types.js';

export interface CommandCentreServerOptions {
  host?: string;
  port?: number;
  staticDir: string;
  store: LedgerStore;
  aggregator: Aggregator;
  allowedHosts?: string[];
  /** Least time between two pushed snapshots. */
  pushIntervalMs?: number;
  now?: () => number;
}

/** A full revocation list can be large (a million entries ≈ 66 MB of JSON); bigger: `kiosk sign`. */
const MAX_PUBLISH_BYTES = 96 * 1024 * 1024;
const MAX_RESEND_BYTES = 4096;
const MAX_BUFFERED = 8 * 1024 * 1024;
const KEEPALIVE_MS = 5000;

export class CommandCentreServer {
  private server: Server | null = null;
  private readonly streams = new Set<ServerResponse>();
  private allowed = new Set<string>();
  private staticRoot = '';
  private timer: NodeJS.Timeout | null = null;
  private dirty = true;
  private lastDataVersion = -1;
  private lastPush = 0;
  private ticking = false;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: CommandCentreServerOptions) {}

  async start(): Promise<{ url: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    this.allowed = allowedHostNames(host, this.opts.allowedHosts ?? []);
    this.staticRoot = await realpath(path.resolve(this.opts.staticDir)).catch(() =>
      path.resolve(this.opts.staticDir),
    );
    const server = createServer((req, res) => {
      this.onRequest(req, res).catch((err) => {
        log.error('command centre: request failed', err);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: toApiError(err) });
        else res.destroy();
      });
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.unsubscribe = this.opts.aggregator.onChange(() => {
      this.dirty = true;
    });
    this.timer = setInterval(() => void this.tick(), Math.min(this.opts.pushIntervalMs ?? 500, KEEPALIVE_MS));
    this.timer.unref();
    const port = (server.address() as AddressInfo).port;
    return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, port };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  async snapshot(): Promise<Snapshot> {
    const agg = this.opts.aggregator;
    const rows = await this.opts.store.snapshot(this.now());
    const state = agg.state();
    return {
      ...rows,
      broker: { connected: state.connected, url: state.url, error: state.error },
      keyId: agg.keyId(),
    };
  }

  /** Pushes a snapshot when something changed (here or in another aggregator), or as a keepalive. */
  private async tick(): Promise<void> {
    if (this.streams.size === 0 || this.ticking) return;
    this.ticking = true;
    try {
      await this.push();
    } catch {
      // The database is closing or unreachable: nothing to push this time.
    } finally {
      this.ticking = false;
    }
  }

  private async push(): Promise<void> {
    const version = await this.opts.store.dataVersion();
    const due = this.now() - this.lastPush >= KEEPALIVE_MS;
    if (!this.dirty && version === this.lastDataVersion && !due) return;
    this.dirty = false;
    this.lastDataVersion = version;
    this.lastPush = this.now();
    const frame = `event: snapshot\ndata: ${JSON.stringify(await this.snapshot())}\n\n`;
    for (const res of this.streams) {
      // A dashboard that cannot keep up is dropped; its EventSource reconnects and starts afresh.
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(frame);
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    if (!admitHost(req, res, this.allowed)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /api/health':
        return sendJson(res, 200, { ok: true });
      case 'GET /api/snapshot':
        return sendJson(res, 200, await this.snapshot());
      case 'GET /api/totals':
        return sendJson(res, 200, await this.opts.store.totals());
      case 'GET /api/stats':
        return sendJson(res, 200, { ...this.opts.aggregator.stats, ...this.opts.aggregator.state() });
      case 'GET /api/stream':
        return this.openStream(req, res);
      case 'POST /api/publish':
        return this.onPost(req, res, MAX_PUBLISH_BYTES, (body) => this.opts.aggregator.publish(body));
      case 'POST /api/resend':
        return this.onPost(req, res, MAX_RESEND_BYTES, (body) => this.opts.aggregator.resend(body));
    }
    if (url.pathname.startsWith('/api/')) {
      sendJson(res, 404, {
        ok: false,
        error: apiError('NOT_FOUND', 'Không có địa chỉ này', 'No such address'),
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, {
        ok: false,
        error: apiError('METHOD_NOT_ALLOWED', 'Phương thức HTTP không được phép', 'HTTP method not allowed'),
      });
      return;
    }
    await this.serveStatic(req, res, url.pathname);
  }

  private async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isSameHostRequest(req.headers, this.allowed)) {
      sendJson(res, 403, {
        ok: false,
        error: apiError('FORBIDDEN_ORIGIN', 'Nguồn gọi không được phép', 'Origin not allowed'),
      });
      return;
    }
    const first = await this.snapshot();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(first)}\n\n`);
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  /** A same-origin JSON request acted on by `act`: publishing a document, or a resend command. */
  private async onPost(
    req: IncomingMessage,
    res: ServerResponse,
    maxBytes: number,
    act: (body: unknown) => Promise<unknown>,
  ): Promise<void> {
    // Same-origin JSON only: a page elsewhere cannot make the command centre sign or send anything.
    if (!isSameHostRequest(req.headers, this.allowed)) {
      sendJson(res, 403, {
        ok: false,
        error: apiError('FORBIDDEN_ORIGIN', 'Nguồn gọi không được phép', 'Origin not allowed'),
      });
      return;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      sendJson(res, 415, {
        ok: false,
        error: apiError(
          'BAD_CONTENT_TYPE',
          'Cần Content-Type: application/json',
          'Content-Type must be application/json',
        ),
      });
      return;
    }
    const body = await readBody(req, maxBytes);
    if (!body.ok) {
      sendJson(res, body.status, { ok: false, error: body.error });
      return;
    }
    let request: unknown;
    try {
      request = JSON.parse(body.text);
    } catch {
      sendJson(res, 400, {
        ok: false,
        error: apiError('BAD_JSON', 'Nội dung không phải JSON hợp lệ', 'Body is not valid JSON'),
      });
      return;
    }
    try {
      const result = await act(request);
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      const error = toApiError(err);
      const status =
        error.code === 'INTERNAL'
          ? 500
          : error.code.startsWith('CC_')
            ? 503
            : error.code === 'NOT_FOUND'
              ? 404
              : 400;
      if (status === 500) log.error(`command centre: ${req.url} failed`, err);
      sendJson(res, status, { ok: false, error });
    }
  }

  private async serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (await serveStatic(req, res, this.staticRoot, pathname)) return;
    sendJson(res, 404, { ok: false, error: apiError('NOT_FOUND', 'Không tìm thấy', 'Not found') });
  }
}
