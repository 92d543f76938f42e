// Small HTTP helpers for the browser host: security headers, content types, body reading, host checks.
// Kept apart from server.ts so each decision (which header, which type, which host) is testable alone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { ApiError } from '../contract/api.js';
import { contentSecurityPolicy } from './csp.js';

export const MAX_MESSAGE_BYTES = 64 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  const dot = filePath.lastIndexOf('.');
  const ext = dot >= 0 ? filePath.slice(dot).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export type Scheme = 'http' | 'https';

export function setSecurityHeaders(res: ServerResponse, hostHeader: string, scheme: Scheme = 'http'): void {
  const ws = scheme === 'https' ? 'wss' : 'ws';
  res.setHeader('Content-Security-Policy', contentSecurityPolicy({ connect: [`${ws}://${hostHeader}`] }));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function apiError(code: string, vi: string, en: string): ApiError {
  return { code, vi, en };
}

export type BodyResult = { ok: true; text: string } | { ok: false; status: number; error: ApiError };

/** Reads a request body up to `limit` bytes; never buffers more than that. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge: BodyResult = {
      ok: false,
      status: 413,
      error: apiError(
        'TOO_LARGE',
        `Yêu cầu quá lớn (tối đa ${limit} byte)`,
        `Request too large (at most ${limit} bytes)`,
      ),
    };
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', () => {
      if (done) return;
      done = true;
      resolve({ ok: false, status: 400, error: apiError('BAD_REQUEST', 'Yêu cầu hỏng', 'Broken request') });
    });
  });
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** Host names (without port) this server answers to; anything else may be a DNS-rebinding attack. */
export function allowedHostNames(bindHost: string, extra: readonly string[]): Set<string> {
  const names = new Set<string>([
    ...LOOPBACK_NAMES,
    bindHost.toLowerCase(),
    ...extra.map((h) => h.toLowerCase()),
  ]);
  if (bindHost === '0.0.0.0' || bindHost === '::') {
    // Bound to every interface (a supervisor's laptop on the LAN): accept this machine's own addresses.
    for (const list of Object.values(networkInterfaces())) {
      for (const addr of list ?? []) names.add(addr.family === 'IPv6' ? `[${addr.address}]` : addr.address);
    }
  }
  return names;
}

/** Splits a Host header or URL authority into its host name, lower-cased, without the port. */
export function hostNameOf(authority: string): string {
  const a = authority.trim().toLowerCase();
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    return end > 0 ? a.slice(0, end + 1) : a;
  }
  const colon = a.indexOf(':');
  return colon >= 0 ? a.slice(0, colon) : a;
}

/**
 * True when a browser request comes from our own page: the Host header names this server and the
 * Origin (when present) is exactly <scheme>://<Host>. Clients that send no Origin (scripts, tests) pass.
 */
export function isSameHostRequest(
  headers: IncomingMessage['headers'],
  allowedHosts: ReadonlySet<string>,
  scheme: Scheme = 'http',
): boolean {
  const host = headers.host;
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) return false;
  if (!allowedHosts.has(hostNameOf(host))) return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  return origin.toLowerCase() === `${scheme}://${host.toLowerCase()}`;
}

/**
 * Answers 403 to a request whose Host is not ours (DNS rebinding) and returns false; otherwise sets the
 * security headers and returns true. Both the kiosk's and the command centre's servers start with it.
 */
export function admitHost(
  req: IncomingMessage,
  res: ServerResponse,
  allowedHosts: ReadonlySet<string>,
  scheme: Scheme = 'http',
): boolean {
  const hostHeader = req.headers.host ?? '';
  if (!isSameHostRequest({ host: hostHeader }, allowedHosts)) {
    res.setHeader('Content-Security-Policy', "default-src 'none'");
    sendJson(res, 403, {
      ok: false,
      error: apiError('FORBIDDEN_HOST', 'Tên máy chủ không được phép', 'Host name not allowed'),
    });
    return false;
  }
  setSecurityHeaders(res, hostHeader, scheme);
  return true;
}
