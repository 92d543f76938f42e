// The supervisor's side of the kiosk as one part for the composition root (src/kiosk.ts): accounts,
// sessions and shifts (src/auth/), the audit chain, search, reports and retention (src/audit/,
// src/reports/). It is the Dispatcher's Authorizer from construction on; until start() has opened
// them, every non-public call is refused.

import type { Authorizer, CallContext, Caller, Implementation } from '../api/dispatch.js';
import { AuthService, type BootstrapUser } from '../auth/service.js';
import type { SessionPolicy } from '../auth/sessions.js';
import type { AuthSettings } from '../auth/settings.js';
import { sessionPolicyOf } from '../auth/settings.js';
import { log as logger } from '../base/log.js';
import type { Timers } from '../base/timers.js';
import { ACCESS, EVENT_ACCESS } from '../contract/access.js';
import type { EventName, MethodName, PurgeStatus } from '../contract/api.js';
import { auditMethods } from '../contract/api-audit.js';
import { areaName } from '../contract/areas.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import { KioskError } from '../contract/errors.js';
import type { Attribution } from '../lane/types.js';
import { sha256Hex } from '../store/chain.js';
import { AuditChain } from '../store/chain-log.js';
import type { IdnKey } from '../store/idn.js';
import type { Store } from '../store/store.js';
import { AuditService, type AuditServiceOptions } from './audit-methods.js';

export interface SupervisionOptions {
  checkpoint: AuditServiceOptions['checkpoint'];
  users?: BootstrapUser[];
  lockoutAttempts?: number;
  lockoutMs?: number;
  sessions?: SessionPolicy;
  retentionDays?: number;
  /** scrypt cost of new PINs (tests lower it); default src/auth/pin.ts DEFAULT_PIN_COST. */
  pinCost?: number;
  lane: () => string;
  now: () => number;
  onShiftChange?: () => void;
  /** Where the first-run admin PIN is printed (once). */
  log?: (line: string) => void;
  /** The retention purge's schedule and slices; tests move a clock. */
  timers?: Timers;
  /** The retention purge under way (its start, about every second, its end: null). */
  onPurgeProgress?: (progress: PurgeStatus | null) => void;
  /**
   * The configuration in effect (kiosk.json sections, the checkpoint file), PINs removed: a change
   * between two starts is a chained `config_change` event naming the sections that changed.
   */
  config?: Record<string, unknown>;
}

/** passage.override is the lane's (src/lane/methods.ts): it records the chained event with its rules. */
type SupervisionMethods = Pick<
  Implementation,
  Exclude<keyof typeof auditMethods & MethodName, 'passage.override'>
>;

export type { Attribution } from '../lane/types.js';

/** The supervision options of a kiosk's configuration (kiosk.json `auth`, retention, config sections). */
export function supervisionOptions(
  o: {
    checkpoint: CheckpointConfig;
    auth?: AuthSettings | undefined;
    retentionDays?: number | undefined;
    pinCost?: number | undefined;
    configSections?: Record<string, unknown> | undefined;
  },
  wiring: Pick<SupervisionOptions, 'lane' | 'now' | 'onShiftChange' | 'timers' | 'onPurgeProgress'>,
): SupervisionOptions {
  const c = o.checkpoint.checkpoint;
  const auth = o.auth;
  return {
    checkpoint: {
      id: c.id,
      name: c.name ?? null,
      district: c.district,
      districtName: areaName(c.district),
      areaName: areaName(c.area),
    },
    ...(auth
      ? {
          users: auth.users,
          lockoutAttempts: auth.lockoutAttempts,
          lockoutMs: auth.lockoutMinutes * 60_000,
          sessions: sessionPolicyOf(auth),
        }
      : {}),
    ...(o.retentionDays ? { retentionDays: o.retentionDays } : {}),
    ...(o.pinCost ? { pinCost: o.pinCost } : {}),
    ...(o.configSections ? { config: o.configSections } : {}),
    ...wiring,
  };
}

export class Supervision implements Authorizer {
  private parts: {
    chain: AuditChain;
    idn: IdnKey;
    auth: AuthService;
    audit: AuditService;
    impl: Record<string, (p: unknown, c: Caller) => Promise<unknown>>;
  } | null = null;

  constructor(private readonly opts: SupervisionOptions) {}

