// The browser host: the kiosk API over HTTP + WebSocket on 127.0.0.1, plus the built renderer as static
// files, for Chromium kiosk mode, a supervisor's laptop and end-to-end tests. It knows nothing of the
// kiosk core: calls go through a Dispatcher and events come from a subscribe function. Opened to the
// LAN it is HTTPS only (a certificate from `kiosk certs new`): PINs, cookies and names never cross the
// checkpoint's Wi-Fi in clear.
//
// Wire choices:
// - A WebSocket text message that is not JSON, or not a CallMessage, gets an error result and the
//   connection stays open. Its id is the message's own integer `id` when it has one, else -1.
// - A message above 64 KiB closes that connection with 1009 (ws maxPayload); other clients go on.
// - Upgrades and API calls from another site (Origin not http(s)://<Host>) or for a Host name this
//   server does not own (DNS rebinding) are refused with 403.
import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CallContext, Dispatcher, EventListener } from '../api/dispatch.js';
import {
  admitHost,
  allowedHostNames,
  apiError,
  isSameHostRequest,
  MAX_MESSAGE_BYTES,
  readBody,
  type Scheme,
  sendJson,
} from '../base/http.js';
import { log } from '../base/log.js';
import { serveStatic } from '../base/static-files.js';
import { CallMessage, type EventMessage, type EventName, type ResultMessage } from '../contract/api.js';
import { authStatus, httpCallContext, wsCallContext } from './auth.js';

export interface BrowserHostOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Folder of the built renderer (dist/renderer). */
  staticDir: string;
  dispatcher: Dispatcher;
  /** Registers an event listener with the kiosk core; returns the unsubscribe function. */
  subscribe: (listener: EventListener) => () => void;
  /** Extra Host names (without port) to accept, e.g. a LAN DNS name. */
  allowedHosts?: string[];
  /** Certificate chain and private key (PEM): HTTPS and WSS only. Required on the LAN (kiosk.json http.lan). */
  tls?: { cert: string; key: string } | undefined;
}

