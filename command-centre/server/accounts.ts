// Operator accounts as the API and the CLI give and show them: the input checked (name, role, scope,
// password) with bilingual refusals, and the view that never carries the password's hash.
import { KioskError } from '../../src/contract/errors.js';
import { type AccountRow, CC_ROLES, type CcRole, type Scope } from './operator-store.js';

export interface AccountView {
  id: number;
  name: string;
  displayName: string;
  role: CcRole;
  scope: Scope;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export function toAccountView(a: AccountRow, nowMs: number): AccountView {
  return {
    id: a.id,
    name: a.name,
    displayName: a.displayName,
    role: a.role,
    scope: a.scope,
    disabled: a.disabled,
    lockedUntil: a.lockedUntilMs > nowMs ? new Date(a.lockedUntilMs).toISOString() : null,
    createdAt: new Date(a.createdMs).toISOString(),
  };
}

function badParams(vi: string, en: string): KioskError {
  return new KioskError('BAD_PARAMS', vi, en);
}

/** An account as the API and the CLI give it, checked. */
export function parseAccountInput(
  body: unknown,
  partial: boolean,
): {
  name?: string;
  displayName?: string;
  role?: CcRole;
  scope?: Scope;
  secret?: string;
  disabled?: boolean;
} {
  if (typeof body !== 'object' || body === null)
    throw badParams('Thiếu thông tin tài khoản', 'No account given');
  const b = body as Record<string, unknown>;
  const out: ReturnType<typeof parseAccountInput> = {};
  if (b.name !== undefined || !partial) {
    if (typeof b.name !== 'string' || !/^[\p{L}\p{N}._-]{2,40}$/u.test(b.name.trim())) {
      throw badParams('Tên đăng nhập 2–40 ký tự chữ, số, . _ -', 'Login name: 2–40 letters, digits, . _ -');
    }
    out.name = b.name.trim();
  }
  if (b.displayName !== undefined) {
    if (typeof b.displayName !== 'string' || b.displayName.trim().length > 80) {
      throw badParams('Tên hiển thị tối đa 80 ký tự', 'Display name: at most 80 characters');
    }
    out.displayName = b.displayName.trim();
  }
  if (b.role !== undefined || !partial) {
    if (!CC_ROLES.includes(b.role as CcRole)) {
      throw badParams(`Vai trò: ${CC_ROLES.join(', ')}`, `Role: one of ${CC_ROLES.join(', ')}`);
    }
    out.role = b.role as CcRole;
  }
  if (b.scope !== undefined || !partial) out.scope = parseScope(b.scope);
  if (b.password !== undefined || !partial) {
    if (typeof b.password !== 'string' || b.password.length < 8 || b.password.length > 200) {
      throw badParams('Mật khẩu cần ít nhất 8 ký tự', 'The password needs at least 8 characters');
    }
    out.secret = b.password;
  }
  if (b.disabled !== undefined) out.disabled = b.disabled === true;
  return out;
}

/** `city`, or districts as an array or a comma-separated list of area codes. */
export function parseScope(v: unknown): Scope {
  if (v === 'city') return 'city';
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((d) => typeof d === 'string' && /^[A-Za-z0-9_-]{1,32}$/.test(d))
  ) {
    throw badParams(
      'Phạm vi: "city" (toàn thành phố) hoặc danh sách mã quận/huyện',
      'Scope: "city" or a list of district codes',
    );
  }
  return [...new Set(list as string[])].sort();
}
