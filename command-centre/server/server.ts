// The command centre's dashboard host: the built dashboard (static files), a JSON API, and a Server-Sent
// Events stream of snapshots, each behind an operator's login and cut to its scope (api-routes.ts).
// Snapshots are read from the store, so a dashboard also shows what other aggregators sharing the
// database counted (the store's data version tells us when they commit). Beyond loopback it is HTTPS only.

import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { admitHost, allowedHostNames, apiError, isSameHostRequest, sendJson } from '../../src/base/http.js';
import { log } from '../../src/base/log.js';
import { serveStatic } from '../../src/base/static-files.js';
import { KioskError, toApiError } from '../../src/contract/errors.js';
import { authStatus, sessionCookie, sessionTokenOf } from '../../src/host/auth.js';
import type { TlsPair } from '../../src/host/tls-files.js';
import type { Aggregator } from './aggregator.js';
import { API_ROUTES, type ApiDeps, handle, isRoute, scopedSnapshot, sessionView } from './api-routes.js';
import { NOTHING, readJsonPost } from './json-post.js';
import { districtsOf, type Operator, type Operators } from './operators.js';
import { Publications } from './publications.js';
import { forbidden, may } from './scope.js';
import type { LedgerStore } from './store.js';
import type { Snapshot } from './types.js';

export const CC_SESSION_COOKIE = 'cc_session';

export interface CommandCentreServerOptions {
  host?: string;
  port?: number;
  staticDir: string;
  store: LedgerStore;
  aggregator: Aggregator;
  operators: Operators;
  /** Certificate and key: required to bind beyond loopback. */
  tls?: TlsPair;
  allowedHosts?: string[];
  /** Least time between two pushed snapshots. */
  pushIntervalMs?: number;
  now?: () => number;
}

/** A full revocation list can be large (a million entries ≈ 66 MB of JSON); bigger: `kiosk sign`. */
const MAX_PUBLISH_BYTES = 96 * 1024 * 1024;
const MAX_SMALL_BYTES = 64 * 1024;
const MAX_LOGIN_BYTES = 4096;
const MAX_BUFFERED = 8 * 1024 * 1024;
const KEEPALIVE_MS = 5000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** The refusal of a dashboard opened beyond loopback without a certificate. */
export function dashboardTlsRequired(host: string): KioskError {
  return new KioskError(
    'TLS_REQUIRED',
    `Mở bảng điều khiển trên ${host} (ngoài máy này) cần HTTPS: đặt --tls-cert và --tls-key (tạo bằng ` +
      '`kiosk certs new`). Mật khẩu, cookie phiên và số liệu các chốt không được đi qua mạng ở dạng rõ.',
    `Serving the dashboard on ${host} (beyond this machine) needs HTTPS: set --tls-cert and --tls-key (made ` +
      'by `kiosk certs new`). Passwords, session cookies and checkpoint figures must not cross the network in clear.',
  );
}

