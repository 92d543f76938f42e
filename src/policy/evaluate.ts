// The checkpoint policy (spec/policy.md steps 2-3) as one pure function: every input, the clock
// included, is an argument, so the same inputs always give the same verdict.

import { covers } from '../contract/areas.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import { normalisePlate } from '../contract/plate.js';
import type { Decision, Direction, ReasonCode } from '../contract/reasons.js';
import { inDailyWindow, vietnamMinuteOfDay } from '../contract/time.js';
import type { RevocationLookup, ZoneLookup } from '../documents/types.js';
import type { VerifiedPermit } from '../formats/types.js';

export interface PolicyInput {
  permit: VerifiedPermit;
  checkpoint: CheckpointConfig;
  /** The clock, epoch milliseconds. */
  now: number;
  direction: Direction;
  /** Plate typed by the guard, if any. */
  plate?: string | undefined;
  revocations?: RevocationLookup | null | undefined;
  zones?: ZoneLookup | null | undefined;
  /** Direction of this permit's last let-through passage in the checkpoint's area. */
  lastDirection: Direction | null;
  /** A peer kiosk of the area is out of contact, or this kiosk is: a missed `out` must not turn anyone away. */
  historyIncomplete?: boolean | undefined;
  /** A valid health certificate was scanned for this person in this passage. */
  healthProofOk?: boolean | undefined;
}

export interface PolicyResult {
  decision: Decision;
  reasons: ReasonCode[];
}

/** spec/policy.md step 3: DENY if any reason denies, else REVIEW if any reason, else ALLOW. */
export function decide(reasons: readonly ReasonCode[], denyReasons: ReadonlySet<ReasonCode>): Decision {
  if (reasons.some((r) => denyReasons.has(r))) return 'DENY';
  return reasons.length > 0 ? 'REVIEW' : 'ALLOW';
}

export function evaluatePolicy(input: PolicyInput): PolicyResult {
  const { permit, checkpoint, now, direction } = input;
  const { policy } = checkpoint;
  const cp = checkpoint.checkpoint;
  const body = permit.permit;
  const nowSec = now / 1000;
  const exempt = policy.exemptPurposes.includes(body.pur);
  const reasons: ReasonCode[] = [];
  const deny = new Set<ReasonCode>();
  const add = (code: ReasonCode, isDeny: boolean): void => {
    reasons.push(code);
    if (isDeny) deny.add(code);
  };

  if (nowSec + policy.notBeforeToleranceSeconds < permit.nbf) add('NOT_YET_VALID', true);
  if (nowSec >= permit.exp) add('EXPIRED', true);
  if (input.revocations?.has(permit.hash)) add('REVOKED', true);
  if (direction === 'in' && !body.areas.some((a) => covers(a, cp.area))) add('AREA_NOT_PERMITTED', true);

  const minute = vietnamMinuteOfDay(now);
  const outsidePermitHours = body.hours !== undefined && !inDailyWindow(minute, body.hours);
  const inCurfew = policy.curfew !== null && inDailyWindow(minute, policy.curfew) && !exempt;
  if (outsidePermitHours || inCurfew) add('OUTSIDE_HOURS', true);

  if (
    direction === 'in' &&
    (cp.kind === 'district-entry' || cp.kind === 'green-zone') &&
    body.home !== undefined &&
    !exempt &&
    policy.refuseOriginLevels.includes(input.zones?.levelOf(body.home) ?? 'green')
  ) {
    add('ORIGIN_HIGH_RISK', true);
  }
  if (cp.kind === 'lockdown' && direction === 'out' && !exempt) add('LOCKDOWN_EXIT', true);

  const typed = input.plate === undefined ? '' : normalisePlate(input.plate);
  if (typed !== '' && body.veh !== undefined && normalisePlate(body.veh.plate) !== typed) {
    add('VEHICLE_MISMATCH', false);
  }
  if (policy.antiPassback !== 'off' && direction === 'in' && input.lastDirection === 'in') {
    add('ALREADY_INSIDE', policy.antiPassback === 'deny' && !input.historyIncomplete);
  }
  if (policy.health.required && !input.healthProofOk) add('HEALTH_PROOF_REQUIRED', false);

  return { decision: decide(reasons, deny), reasons };
}
