// "Đúng người đúng việc": what each role may do, and what an account's scope lets it see. A district's
// account sees its districts' checkpoints, alerts, acknowledgements and totals, never the city's.
import { KioskError } from '../../src/contract/errors.js';
import { VERSION_PREFIX } from '../../src/contract/mqtt-topics.js';
import type { CcRole, Scope } from './operator-store.js';
import type { AreaView, CheckpointTotalsRow, HourView, Snapshot } from './types.js';

export type Action = 'read' | 'ack' | 'resend' | 'publish' | 'accounts' | 'audit';

/** One role, one job: a publisher signs, an operator handles alerts, an admin manages accounts. */
export const CAN: Record<Action, readonly CcRole[]> = {
  read: ['viewer', 'operator', 'publisher', 'admin'],
  ack: ['operator'],
  resend: ['operator'],
  publish: ['publisher'],
  accounts: ['admin'],
  audit: ['admin'],
};

export function may(role: CcRole, action: Action): boolean {
  return CAN[action].includes(role);
}

export function forbidden(): KioskError {
  return new KioskError(
    'FORBIDDEN',
    'Tài khoản của bạn không được làm việc này',
    'Your role may not do this',
  );
}

export function outOfScope(district: string | null): KioskError {
  return district === null
    ? new KioskError('FORBIDDEN', 'Việc này cần phạm vi toàn thành phố', 'This needs a city-wide scope')
    : new KioskError(
        'FORBIDDEN',
        `Quận/huyện ${district} ngoài phạm vi của bạn`,
        `District ${district} is outside your scope`,
      );
}

export function inScope(scope: Scope, district: string): boolean {
  return scope === 'city' || scope.includes(district);
}

/** Whether `inner` lies within `outer` (an admin grants no more than it holds). */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  if (outer === 'city') return true;
  return inner !== 'city' && inner.every((d) => outer.includes(d));
}

/** Whether an audit entry (its `districts`, absent for the city) is for eyes of this scope. */
export function auditVisible(scope: Scope, details: Record<string, unknown>): boolean {
  if (scope === 'city') return true;
  const d = details.districts;
  return Array.isArray(d) && d.some((x) => typeof x === 'string' && scope.includes(x));
}

export function scopeTotals(scope: Scope, rows: CheckpointTotalsRow[]): CheckpointTotalsRow[] {
  return scope === 'city' ? rows : rows.filter((r) => inScope(scope, r.district));
}

/**
 * A snapshot cut to a scope. The hourly curve is the city's sum, so a district's account gets it from
 * `hourly` (its own districts) or none; broker rejections name other districts' topics: city only.
 */
/** The areas guarded by a checkpoint in scope, with those checkpoints only. */
export function scopeAreas(scope: Scope, areas: AreaView[]): AreaView[] {
  if (scope === 'city') return areas;
  return areas
    .map((a) => ({ ...a, checkpoints: a.checkpoints.filter((c) => inScope(scope, c.district)) }))
    .filter((a) => a.checkpoints.length > 0);
}

export function scopeSnapshot(scope: Scope, s: Snapshot, hourly: HourView[] | null): Snapshot {
  if (scope === 'city') return s;
  return {
    ...s,
    areas: scopeAreas(scope, s.areas),
    checkpoints: s.checkpoints.filter((c) => inScope(scope, c.district)),
    districts: s.districts.filter((d) => inScope(scope, d.district)),
    hourly: hourly ?? [],
    alerts: s.alerts.filter((a) => inScope(scope, a.district)),
    acks: s.acks.filter((a) => inScope(scope, a.district)),
    // A config names its district in its topic; trust lists, revocations and zones are the city's.
    published: s.published.filter(
      (p) => !p.topic.endsWith('/config') || scope.some((d) => p.topic.startsWith(`${VERSION_PREFIX}/${d}/`)),
    ),
    rejected: [],
  };
}