const WS_PATH = '/api/ws';
const CALL_PREFIX = '/api/call/';
const MAX_IN_FLIGHT = 32;
/** A client that cannot keep up (this much unsent) is dropped rather than buffering without bound. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

type Client = WebSocket & { alive?: boolean; inFlight?: number; ctx?: CallContext };

export class BrowserHost {
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private unsubscribe: (() => void) | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private allowedHosts = new Set<string>();
  private staticRoot = '';
  private readonly scheme: Scheme;

  constructor(private readonly options: BrowserHostOptions) {
    this.scheme = options.tls ? 'https' : 'http';
  }

  async start(): Promise<{ url: string; port: number }> {
    if (this.server) throw new Error('BrowserHost already started');
    const host = this.options.host ?? '127.0.0.1';
    this.allowedHosts = allowedHostNames(host, this.options.allowedHosts ?? []);
    this.staticRoot = await realpath(path.resolve(this.options.staticDir)).catch(() =>
      path.resolve(this.options.staticDir),
    );

    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    wss.on('connection', (ws: Client, req: IncomingMessage) => {
      // Who is calling: the session cookie of the upgrade request (src/host/auth.ts).
      ws.ctx = wsCallContext(req);
      this.onConnection(ws);
    });
    this.wss = wss;

    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch((err) => {
        log.error('browser host: request failed', err);
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: internalError() });
        else res.destroy();
      });
    };
    const tls = this.options.tls;
    const server: Server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler)
      : createServer(handler);
    server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.server = server;

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.error('browser host: server error', err));

    this.unsubscribe = this.options.subscribe((name, data) => {
      const message: EventMessage = { type: 'event', name, data };
      this.broadcast(JSON.stringify(message), name);
    });
    this.heartbeat = setInterval(() => this.checkAlive(), HEARTBEAT_MS);
    this.heartbeat.unref();

    const port = (server.address() as AddressInfo).port;
    const urlHost =
      host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return { url: `${this.scheme}://${urlHost}:${port}/`, port };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const wss = this.wss;
    const server = this.server;
    this.wss = null;
    this.server = null;
    if (wss) {
      for (const ws of wss.clients) ws.close(1001, 'server stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
    }
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
  }

  /** Number of connected WebSocket clients (for status displays and tests). */
  get clientCount(): number {
    return this.wss?.clients.size ?? 0;
  }

  private broadcast(text: string, event?: EventName): void {
    for (const ws of (this.wss?.clients ?? new Set()) as Set<Client>) {
      if (ws.readyState !== ws.OPEN) continue;
      // Verdicts carry personal data: only sockets whose session may see them get them.
      if (event && !this.options.dispatcher.mayReceive(event, ws.ctx ?? { transport: 'ws', token: null }))
        continue;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  }

  private checkAlive(): void {
    for (const ws of (this.wss?.clients ?? new Set()) as Set<Client>) {
      if (ws.alive === false) {
        ws.terminate();
        continue;
      }
      ws.alive = false;
      ws.ping();
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== WS_PATH || !this.wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!isSameHostRequest(req.headers, this.allowedHosts, this.scheme)) {
      // Cross-site WebSocket hijacking or DNS rebinding: a page elsewhere must not drive the kiosk.
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const wss = this.wss;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }

  private onConnection(ws: Client): void {
    ws.alive = true;
    ws.inFlight = 0;
    ws.on('pong', () => {
      ws.alive = true;
    });
    // ws reports oversized frames and protocol errors here, then closes the socket itself.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.reply(
          ws,
          errorResult(-1, 'BAD_MESSAGE', 'Tin nhắn phải là văn bản JSON', 'Message must be JSON text'),
        );
        return;
      }
      void this.handleMessage(ws, String(data));
    });
  }

  private async handleMessage(ws: Client, text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.reply(
        ws,
        errorResult(-1, 'BAD_JSON', 'Tin nhắn không phải JSON hợp lệ', 'Message is not valid JSON'),
      );
      return;
    }
    const parsed = CallMessage.safeParse(raw);
    if (!parsed.success) {
      const id = idOf(raw);
      this.reply(
        ws,
        errorResult(
          id,
          'BAD_MESSAGE',
          'Tin nhắn không đúng dạng {type:"call", id, method, params}',
          'Message is not a call {type:"call", id, method, params}',
        ),
      );
      return;
    }
    if ((ws.inFlight ?? 0) >= MAX_IN_FLIGHT) {
      this.reply(
        ws,
        errorResult(
          parsed.data.id,
          'BUSY',
          'Quá nhiều lệnh đang chờ, thử lại sau',
          'Too many calls pending; retry',
        ),
      );
      return;
    }
    ws.inFlight = (ws.inFlight ?? 0) + 1;
    try {
      this.reply(ws, await this.options.dispatcher.call(parsed.data, ws.ctx));
    } finally {
      ws.inFlight = (ws.inFlight ?? 1) - 1;
    }
  }

  private reply(ws: WebSocket, message: ResultMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    if (!admitHost(req, res, this.allowedHosts, this.scheme)) return;
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';

    if (pathname === '/api/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET');
      sendJson(res, 200, { ok: true });
      return;
    }
    if (pathname.startsWith(CALL_PREFIX))
      return this.onHttpCall(req, res, pathname.slice(CALL_PREFIX.length));
    if (pathname.startsWith('/api/')) {
      sendJson(res, 404, {
        ok: false,
        error: apiError('NOT_FOUND', 'Không có địa chỉ này', 'No such address'),
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    await this.serveStatic(req, res, pathname);
  }

  private async onHttpCall(req: IncomingMessage, res: ServerResponse, rawMethod: string): Promise<void> {
    const id = 0;
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    if (!isSameHostRequest(req.headers, this.allowedHosts, this.scheme)) {
      sendJson(
        res,
        403,
        errorResult(id, 'FORBIDDEN_ORIGIN', 'Nguồn gọi không được phép', 'Origin not allowed'),
      );
      return;
    }
    // Only JSON bodies: a cross-site form post (text/plain) cannot reach the dispatcher.
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      sendJson(
        res,
        415,
        errorResult(
          id,
          'BAD_CONTENT_TYPE',
          'Cần Content-Type: application/json',
          'Content-Type must be application/json',
        ),
      );
      return;
    }
    const body = await readBody(req, MAX_MESSAGE_BYTES);
    if (!body.ok) {
      res.setHeader('Connection', 'close');
      sendJson(res, body.status, { type: 'result', id, ok: false, error: body.error });
      return;
    }
    let params: unknown = {};
    if (body.text.trim().length > 0) {
      try {
        params = JSON.parse(body.text);
      } catch {
        sendJson(
          res,
          400,
          errorResult(id, 'BAD_JSON', 'Nội dung không phải JSON hợp lệ', 'Body is not valid JSON'),
        );
        return;
      }
    }
    let method: string;
    try {
      method = decodeURIComponent(rawMethod);
    } catch {
      method = rawMethod;
    }
    if (method.length > 64) method = method.slice(0, 64);
    const caller = httpCallContext(req);
    const result = await this.options.dispatcher.call({ id, method, params }, caller.ctx);
    // auth.login / auth.logout set or clear the HttpOnly session cookie.
    const cookie = caller.cookie(result.ok ? undefined : result.error.code);
    if (cookie) res.setHeader('Set-Cookie', cookie);
    sendJson(res, statusFor(result), result);
  }

  private async serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (await serveStatic(req, res, this.staticRoot, pathname)) return;
    sendJson(res, 404, { ok: false, error: apiError('NOT_FOUND', 'Không tìm thấy', 'Not found') });
  }
}

function idOf(raw: unknown): number {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  }
  return -1;
}

function errorResult(id: number, code: string, vi: string, en: string): ResultMessage {
  return { type: 'result', id, ok: false, error: apiError(code, vi, en) };
}

function internalError() {
  return apiError('INTERNAL', 'Lỗi nội bộ của máy', 'Internal error');
}

/** HTTP status for a dispatched call: 200 ok, 404 unknown method, 500 internal, else 400. */
export function statusFor(result: ResultMessage): number {
  if (result.ok) return 200;
  const auth = authStatus(result.error.code);
  if (auth !== null) return auth;
  if (result.error.code === 'UNKNOWN_METHOD') return 404;
  if (result.error.code === 'INTERNAL') return 500;
  return 400;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendJson(res, 405, {
    ok: false,
    error: apiError('METHOD_NOT_ALLOWED', 'Phương thức HTTP không được phép', 'HTTP method not allowed'),
  });
}
