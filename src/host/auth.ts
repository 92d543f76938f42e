// Sessions on the browser host: the token lives in an HttpOnly, SameSite=Strict cookie set by the
// `auth.login` call (POST /api/call/auth.login), so page scripts never see it; WebSocket upgrades carry
// it too. Cross-site request forgery is stopped three ways: SameSite=Strict (another site's page sends
// no cookie), the existing same-origin and JSON-only checks, and, for cookie-authenticated HTTP calls,
// the session's CSRF token in an X-Kiosk-CSRF header (guards against same-site pages on other ports).
import type { IncomingMessage } from 'node:http';
import type { CallContext } from '../api/dispatch.js';

export const SESSION_COOKIE = 'kiosk_session';
export const CSRF_HEADER = 'x-kiosk-csrf';

/** The session token from a Cookie header, if any (the first well-formed one). */
export function sessionTokenOf(cookieHeader: string | undefined, name = SESSION_COOKIE): string | null {
  if (!cookieHeader || cookieHeader.length > 8192) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]{20,128}$/.test(value)) return value;
  }
  return null;
}

/**
 * Set-Cookie for a new session, or one that deletes it (token null); `Secure` when served over HTTPS.
 * `name` differs per server: cookies ignore ports, so a kiosk and a command centre on one host would clash.
 */
export function sessionCookie(
  token: string | null,
  expiresMs: number | undefined,
  nowMs: number,
  secure = false,
  name = SESSION_COOKIE,
): string {
  const base = `${name}=${token ?? ''}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  if (token === null) return `${base}; Max-Age=0`;
  const maxAge = Math.max(1, Math.floor(((expiresMs ?? nowMs + 3_600_000) - nowMs) / 1000));
  return `${base}; Max-Age=${maxAge}`;
}

/**
 * The caller of one HTTP call. `cookie(code)` is the Set-Cookie to send: a new session after a login,
 * a deletion after a logout or when the cookie named a dead session (code SESSION_EXPIRED).
 */
export function httpCallContext(
  req: IncomingMessage,
  nowMs = Date.now(),
): { ctx: CallContext; cookie: (errorCode?: string) => string | null } {
  let cookie: string | null = null;
  // Over TLS (http.lan) the cookie is Secure: a browser never sends it to a plain-HTTP look-alike.
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  const csrf = req.headers[CSRF_HEADER];
  const ctx: CallContext = {
    transport: 'http',
    token: sessionTokenOf(req.headers.cookie),
    csrf: typeof csrf === 'string' ? csrf : null,
    peer: req.socket.remoteAddress ?? null,
    setToken: (token, expiresMs) => {
      cookie = sessionCookie(token, expiresMs, nowMs, secure);
    },
  };
  return {
    ctx,
    cookie: (errorCode) =>
      cookie ?? (errorCode === 'SESSION_EXPIRED' ? sessionCookie(null, undefined, nowMs, secure) : null),
  };
}

/**
 * The caller behind one WebSocket: the cookie of its upgrade request. A login or logout sent over the
 * socket changes the socket's own session (no cookie can be set over a WebSocket).
 */
export function wsCallContext(req: IncomingMessage): CallContext {
  const ctx: CallContext = {
    transport: 'ws',
    token: sessionTokenOf(req.headers.cookie),
    peer: req.socket.remoteAddress ?? null,
    setToken: (token) => {
      ctx.token = token;
    },
  };
  return ctx;
}

/** HTTP status for the errors of authentication and authorisation; null for others. */
export function authStatus(code: string): number | null {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'SESSION_EXPIRED':
    case 'LOGIN_FAILED':
      return 401;
    case 'FORBIDDEN':
    case 'CSRF':
    case 'NOT_YOUR_SHIFT':
      return 403;
    case 'ACCOUNT_LOCKED':
      return 429;
    default:
      return null;
  }
}
