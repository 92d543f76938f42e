// The dashboard's JSON API as a table: each route, what it needs (nothing, a session, or a role's
// action), and what it answers. Every answer is cut to the caller's scope. The table is exported so a
// test can walk it and find every route but login and health closed to a caller without a session.
import { KioskError } from '../../src/contract/errors.js';
import type { Aggregator } from './aggregator.js';
import type { Operator, Operators } from './operators.js';
import type { Publications } from './publications.js';
import {
  type Action,
  forbidden,
  inScope,
  may,
  outOfScope,
  scopeAreas,
  scopeSnapshot,
  scopeTotals,
} from './scope.js';
import type { LedgerStore } from './store.js';
import type { Snapshot } from './types.js';

export type Need = 'public' | 'session' | Action;

export interface RouteContext {
  op: Operator;
  body: unknown;
  url: URL;
}

export interface ApiDeps {
  store: LedgerStore;
  aggregator: Aggregator;
  operators: Operators;
  publications: Publications;
  /** The city's snapshot, with alert acknowledgements. */
  snapshot(): Promise<Snapshot>;
  now(): number;
}

/** Route → what it needs. `stream`, `login`, `logout` and `health` are served by the server itself. */
export const API_ROUTES = {
  'GET /api/health': 'public',
  'POST /api/login': 'public',
  'POST /api/logout': 'session',
  'GET /api/session': 'session',
  'GET /api/stream': 'read',
  'GET /api/snapshot': 'read',
  'GET /api/totals': 'read',
  'GET /api/alerts': 'read',
  'GET /api/kiosks': 'read',
  'GET /api/areas': 'read',
  'GET /api/stats': 'read',
  'POST /api/alerts/ack': 'ack',
  'POST /api/resend': 'resend',
  'POST /api/publish': 'publish',
  'GET /api/approvals': 'session',
  'POST /api/approvals/decide': 'publish',
  'GET /api/accounts': 'accounts',
  'POST /api/accounts': 'accounts',
  'POST /api/accounts/update': 'accounts',
  'GET /api/audit': 'audit',
} as const satisfies Record<string, Need>;

export type Route = keyof typeof API_ROUTES;

export function isRoute(r: string): r is Route {
  return Object.hasOwn(API_ROUTES, r);
}

/** What the page needs to know of its operator. */
export function sessionView(op: Operator) {
  const actions: Action[] = ['read', 'ack', 'resend', 'publish', 'accounts', 'audit'];
  return {
    user: { id: op.id, name: op.name, displayName: op.displayName, role: op.role, scope: op.scope },
    can: actions.filter((a) => may(op.role, a)),
    csrfToken: op.csrf,
    expiresAt: new Date(op.expiresMs).toISOString(),
  };
}

/** The snapshot a scope sees: the city's, or its districts' with their own hourly curve. */
export async function scopedSnapshot(
  deps: ApiDeps,
  scope: Operator['scope'],
  city?: Snapshot,
): Promise<Snapshot> {
  const s = city ?? (await deps.snapshot());
  if (scope === 'city') return s;
  return scopeSnapshot(scope, s, await deps.store.hourlyOf(scope, deps.now()));
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function intField(body: unknown, name: string): number {
  const v = field(body, name);
  if (!Number.isSafeInteger(v)) {
    throw new KioskError('BAD_PARAMS', `Thiếu ${name} (số nguyên)`, `${name} must be an integer`);
  }
  return v as number;
}

export async function handle(route: Route, deps: ApiDeps, c: RouteContext): Promise<unknown> {
  const { op } = c;
  switch (route) {
    case 'GET /api/snapshot':
      return scopedSnapshot(deps, op.scope);
    case 'GET /api/totals':
      return scopeTotals(op.scope, await deps.store.totals());
    case 'GET /api/alerts':
      return (await scopedSnapshot(deps, op.scope)).alerts;
    case 'GET /api/areas':
      return scopeAreas(op.scope, await deps.store.areas());
    case 'GET /api/kiosks':
      return (await scopedSnapshot(deps, op.scope)).checkpoints;
    case 'GET /api/stats':
      // The aggregator's counters are the whole city's traffic.
      if (op.scope !== 'city') throw outOfScope(null);
      return { ...deps.aggregator.stats, ...deps.aggregator.state() };
    case 'POST /api/alerts/ack': {
      const seq = intField(c.body, 'seq');
      const alert = (await deps.snapshot()).alerts.find((a) => a.seq === seq);
      if (!alert) throw new KioskError('NOT_FOUND', `Không có cảnh báo số ${seq}`, `No alert ${seq}`);
      if (!inScope(op.scope, alert.district)) throw outOfScope(alert.district);
      await deps.operators.store.ackAlert(
        seq,
        { id: op.id, name: op.displayName },
        deps.now(),
        deps.operators.auditEntry('alert_ack', op, {
          seq,
          alert: alert.alert ?? alert.kind,
          checkpoint: alert.checkpoint,
          districts: [alert.district],
        }),
      );
      return { ok: true };
    }
    case 'POST /api/resend': {
      const district = field(c.body, 'district');
      if (typeof district !== 'string' ? op.scope !== 'city' : !inScope(op.scope, district)) {
        throw outOfScope(typeof district === 'string' ? district : null);
      }
      return deps.aggregator.resend(c.body);
    }
    case 'POST /api/publish':
      return deps.publications.publish(op, c.body);
    case 'GET /api/approvals':
      return deps.publications.list(op);
    case 'POST /api/approvals/decide':
      return deps.publications.decide(op, intField(c.body, 'id'), field(c.body, 'approve') === true);
    case 'GET /api/accounts':
      return deps.operators.listAccounts(op);
    case 'POST /api/accounts':
      return deps.operators.createAccount(op, c.body);
    case 'POST /api/accounts/update':
      return deps.operators.updateAccount(op, intField(c.body, 'id'), c.body);
    case 'GET /api/audit': {
      const before = Number(c.url.searchParams.get('before') ?? Number.MAX_SAFE_INTEGER);
      const limit = Math.min(500, Math.max(1, Number(c.url.searchParams.get('limit') ?? 100) || 100));
      return deps.operators.readAudit(
        op,
        Number.isSafeInteger(before) ? before : Number.MAX_SAFE_INTEGER,
        limit,
      );
    }
    case 'GET /api/session':
      return sessionView(op);
    default:
      throw forbidden();
  }
}
