// kiosk.json's `auth` and `retention` sections (spread into src/config/settings.ts), and the rule that
// the browser host leaves loopback only when told so explicitly.
import { z } from 'zod';
import { DEFAULT_RETENTION_DAYS } from '../audit/retention.js';
import { Pin, Role, UserName } from '../contract/api-audit.js';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './sessions.js';

const Minutes = z
  .number()
  .positive()
  .max(7 * 24 * 60);
const ByRole = z
  .object({ guard: Minutes.optional(), supervisor: Minutes.optional(), admin: Minutes.optional() })
  .strict()
  .prefault({});

export const AuthSettings = z
  .object({
    /**
     * Accounts created at start when no account of that name exists (never overwritten: a PIN
     * changed on the kiosk stays changed). Meant for the first start and the demo; change the PINs.
     */
    users: z
      .array(
        z
          .object({ name: UserName, displayName: z.string().min(1).max(80).optional(), role: Role, pin: Pin })
          .strict(),
      )
      .max(100)
      .default([]),
    /** Wrong PINs in a row before the account locks. */
    lockoutAttempts: z.number().int().min(1).max(100).default(5),
    lockoutMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(5),
    /** Idle time after which a session ends, by role (defaults: guard 720, supervisor 30, admin 15). */
    idleMinutes: ByRole,
    /** Longest session, by role (defaults: guard 960, supervisor 720, admin 240). */
    maxMinutes: ByRole,
  })
  .strict()
  .prefault({});
export type AuthSettings = z.infer<typeof AuthSettings>;

export const RetentionSettings = z
  .object({
    /** Personal data of passages older than this is erased (counts are kept). */
    days: z.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
  })
  .strict()
  .prefault({});
export type RetentionSettings = z.infer<typeof RetentionSettings>;

export function sessionPolicyOf(a: AuthSettings): SessionPolicy {
  const pick = (given: Partial<Record<Role, number | undefined>>, base: Record<Role, number>) => ({
    guard: given.guard !== undefined ? given.guard * 60_000 : base.guard,
    supervisor: given.supervisor !== undefined ? given.supervisor * 60_000 : base.supervisor,
    admin: given.admin !== undefined ? given.admin * 60_000 : base.admin,
  });
  return {
    idleMs: pick(a.idleMinutes, DEFAULT_SESSION_POLICY.idleMs),
    maxMs: pick(a.maxMinutes, DEFAULT_SESSION_POLICY.maxMs),
  };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

/**
 * The browser host binds loopback unless `http.lan` is true: opening the kiosk (and its personal data)
 * to the network must be a decision, not a typo. Used as a refinement of the `http` section.
 */
export function checkLanBinding(
  http: { host: string; lan?: boolean | undefined },
  ctx: z.RefinementCtx,
): void {
  if (!isLoopbackHost(http.host) && http.lan !== true) {
    ctx.addIssue({
      code: 'custom',
      path: ['lan'],
      message:
        `http.host ${http.host} không phải địa chỉ nội bộ máy: đặt "lan": true để mở cho mạng LAN (mọi lệnh cần đăng nhập) / ` +
        `http.host ${http.host} is not loopback: set "lan": true to open the kiosk to the LAN (every call then needs a login)`,
    });
  }
}
