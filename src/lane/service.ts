// The lane's kiosk API methods (manual entry, the next scan's vehicle, overrides, scanner ports),
// written against a narrow view of the kiosk so that src/kiosk.ts only wires them in.

import { KNOWN_SCANNER_VENDORS, listSerialPorts } from '../../hardware/serial-discovery.js';
import type { Caller, Implementation } from '../api/dispatch.js';
import { KioskError } from '../api/errors.js';
import type { Decision, Direction } from '../api/reasons.js';
import type { KioskStatus, Verdict } from '../api/schema.js';
import type { AuditChain } from '../audit/chain-log.js';
import type { Store } from '../store/store.js';
import type { LaneDesk } from './desk.js';
import { vehicleView } from './desk.js';
import { checkManualPerson } from './manual.js';
import { OVERRIDE_WINDOW_MS } from './override.js';
import { type Attribution, manualPassage, overridePassage } from './record.js';
import { resolveVehicle } from './vehicle.js';

/** What the lane needs from the kiosk. */
export interface LaneHost {
  store(): Store;
  chain(): AuditChain;
  now(): number;
  lane(): string;
  direction(): Direction;
  /** Throws LANE_UNKNOWN for a lane this checkpoint does not have. */
  checkLane(lane: string): string;
  desk: LaneDesk;
  /** The guard and shift of a call (and of the kiosk's open shift for scanner input). */
  attribution(caller: Caller | null): Attribution;
  /** HMAC of a full ID number for exact search, when the audit is in place. */
  idnHmac(idNumber: string): string | null;
  /** A verdict recorded by the lane: into the recent list, counted, announced, status re-sent. */
  announce(verdict: Verdict, counted: Decision | null): void;
  /** A passage was let through by an override: update what the screens show. */
  overridden(passageId: number, override: NonNullable<Verdict['override']>): void;
  status(): KioskStatus;
  emitStatus(): void;
  /** The policy in effect (signed config patches applied): does an override need a supervisor? */
  overrideRequiresSupervisor(): boolean;
  /** Checks a supervisor's name and PIN like a login, without a session (src/auth/service.ts). */
  approveAsSupervisor(
    name: string,
    pin: string,
    peer: string | null,
  ): Promise<{ id: number; name: string; display_name: string }>;
}

type LaneMethods = Pick<
  Implementation,
  'manual.record' | 'lane.vehicle' | 'passage.override' | 'scanner.ports'
>;

export function laneImplementation(host: LaneHost): LaneMethods {
  return {
    'manual.record': async (p, caller) => {
      const person = checkManualPerson(p);
      const vehicle = resolveVehicle(p);
      const now = host.now();
      const lane = p.lane ? host.checkLane(p.lane) : host.lane();
      const direction = p.direction ?? host.direction();
      const store = host.store();
      const { id } = store.recordPassage(
        manualPassage(person, vehicle, {
          atMs: now,
          lane,
          direction,
          letThrough: p.letThrough,
          idnHmac: host.idnHmac(person.idNumber),
          ...host.attribution(caller),
        }),
      );
      const who = host.attribution(caller).userName;
      const verdict: Verdict = {
        passageId: id,
        at: new Date(now).toISOString(),
        decision: 'REVIEW',
        reasons: [],
        duplicate: false,
        source: 'manual',
        direction,
        lane,
        permit: null,
        preview: null,
        vehicle: vehicleView(vehicle),
        person: {
          name: person.name,
          idMasked: store.getPassage(id)?.idMasked ?? '',
          purpose: person.purpose,
        },
        override: p.letThrough ? { at: new Date(now).toISOString(), by: who, reason: person.reason } : null,
      };
      host.announce(verdict, 'REVIEW');
      return verdict;
    },

    'lane.vehicle': async (p) => {
      host.desk.setVehicle(p, host.now());
      host.emitStatus();
      return host.status();
    },

    'passage.override': async (p, caller) => {
      const who = host.attribution(caller);
      const approval = await supervisorApproval(host, p.supervisor, caller);
      const o = overridePassage(
        host.store(),
        host.chain(),
        p.passageId,
        p.reason,
        host.now(),
        who,
        OVERRIDE_WINDOW_MS,
        approval,
      );
      const view = { at: new Date(o.atMs).toISOString(), by: o.by, reason: o.reason };
      host.overridden(o.passageId, view);
      return { eventId: o.eventId, ...view };
    },

    'scanner.ports': async () => {
      const listed = await listSerialPorts();
      return {
        ports: listed.ports.map((port) => ({
          ...port,
          scannerVendor: (port.vendorId && KNOWN_SCANNER_VENDORS[port.vendorId]) || null,
        })),
        via: listed.via,
        problem: listed.problem,
      };
    },
  };
}

/**
 * The supervisor's approval an override needs when the policy says so (spec/policy.md "Overrides"):
 * null when it is not needed. The PIN is checked before anything is written, so a refusal records
 * nothing but the failed login.
 */
async function supervisorApproval(
  host: LaneHost,
  given: { name: string; pin: string } | undefined,
  caller: Caller | null,
): Promise<{ userId: number; name: string; login: string } | null> {
  if (!host.overrideRequiresSupervisor()) return null;
  if (!given || given.name.trim() === '' || given.pin === '') {
    throw new KioskError(
      'SUPERVISOR_REQUIRED',
      'Cần chỉ huy duyệt: nhập tên đăng nhập và mã PIN của chỉ huy',
      'A supervisor must approve: enter the supervisor’s username and PIN',
    );
  }
  const user = await host.approveAsSupervisor(given.name.trim(), given.pin, caller?.ctx.peer ?? null);
  return { userId: user.id, name: user.display_name, login: user.name };
}
