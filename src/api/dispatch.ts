// One place where kiosk API calls are validated, authorised and routed, whatever the transport
// (WebSocket, HTTP, Electron IPC). Transports hand raw JSON and what they know of the caller (the
// session token from a cookie or the window) here, and get back a ResultMessage.

import type { z } from 'zod';
import { log } from '../base/log.js';
import {
  type CallMessage,
  type EventName,
  isMethodName,
  type MethodName,
  type Methods,
  methods,
  type ResultMessage,
} from '../contract/api.js';
import type { Role } from '../contract/api-audit.js';
import { KioskError, toApiError } from '../contract/errors.js';

export type Transport = 'ws' | 'http' | 'ipc' | 'internal';

/** What a transport knows about who is calling. */
export interface CallContext {
  transport: Transport;
  /** Session token: the HttpOnly cookie (browser host) or the one the transport keeps (IPC, WebSocket). */
  token: string | null;
  /** The X-Kiosk-CSRF header of an HTTP call; required when the call is authenticated by cookie. */
  csrf?: string | null;
  /** The peer's address, for the audit of logins. */
  peer?: string | null;
  /** auth.login and auth.logout call this so the transport keeps (or forgets) the session. */
  setToken?: (token: string | null, expiresMs?: number) => void;
}

/** The authenticated user behind a call. */
export interface CallerSession {
  /** SHA-256 of the token: what the database keeps. */
  id: string;
  userId: number;
  name: string;
  displayName: string;
  role: Role;
  csrf: string;
  expiresMs: number;
}

export interface Caller {
  ctx: CallContext;
  session: CallerSession | null;
}

/** Decides whether a context may call a method; throws a KioskError (UNAUTHENTICATED, FORBIDDEN...). */
export interface Authorizer {
  authorize(method: MethodName, ctx: CallContext): Caller;
  /** Whether a context may receive an event (verdicts carry personal data). */
  mayReceive(event: EventName, ctx: CallContext): boolean;
}

/** No checks: for in-test kiosks and tools that run without users. */
export const OPEN_ACCESS: Authorizer = {
  authorize: (_method, ctx) => ({ ctx, session: null }),
  mayReceive: () => true,
};

export const ANONYMOUS: CallContext = Object.freeze({ transport: 'internal', token: null });

export type Implementation = {
  [M in MethodName]: (
    params: z.infer<Methods[M]['params']>,
    caller: Caller,
  ) => Promise<z.infer<Methods[M]['result']>>;
};

export type EventListener = (name: EventName, data: unknown) => void;

/** An implementation whose every method fails with NOT_IMPLEMENTED: a base for partial test kiosks. */
export function notImplemented(): Implementation {
  const impl: Record<string, () => Promise<never>> = {};
  for (const name of Object.keys(methods)) {
    impl[name] = async () => {
      throw new KioskError('NOT_IMPLEMENTED', `Chưa có lệnh ${name}`, `${name} is not implemented`);
    };
  }
  return impl as unknown as Implementation;
}

export class Dispatcher {
  constructor(
    private readonly impl: Implementation,
    private readonly access: Authorizer = OPEN_ACCESS,
  ) {}

  /** Validates, authorises, calls the implementation, and returns a result envelope; never throws. */
  async call(
    message: Pick<CallMessage, 'id' | 'method' | 'params'>,
    ctx: CallContext = ANONYMOUS,
  ): Promise<ResultMessage> {
    const { id, method } = message;
    try {
      if (!isMethodName(method)) {
        throw new KioskError('UNKNOWN_METHOD', `Không có lệnh ${method}`, `No such method ${method}`);
      }
      // Authorise before looking at the parameters: a caller without the right learns nothing more.
      const caller = this.access.authorize(method, ctx);
      const spec = methods[method];
      const parsed = spec.params.safeParse(message.params ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`)
          .join('; ');
        throw new KioskError(
          'BAD_PARAMS',
          `Tham số không hợp lệ: ${detail}`,
          `Invalid parameters: ${detail}`,
        );
      }
      const fn = this.impl[method] as (p: unknown, c: Caller) => Promise<unknown>;
      const result = await fn(parsed.data, caller);
      return { type: 'result', id, ok: true, result: spec.result.parse(result) };
    } catch (err) {
      if (!(err instanceof KioskError)) log.error(`kiosk api: ${method} failed`, err);
      return { type: 'result', id, ok: false, error: toApiError(err) };
    }
  }

  /** Whether an event may go to this caller (transports filter their fan-out with it). */
  mayReceive(event: EventName, ctx: CallContext): boolean {
    try {
      return this.access.mayReceive(event, ctx);
    } catch {
      return false;
    }
  }
}