  async start(store: Store): Promise<void> {
    const db = store.db;
    const chain = new AuditChain(db);
    const auth = new AuthService(db, chain, {
      ...(this.opts.users ? { bootstrapUsers: this.opts.users } : {}),
      ...(this.opts.lockoutAttempts ? { lockoutAttempts: this.opts.lockoutAttempts } : {}),
      ...(this.opts.lockoutMs ? { lockoutMs: this.opts.lockoutMs } : {}),
      ...(this.opts.sessions ? { sessions: this.opts.sessions } : {}),
      ...(this.opts.pinCost ? { pinCost: this.opts.pinCost } : {}),
      lane: this.opts.lane,
      now: this.opts.now,
      ...(this.opts.onShiftChange ? { onShiftChange: this.opts.onShiftChange } : {}),
    });
    const idn = store.idnKey;
    if (!idn)
      throw new KioskError('IDN_KEY_NOT_OPEN', 'Chưa mở khoá số giấy tờ', 'The ID-number key is not open');
    const audit = new AuditService(db, store, chain, auth, idn, {
      checkpoint: this.opts.checkpoint,
      retentionDays: this.opts.retentionDays ?? 30,
      now: this.opts.now,
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
      ...(this.opts.onPurgeProgress ? { onPurgeProgress: this.opts.onPurgeProgress } : {}),
    });
    const { firstRunAdminPin } = await auth.start();
    chain.append({ atMs: this.opts.now(), kind: 'startup', details: {} });
    if (this.opts.config) noteConfig(store, chain, this.opts.config, this.opts.now());
    audit.start();
    const impl = { ...auth.methods(), ...audit.methods() } as unknown as Record<
      string,
      (p: unknown, c: Caller) => Promise<unknown>
    >;
    this.parts = { chain, idn, auth, audit, impl };
    if (firstRunAdminPin) {
      const log = this.opts.log ?? ((l: string) => logger.info(l));
      log(`Tài khoản quản trị lần đầu / first-run admin account: ${firstRunAdminPin}`);
      log('  Hãy đổi mã PIN sau khi đăng nhập / change this PIN after logging in.');
    }
  }

  stop(): void {
    this.parts?.audit.stop();
    this.parts = null;
  }

  private get p() {
    if (!this.parts) throw new KioskError('NOT_STARTED', 'Máy chưa sẵn sàng', 'The kiosk is not started');
    return this.parts;
  }

  /** The audit chain, for other parts that record chained events (overrides, documents). */
  get chain(): AuditChain {
    return this.p.chain;
  }

  get auth(): AuthService {
    return this.p.auth;
  }

  get audit(): AuditService {
    return this.p.audit;
  }

  authorize(method: MethodName, ctx: CallContext): Caller {
    if (!this.parts) {
      if (ACCESS[method].who === 'public') return { ctx, session: null };
      throw new KioskError('NOT_STARTED', 'Máy chưa sẵn sàng', 'The kiosk is not started');
    }
    return this.parts.auth.authorize(method, ctx);
  }

  mayReceive(event: EventName, ctx: CallContext): boolean {
    if (!this.parts) return EVENT_ACCESS[event].who === 'public';
    return this.parts.auth.mayReceive(event, ctx);
  }

  /**
   * Who answers for the lane: the kiosk's open shift and its guard, whatever the source (a serial scan
   * needs no session). Null with no shift open: then a scan is not a passage (spec/policy.md).
   */
  duty(): Attribution | null {
    const shift = this.parts?.auth.currentShift() ?? null;
    return shift ? { userId: shift.user_id, userName: shift.guard, shiftId: shift.id } : null;
  }

  /** The retention purge under way, or null. */
  purgeStatus(): PurgeStatus | null {
    return this.parts?.audit.purgeStatus() ?? null;
  }

  /** The open shift for the status bar and the MQTT status. */
  shiftStatus(): { id: number; guard: string; openedAt: string } | null {
    const s = this.parts?.auth.currentShift() ?? null;
    return s ? { id: s.id, guard: s.guard, openedAt: new Date(s.opened_ms).toISOString() } : null;
  }

  /** The API methods of auth, shifts and the audit; they resolve the parts at call time. */
  methods(): SupervisionMethods {
    const out: Record<string, (params: unknown, caller: Caller) => Promise<unknown>> = {};
    const names = Object.keys(auditMethods).filter((n) => n !== 'passage.override');
    for (const name of names as (keyof SupervisionMethods)[]) {
      out[name] = async (params, caller) => {
        const fn = this.p.impl[name];
        if (!fn)
          throw new KioskError('NOT_IMPLEMENTED', `Chưa có lệnh ${name}`, `${name} is not implemented`);
        return fn(params, caller);
      };
    }
    return out as unknown as SupervisionMethods;
  }
}

const CONFIG_KEY = 'audit.config';

/** Compares each configuration section's digest with the last start's; records what changed. */
function noteConfig(store: Store, chain: AuditChain, config: Record<string, unknown>, nowMs: number): void {
  const digests = Object.fromEntries(
    Object.keys(config)
      .sort()
      .map((k) => [k, sha256Hex(JSON.stringify(config[k] ?? null))]),
  );
  const last = store.getKv(CONFIG_KEY);
  const before = last ? (JSON.parse(last) as Record<string, string>) : null;
  const changed = Object.keys({ ...digests, ...(before ?? {}) }).filter((k) => before?.[k] !== digests[k]);
  if (before && changed.length === 0) return;
  store.db
    .transaction(() => {
      chain.append({ atMs: nowMs, kind: 'config_change', details: { changed, first: before === null } });
      store.setKv(CONFIG_KEY, JSON.stringify(digests), nowMs);
    })
    .immediate();
}
