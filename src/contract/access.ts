// Who may call what ("đúng người đúng việc"): every kiosk API method mapped to the roles allowed. One
// table, checked by the Dispatcher on every call whatever the transport. No Node imports: the renderer
// reads it to show only the screens a role may use.
import type { EventName, MethodName } from './api.js';
import type { Role } from './api-audit.js';

export interface MethodAccess {
  /** 'public': anyone, logged in or not; 'session': any logged-in user; else the roles listed. */
  who: 'public' | 'session' | readonly Role[];
  /** The caller must be the guard of the kiosk's open shift (scanning, lane, override). */
  ownShift?: true;
}

const GUARD = ['guard'] as const satisfies readonly Role[];
const SUPERVISOR = ['supervisor'] as const satisfies readonly Role[];
const ADMIN = ['admin'] as const satisfies readonly Role[];

export const ACCESS: Record<MethodName, MethodAccess> = {
  // The login screen needs the checkpoint's name and the clock before anyone logs in.
  'status.get': { who: 'public' },
  'scan.submit': { who: GUARD, ownShift: true },
  'verdicts.recent': { who: GUARD, ownShift: true },
  'lane.set': { who: GUARD, ownShift: true },
  'demo.samples': { who: GUARD, ownShift: true },
  'auth.login': { who: 'public' },
  'auth.whoami': { who: 'public' },
  'auth.logout': { who: 'session' },
  'auth.changePin': { who: 'session' },
  // A technician manages accounts; a supervisor audits; neither scans.
  'users.list': { who: ADMIN },
  'users.create': { who: ADMIN },
  'users.update': { who: ADMIN },
  'shift.current': { who: 'session' },
  'shift.open': { who: GUARD },
  // The guard hands over; a supervisor may close a shift a guard left open.
  'shift.close': { who: ['guard', 'supervisor'] },
  'shift.list': { who: SUPERVISOR },
  'shift.get': { who: SUPERVISOR },
  'shift.signoff': { who: SUPERVISOR },
  'passage.override': { who: GUARD, ownShift: true },
  'audit.search': { who: SUPERVISOR },
  'audit.passage': { who: SUPERVISOR },
  // The event log holds no passer's personal data: the technician may read it to diagnose.
  'audit.events': { who: ['supervisor', 'admin'] },
  'audit.verify': { who: ['supervisor', 'admin'] },
  'audit.flow': { who: SUPERVISOR },
  'export.csv': { who: SUPERVISOR },
  'export.shiftReport': { who: SUPERVISOR },
  'retention.purge': { who: ADMIN },
  // The guard's lane: a manual entry is a passage of the guard's shift; the port list is
  // for the technician setting up the scanner.
  'manual.record': { who: GUARD, ownShift: true },
  'lane.vehicle': { who: GUARD, ownShift: true },
  'scanner.ports': { who: ADMIN },
};

/** Verdicts carry names and ID numbers: only the guard's lane screen receives them. */
export const EVENT_ACCESS: Record<EventName, MethodAccess> = {
  verdict: { who: GUARD, ownShift: true },
  status: { who: 'public' },
};

export function roleAllowed(access: MethodAccess, role: Role | null): boolean {
  if (access.who === 'public') return true;
  if (role === null) return false;
  if (access.who === 'session') return true;
  return access.who.includes(role);
}

/** The methods a role may call (for the UI's menus and the role tests). */
export function methodsFor(role: Role | null): MethodName[] {
  return (Object.keys(ACCESS) as MethodName[]).filter((m) => roleAllowed(ACCESS[m], role));
}
