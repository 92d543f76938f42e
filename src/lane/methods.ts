// The lane's kiosk API methods: scans, the recent list, lane and direction, the next scan's vehicle,
// manual entries, overrides and the scanner ports. Each is a thin call into the scan service; the
// Dispatcher has checked the caller's role before (contract/access.ts).

import type { Caller, Implementation, Transport } from '../api/dispatch.js';
import { log } from '../base/log.js';
import { type KioskStatus, SCREEN_SOURCES, type ScreenSource } from '../contract/api.js';
import { KioskError } from '../contract/errors.js';
import type { ScanSource } from '../contract/reasons.js';
import { KNOWN_SCANNER_VENDORS, listSerialPorts } from '../hardware/serial-discovery.js';
import type { ScanService } from './scan-service.js';
import type { Attribution, Duty } from './types.js';

export interface LaneMethodsOptions {
  /** The scan service (it exists once the kiosk has started; before, this throws NOT_STARTED). */
  scan: () => ScanService;
  duty: Duty;
  status: () => KioskStatus;
  /** The policy in effect (signed config patches applied): does an override need a supervisor? */
  overrideRequiresSupervisor: () => boolean;
  /** Checks a supervisor's name and PIN like a login, without opening a session. */
  approveAsSupervisor: (
    name: string,
    pin: string,
    peer: string | null,
  ) => Promise<{ id: number; name: string; display_name: string }>;
}

type LaneMethods = Pick<
  Implementation,
  | 'scan.submit'
  | 'verdicts.recent'
  | 'lane.set'
  | 'lane.vehicle'
  | 'manual.record'
  | 'passage.override'
  | 'scanner.ports'
>;

export function laneMethods(o: LaneMethodsOptions): LaneMethods {
  const who = (caller: Caller): Attribution => {
    const duty = o.duty.current();
    return {
      userId: duty?.userId ?? caller.session?.userId ?? null,
      userName: caller.session?.displayName ?? duty?.userName ?? null,
      shiftId: duty?.shiftId ?? null,
    };
  };
  return {
    'scan.submit': async (p, caller) =>
      o.scan().scan(p.text, scanSourceOf(caller.ctx.transport, p.source), {
        direction: p.direction,
        lane: p.lane,
        vehicle: { plate: p.plate, vehicleType: p.vehicleType, passengers: p.passengers },
      }),
    'verdicts.recent': async (p) => o.scan().recent(p.limit),
    'lane.set': async (p) => {
      o.scan().setPosition(p);
      return o.status();
    },
    'lane.vehicle': async (p) => {
      o.scan().setVehicle(p);
      return o.status();
    },
    'manual.record': async (p, caller) => o.scan().recordManual(p, who(caller)),
    'passage.override': async (p, caller) => {
      const approval = await supervisorApproval(o, p.supervisor, caller);
      const r = o.scan().override(p.passageId, p.reason, who(caller), approval);
      return { eventId: r.eventId, at: new Date(r.atMs).toISOString(), by: r.by, reason: r.reason };
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
 * What a scan submitted through the API is recorded as. The caller is a screen (the browser host, the
 * Electron window, an in-process tool): it may say which of its own inputs read the code (the wedge, the
 * camera), never that the kiosk's serial scanner or a guard's manual entry did. Only the serial driver
 * records `serial`, only manual.record `manual`; any other claim is recorded as `api` (the screen).
 */
export function scanSourceOf(transport: Transport, claimed: ScanSource): ScreenSource {
  if ((SCREEN_SOURCES as readonly string[]).includes(claimed)) return claimed as ScreenSource;
  log.warn(`scan.submit: a ${transport} caller claimed source "${claimed}"; recorded as "api"`);
  return 'api';
}

/**
 * The supervisor's approval an override needs when the policy says so (spec/policy.md "Overrides"):
 * null when it is not needed. The PIN is checked before anything is written, so a refusal records
 * nothing but the failed login.
 */
async function supervisorApproval(
  o: LaneMethodsOptions,
  given: { name: string; pin: string } | undefined,
  caller: Caller,
): Promise<{ userId: number; name: string; login: string } | null> {
  if (!o.overrideRequiresSupervisor()) return null;
  if (!given || given.name.trim() === '' || given.pin === '') {
    throw new KioskError(
      'SUPERVISOR_REQUIRED',
      'Cần chỉ huy duyệt: nhập tên đăng nhập và mã PIN của chỉ huy',
      'A supervisor must approve: enter the supervisor’s username and PIN',
    );
  }
  const user = await o.approveAsSupervisor(given.name.trim(), given.pin, caller.ctx.peer ?? null);
  return { userId: user.id, name: user.display_name, login: user.name };
}