export class CommandCentreServer {
  private server: Server | null = null;
  /** Each open stream and the operator it serves: frames are cut to that operator's scope. */
  private readonly streams = new Map<ServerResponse, Operator>();
  private readonly deps: ApiDeps;
  private lastCheck = 0;
  private allowed = new Set<string>();
  private staticRoot = '';
  private timer: NodeJS.Timeout | null = null;
  private dirty = true;
  private lastDataVersion = -1;
  private lastPush = 0;
  private ticking = false;
  /** The last failed push's message while pushes fail (null when the last one worked). */
  private pushFailure: string | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: CommandCentreServerOptions) {
    const publications = new Publications(
      opts.operators,
      (r) => opts.aggregator.publish(r),
      (r) => opts.aggregator.checkPublish(r),
    );
    this.deps = {
      store: opts.store,
      aggregator: opts.aggregator,
      operators: opts.operators,
      publications,
      snapshot: () => this.snapshot(),
      now: () => this.now(),
    };
  }

  private get scheme(): 'http' | 'https' {
    return this.opts.tls ? 'https' : 'http';
  }

  async start(): Promise<{ url: string; port: number }> {
    const host = this.opts.host ?? '127.0.0.1';
    if (!this.opts.tls && !LOOPBACK.test(host)) throw dashboardTlsRequired(host);
    this.allowed = allowedHostNames(host, this.opts.allowedHosts ?? []);
    this.staticRoot = await realpath(path.resolve(this.opts.staticDir)).catch(() =>
      path.resolve(this.opts.staticDir),
    );
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err) => {
        log.error('command centre: request failed', err);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: toApiError(err) });
        else res.destroy();
      });
    };
    const server: Server = this.opts.tls
      ? (createHttpsServer(
          { cert: this.opts.tls.cert, key: this.opts.tls.key },
          listener,
        ) as unknown as Server)
      : createServer(listener);
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
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return { url: `${this.scheme}://${shown}:${port}/`, port };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.streams.keys()) s.end();
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

  /** The city's snapshot, each alert with its acknowledgement. */
  async snapshot(): Promise<Snapshot> {
    const agg = this.opts.aggregator;
    const rows = await this.opts.store.snapshot(this.now());
    const state = agg.state();
    const s: Snapshot = {
      ...rows,
      broker: { connected: state.connected, url: state.url, error: state.error },
      keyId: agg.keyId(),
    };
    const acks = await this.opts.operators.store.alertAcks(s.alerts.map((a) => a.seq));
    for (const a of s.alerts) {
      const ack = acks.get(a.seq);
      a.ackedBy = ack?.userName ?? null;
      a.ackedAt = ack ? new Date(ack.atMs).toISOString() : null;
    }
    return s;
  }

  /** Pushes a snapshot when something changed (here or in another aggregator), or as a keepalive. */
  private async tick(): Promise<void> {
    // One push at a time: a slow database must not stack them up.
    if (this.streams.size === 0 || this.ticking) return;
    this.ticking = true;
    try {
      await this.push();
      if (this.pushFailure !== null) log.info('command centre: stream pushes work again');
      this.pushFailure = null;
    } catch (err) {
      // The database is closing or unreachable: nothing to push this time. Said once per cause, not
      // at every tick of an outage.
      const message = (err as Error).message;
      if (message !== this.pushFailure) log.warn(`command centre: stream push failed: ${message}`);
      this.pushFailure = message;
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
    if (this.now() - this.lastCheck >= KEEPALIVE_MS) await this.recheckStreams();
    const city = await this.snapshot();
    const frames = new Map<string, string>();
    for (const [res, op] of this.streams) {
      const key = JSON.stringify(op.scope);
      let frame = frames.get(key);
      if (frame === undefined) {
        frame = `event: snapshot\ndata: ${JSON.stringify(await scopedSnapshot(this.deps, op.scope, city))}\n\n`;
        frames.set(key, frame);
      }
      // A dashboard that cannot keep up is dropped; its EventSource reconnects and starts afresh.
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(frame);
    }
  }

  /** Ends the streams of sessions that ended (logout, expiry, account disabled or changed). */
  private async recheckStreams(): Promise<void> {
    this.lastCheck = this.now();
    for (const [res, op] of this.streams) {
      const live = await this.opts.operators.resolveSession(op.sessionId);
      if (!live) {
        this.streams.delete(res);
        res.end();
      } else this.streams.set(res, live);
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    if (!admitHost(req, res, this.allowed, this.scheme)) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    if (!url.pathname.startsWith('/api/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        sendJson(res, 405, {
          ok: false,
          error: apiError(
            'METHOD_NOT_ALLOWED',
            'Phương thức HTTP không được phép',
            'HTTP method not allowed',
          ),
        });
        return;
      }
      await this.serveStatic(req, res, url.pathname);
      return;
    }
    if (route === 'GET /api/health') return sendJson(res, 200, { ok: true });
    if (route === 'POST /api/login')
      return this.onPost(req, res, MAX_LOGIN_BYTES, null, (body) => this.login(req, res, body));
    // Everything else, known or not, first needs a session: a caller without one learns nothing.
    const token = sessionTokenOf(req.headers.cookie, CC_SESSION_COOKIE);
    const op = await this.opts.operators.resolve(token);
    if (!op) {
      if (token) res.setHeader('Set-Cookie', this.cookie(null, req));
      sendJson(res, 401, {
        ok: false,
        error: token
          ? apiError(
              'SESSION_EXPIRED',
              'Phiên đã hết hạn: hãy đăng nhập lại',
              'Session expired: log in again',
            )
          : apiError('UNAUTHENTICATED', 'Cần đăng nhập', 'Login required'),
      });
      return;
    }
    if (!isRoute(route)) {
      sendJson(res, 404, {
        ok: false,
        error: apiError('NOT_FOUND', 'Không có địa chỉ này', 'No such address'),
      });
      return;
    }
    const need = API_ROUTES[route];
    if (need !== 'public' && need !== 'session' && !may(op.role, need)) {
      req.resume();
      return this.sendError(req, res, forbidden(), op, route);
    }
    if (route === 'GET /api/stream') return this.openStream(req, res, op);
    if (route === 'POST /api/logout') {
      return this.onPost(req, res, MAX_SMALL_BYTES, op, async () => {
        await this.opts.operators.logout(op);
        res.setHeader('Set-Cookie', this.cookie(null, req));
        return { ok: true };
      });
    }
    if (req.method === 'GET') {
      try {
        sendJson(res, 200, await handle(route, this.deps, { op, body: null, url }));
      } catch (err) {
        await this.sendError(req, res, err, op, route);
      }
      return;
    }
    const limit = route === 'POST /api/publish' ? MAX_PUBLISH_BYTES : MAX_SMALL_BYTES;
    return this.onPost(req, res, limit, op, (body) => handle(route, this.deps, { op, body, url }), route);
  }

  private cookie(token: string | null, req: IncomingMessage, expiresMs?: number, nowMs = this.now()): string {
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    return sessionCookie(token, expiresMs, nowMs, secure, CC_SESSION_COOKIE);
  }

  private async login(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<unknown> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof b.name !== 'string' || typeof b.password !== 'string' || b.password.length > 200) {
      throw new KioskError('BAD_PARAMS', 'Cần tên đăng nhập và mật khẩu', 'A name and a password are needed');
    }
    const { token, operator, atMs } = await this.opts.operators.login(
      b.name,
      b.password,
      req.socket.remoteAddress ?? null,
    );
    // The cookie lasts the session's lifetime; idleness is the server's to judge, at each request.
    res.setHeader('Set-Cookie', this.cookie(token, req, operator.maxEndMs, atMs));
    return sessionView(operator);
  }

  /** Answers an error; a refusal by role or scope is audited: who tried what is worth knowing. */
  private async sendError(
    req: IncomingMessage,
    res: ServerResponse,
    err: unknown,
    op?: Operator | null,
    route?: string,
  ): Promise<void> {
    const error = toApiError(err);
    if (op && (error.code === 'FORBIDDEN' || error.code === 'FOUR_EYES')) {
      await this.opts.operators.audit('forbidden', op, {
        route,
        code: error.code,
        why: error.en,
        ...districtsOf(op.scope),
      });
    }
    const status =
      authStatus(error.code) ??
      (error.code === 'INTERNAL'
        ? 500
        : error.code.startsWith('CC_')
          ? 503
          : error.code === 'NOT_FOUND' || error.code === 'USER_NOT_FOUND'
            ? 404
            : error.code === 'ALREADY_DECIDED' || error.code === 'USER_EXISTS'
              ? 409
              : 400);
    if (status === 500) log.error(`command centre: ${req.url} failed`, err);
    sendJson(res, status, { ok: false, error });
  }

  private openStream(req: IncomingMessage, res: ServerResponse, op: Operator): void {
    if (!isSameHostRequest(req.headers, this.allowed, this.scheme)) {
      sendJson(res, 403, {
        ok: false,
        error: apiError('FORBIDDEN_ORIGIN', 'Nguồn gọi không được phép', 'Origin not allowed'),
      });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    this.streams.set(res, op);
    req.on('close', () => this.streams.delete(res));
    scopedSnapshot(this.deps, op.scope)
      .then((s) => res.write(`event: snapshot\ndata: ${JSON.stringify(s)}\n\n`))
      .catch((err) => {
        log.error('command centre: first stream frame failed', err);
        res.destroy();
      });
  }

  /** A same-origin JSON request acted on by `act`; with a session (op), its CSRF header too. */
  private async onPost(
    req: IncomingMessage,
    res: ServerResponse,
    maxBytes: number,
    op: Operator | null,
    act: (body: unknown) => Promise<unknown>,
    route?: string,
  ): Promise<void> {
    const request = await readJsonPost(req, res, {
      allowed: this.allowed,
      scheme: this.scheme,
      csrf: op?.csrf ?? null,
      maxBytes,
    });
    if (request === NOTHING) return;
    try {
      const result = await act(request);
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      await this.sendError(req, res, err, op, route);
    }
  }

  private async serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (await serveStatic(req, res, this.staticRoot, pathname)) return;
    sendJson(res, 404, { ok: false, error: apiError('NOT_FOUND', 'Không tìm thấy', 'Not found') });
  }
}
