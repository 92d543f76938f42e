// A real kiosk in-process (SQLite file, signed trust list, real permits) with three accounts, driven
// through its Dispatcher as a transport would: each caller is a CallContext holding a session token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallContext } from '../../src/api/dispatch.js';
import type { MethodName, Params, Result } from '../../src/contract/api.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { Kiosk } from '../../src/kiosk.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';

export const PINS = { admin: '900001', guard: '111111', guard2: '222222', supervisor: '333333' } as const;

export const USERS = [
  { name: 'quantri', displayName: 'Kỹ thuật viên Hoà', role: 'admin' as const, pin: PINS.admin },
  { name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám', role: 'guard' as const, pin: PINS.guard },
  { name: 'canbo2', displayName: 'Hạ sĩ Đỗ Thị Mai', role: 'guard' as const, pin: PINS.guard2 },
  {
    name: 'giamsat',
    displayName: 'Đại uý Nguyễn Văn Bình',
    role: 'supervisor' as const,
    pin: PINS.supervisor,
  },
];

export interface AuditKiosk {
  kiosk: Kiosk;
  /** The browser host's base URL when started with `http`. */
  url: string | null;
  dir: string;
  db: string;
  clock: { now: number };
  issuer: ReturnType<typeof makeIssuer>;
  permit(cti: string, body?: Record<string, unknown>, over?: Record<string, unknown>): string;
  ctx(): CallContext;
  call<M extends MethodName>(method: M, params: Params<M>, ctx?: CallContext): Promise<Result<M>>;
  login(name: string, pin: string): Promise<CallContext>;
  close(): Promise<void>;
}

export class CallFailed extends Error {
  constructor(
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(`${code}: ${en}`);
  }
}

export async function startAuditKiosk(
  opts: {
    dir?: string;
    lockoutAttempts?: number;
    retentionDays?: number;
    http?: boolean;
    config?: Record<string, unknown>;
  } = {},
): Promise<AuditKiosk> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kiosk-audit-'));
  const clock = { now: T0 };
  const issuer = makeIssuer();
  const root = generateKeyPair();
  const db = join(dir, 'kiosk.db');
  const kiosk = new Kiosk({
    checkpoint: checkpoint({ name: 'Chốt Nguyễn Trãi', lanes: ['1', '2'] }),
    root: loadPublicKey(root.publicPem),
    trust: makeTrust([{ issuer }]),
    database: db,
    serial: null,
    mqtt: null,
    http: opts.http ? { host: '127.0.0.1', port: 0 } : false,
    auth: {
      users: USERS,
      lockoutAttempts: opts.lockoutAttempts ?? 5,
      lockoutMinutes: 5,
      idleMinutes: {},
      maxMinutes: {},
    },
    ...(opts.retentionDays ? { retentionDays: opts.retentionDays } : {}),
    ...(opts.config ? { configSections: opts.config } : {}),
    // Cheap PIN hashes keep the tests quick; production uses DEFAULT_PIN_COST.
    pinCost: 2 ** 10,
    now: () => clock.now,
  });
  await kiosk.start();
  const ctx = (): CallContext => {
    const c: CallContext = {
      transport: 'ipc',
      token: null,
      setToken: (t) => {
        c.token = t;
      },
    };
    return c;
  };
  const call = async <M extends MethodName>(method: M, params: Params<M>, c: CallContext = ctx()) => {
    const r = await kiosk.dispatcher.call({ id: 1, method, params }, c);
    if (!r.ok) throw new CallFailed(r.error.code, r.error.vi, r.error.en);
    return r.result as Result<M>;
  };
  return {
    kiosk,
    url: kiosk.baseUrl,
    dir,
    db,
    clock,
    issuer,
    permit: (cti, body = {}, over = {}) => makePermit(issuer, { cti, ...over }, body),
    ctx,
    call,
    login: async (name, pin) => {
      const c = ctx();
      await call('auth.login', { name, pin }, c);
      return c;
    },
    close: async () => {
      await kiosk.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The error code a call fails with (or 'OK'). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof CallFailed ? err.code : `THROWN:${String(err)}`;
  }
}
