// A name and secret checked as every login checks them, for the kiosk's accounts and the command
// centre's operators alike: the same scrypt work for unknown names (the time taken does not tell which
// names exist), the same lockout after repeated failures, every refusal reported to the caller's audit.
import { KioskError } from '../contract/errors.js';
import { dummyHash, verifyPin } from './pin.js';

/** What a login needs to know of an account, whatever its store calls the fields. */
export interface CredentialFields {
  id: number;
  name: string;
  secretHash: string;
  disabled: boolean;
  lockedUntilMs: number;
}

export type RefusalWhy = 'unknown' | 'disabled' | 'locked' | 'pin';

/** The accounts a login is checked against; sync (the kiosk's SQLite) or async (any database). */
export interface CredentialSource<A> {
  byName(name: string): A | null | Promise<A | null>;
  fields(a: A): CredentialFields;
  /** Counts a failure; at `maxAttempts` in a row locks the account. Returns the lock's end, or null. */
  recordFailure(
    id: number,
    nowMs: number,
    maxAttempts: number,
    lockMs: number,
  ): number | null | Promise<number | null>;
  recordSuccess(id: number): void | Promise<void>;
}

export interface CredentialPolicy<A> {
  attempts: number;
  lockMs: number;
  pinCost: number;
  now: () => number;
  /** The secret's name in messages: the kiosk's "mã PIN / PIN", the command centre's "mật khẩu / password". */
  secret?: { vi: string; en: string };
  /** Records a refused attempt (audit); when it throws, the refusal is not given. */
  onRefused(account: A | null, name: string, why: RefusalWhy): void | Promise<void>;
  onLockout(account: A, untilMs: number): void | Promise<void>;
}

const PIN = { vi: 'mã PIN', en: 'PIN' };

export function loginRefused(secret = PIN): KioskError {
  return new KioskError('LOGIN_FAILED', `Sai tên đăng nhập hoặc ${secret.vi}`, `Wrong name or ${secret.en}`);
}

export function accountLocked(remainingMs: number, secret = PIN): KioskError {
  const min = Math.max(1, Math.ceil(remainingMs / 60_000));
  return new KioskError(
    'ACCOUNT_LOCKED',
    `Tài khoản tạm khoá do nhập sai ${secret.vi} nhiều lần: thử lại sau ${min} phút`,
    `Account locked after repeated wrong ${secret.en}s: try again in ${min} min`,
  );
}

/** The account whose name and secret these are, or LOGIN_FAILED / ACCOUNT_LOCKED. Creates no session. */
export async function checkCredentials<A>(
  source: CredentialSource<A>,
  policy: CredentialPolicy<A>,
  name: string,
  secret: string,
): Promise<A> {
  const now = policy.now();
  const account = await source.byName(name);
  const f = account ? source.fields(account) : null;
  if (!account || !f || f.disabled) {
    // Same work as a real check, so the time taken does not tell which names exist.
    await verifyPin(secret, await dummyHash(policy.pinCost));
    await policy.onRefused(account, name.slice(0, 64), account ? 'disabled' : 'unknown');
    throw loginRefused(policy.secret);
  }
  if (f.lockedUntilMs > now) {
    await policy.onRefused(account, f.name, 'locked');
    throw accountLocked(f.lockedUntilMs - now, policy.secret);
  }
  if (!(await verifyPin(secret, f.secretHash))) {
    const until = await source.recordFailure(f.id, policy.now(), policy.attempts, policy.lockMs);
    await policy.onRefused(account, f.name, 'pin');
    if (until !== null) {
      await policy.onLockout(account, until);
      throw accountLocked(until - policy.now(), policy.secret);
    }
    throw loginRefused(policy.secret);
  }
  await source.recordSuccess(f.id);
  return account;
}
