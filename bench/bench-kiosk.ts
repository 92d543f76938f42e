// A kiosk opened on the generated audit log (bench/audit.ts) as the probes hold it: no scanner, no
// broker, no browser host; a supervisor account to call the audit API with.
import type { CallContext } from '../src/api/dispatch.js';
import type { MethodName, Params, Result } from '../src/contract/api.js';
import { CheckpointConfig } from '../src/contract/checkpoint.js';
import { generateKeyPair, loadPublicKey } from '../src/contract/keys.js';
import { buildTrustList } from '../src/documents/trust-list.js';
import { Kiosk } from '../src/kiosk.js';
import { auditBenchKey } from './audit.js';

export function benchKiosk(dbPath: string): Kiosk {
  return new Kiosk({
    checkpoint: CheckpointConfig.parse({
      checkpoint: {
        id: 'TX-01',
        name: 'Chốt Nguyễn Trãi',
        district: '01-009',
        area: '01-009',
        kind: 'district-entry',
      },
    }),
    root: loadPublicKey(generateKeyPair().publicPem),
    trust: buildTrustList({ version: 1, issued: 0, issuers: [] }),
    database: dbPath,
    idnKeyFile: auditBenchKey(dbPath),
    serial: null,
    mqtt: null,
    http: false,
    auth: {
      users: [
        { name: 'quantri', role: 'admin', pin: '900001' },
        { name: 'giamsat-bench', displayName: 'Đại uý Nguyễn Văn Bình', role: 'supervisor', pin: '333333' },
      ],
      lockoutAttempts: 5,
      lockoutMinutes: 5,
      idleMinutes: {},
      maxMinutes: {},
    },
    // The log is from 2021: a 30-day retention would purge it on the first scheduled run.
    retentionDays: 3650,
  });
}

/** Logs the bench's supervisor in: `call` goes through the Dispatcher as the browser host would. */
export async function supervisor(kiosk: Kiosk): Promise<{
  ctx: CallContext;
  call: <M extends MethodName>(method: M, params: Params<M>) => Promise<Result<M>>;
}> {
  const ctx: CallContext = { transport: 'ipc', token: null, setToken: (t) => (ctx.token = t) };
  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const r = await kiosk.dispatcher.call({ id: 1, method, params }, ctx);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.en}`);
    return r.result as Result<M>;
  }
  await call('auth.login', { name: 'giamsat-bench', pin: '333333' });
  return { ctx, call };
}
