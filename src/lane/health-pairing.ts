// Pairing a health certificate (HC1) with a travel permit scanned at the same lane, as pure functions
// of an immutable state and the clock. The pairing rule (README "Health certificates"): same lane,
// scanned within the policy's `health.pairSeconds` of each other, and the certificate's name (and
// birth date, when both carry one) matches the permit's holder (holder-names.ts).
//
// - A proof scanned first waits as the lane's pending proof; the next readable permit takes it, and its
//   verdict combines both: a valid proof of the same person satisfies `health.required`; an invalid
//   one, or another person's, gives HEALTH_PROOF_INVALID. One passage is recorded.
// - A proof scanned after the permit attaches to the lane's last permit verdict, which is already
//   committed. The scan service then completes that passage by an amendment when it waits only for the
//   proof (spec/policy.md "What is counted"), or shows the proof beside it.
import type { Decision, ReasonCode } from '../contract/reasons.js';
import type { DccJudgement } from '../formats/hc1-types.js';
import type { VerifiedPermit } from '../formats/types.js';
import { birthDatesAgree, namesMatch } from './holder-names.js';

export interface HealthAssessment {
  /** The proof counts for this permit: valid on its own, and the same person. */
  ok: boolean;
  /** Names (and birth dates, when both known) agree; null when the certificate was unreadable. */
  nameMatch: boolean | null;
  /** The certificate's own reasons (empty when it is valid on its own). */
  proofReasons: ReasonCode[];
}

export function assessProof(proof: DccJudgement, permit: VerifiedPermit): HealthAssessment {
  const d = proof.dcc;
  const nameMatch = d
    ? namesMatch(permit.permit.nam, d.cert.nam) && birthDatesAgree(permit.permit.dob, d.cert.dob)
    : null;
  return {
    ok: proof.decision === 'ALLOW' && nameMatch === true,
    nameMatch,
    proofReasons: [...proof.reasons],
  };
}

/**
 * Folds a paired proof that does not count into a permit's policy verdict: HEALTH_PROOF_INVALID
 * takes the place of HEALTH_PROOF_REQUIRED (last in the order of spec/policy.md) and asks for REVIEW.
 */
export function combineHealth(
  result: { decision: Decision; reasons: ReasonCode[] },
  assessment: HealthAssessment | null,
): { decision: Decision; reasons: ReasonCode[] } {
  if (!assessment || assessment.ok) return result;
  const reasons = result.reasons.filter((r) => r !== 'HEALTH_PROOF_REQUIRED');
  reasons.push('HEALTH_PROOF_INVALID');
  return { decision: result.decision === 'DENY' ? 'DENY' : 'REVIEW', reasons };
}

export interface PendingProof {
  at: number;
  proof: DccJudgement;
}

/** The lane's last permit verdict; `ref` is whatever the caller shows for it (the kiosk: its Verdict). */
export interface RecentPermit<R> {
  at: number;
  permit: VerifiedPermit;
  proofAttached: boolean;
  ref: R;
}

export interface LaneState<R> {
  pending: PendingProof | null;
  lastPermit: RecentPermit<R> | null;
}

export type PairingState<R> = ReadonlyMap<string, LaneState<R>>;

export function emptyPairing<R>(): PairingState<R> {
  return new Map();
}

function laneOf<R>(s: PairingState<R>, lane: string): LaneState<R> {
  return s.get(lane) ?? { pending: null, lastPermit: null };
}

function withLane<R>(s: PairingState<R>, lane: string, state: LaneState<R>): PairingState<R> {
  return new Map(s).set(lane, state);
}

/** A clock that went backwards pairs nothing: better a REVIEW than a proof given to the wrong scan. */
function within(then: number, now: number, windowMs: number): boolean {
  return now >= then && now - then <= windowMs;
}

/** A permit scan is about to be judged: the proof scanned at this lane within the window, if any. */
export function pendingProof<R>(
  s: PairingState<R>,
  lane: string,
  now: number,
  windowMs: number,
): DccJudgement | null {
  const pending = laneOf(s, lane).pending;
  return pending && within(pending.at, now, windowMs) ? pending.proof : null;
}

/**
 * A non-HC1 scan was judged. A readable permit consumes the pending proof (it was paired with it)
 * and becomes the verdict a following proof may attach to, unless it already has one. A broken or
 * unrecognised scan leaves the pending proof for the rescan, and ends the chance to attach.
 */
export function notePermit<R>(
  s: PairingState<R>,
  lane: string,
  now: number,
  permit: VerifiedPermit | null,
  proofAttached: boolean,
  ref: R | null,
): PairingState<R> {
  const ls = laneOf(s, lane);
  if (!permit || ref === null) return withLane(s, lane, { ...ls, lastPermit: null });
  return withLane(s, lane, { pending: null, lastPermit: { at: now, permit, proofAttached, ref } });
}

export interface Offer<R> {
  state: PairingState<R>;
  /** The permit verdict the proof attached to (shown with it, not recorded); null: it waits. */
  attachedTo: RecentPermit<R> | null;
  assessment: HealthAssessment | null;
}

/** A proof was scanned at this lane: attach it to the last permit, or keep it for the next. */
export function offerProof<R>(
  s: PairingState<R>,
  lane: string,
  now: number,
  proof: DccJudgement,
  windowMs: number,
): Offer<R> {
  const ls = laneOf(s, lane);
  const last = ls.lastPermit;
  if (last && !last.proofAttached && within(last.at, now, windowMs)) {
    const state = withLane(s, lane, { pending: null, lastPermit: { ...last, proofAttached: true } });
    return { state, attachedTo: last, assessment: assessProof(proof, last.permit) };
  }
  return {
    state: withLane(s, lane, { ...ls, pending: { at: now, proof } }),
    attachedTo: null,
    assessment: null,
  };
}

/** The pure functions above behind one mutable holder, for the scan service. */
export class HealthPairing<R> {
  private state: PairingState<R> = emptyPairing<R>();

  pendingProof(lane: string, now: number, windowMs: number): DccJudgement | null {
    return pendingProof(this.state, lane, now, windowMs);
  }

  notePermit(lane: string, now: number, permit: VerifiedPermit, proofAttached: boolean, ref: R): void {
    this.state = notePermit(this.state, lane, now, permit, proofAttached, ref);
  }

  /** A scan that is not a recorded permit: the chance to attach ends; a pending proof waits on. */
  endPermit(lane: string): void {
    this.state = notePermit(this.state, lane, 0, null, false, null);
  }

  offerProof(lane: string, now: number, proof: DccJudgement, windowMs: number): Omit<Offer<R>, 'state'> {
    const r = offerProof(this.state, lane, now, proof, windowMs);
    this.state = r.state;
    return { attachedTo: r.attachedTo, assessment: r.assessment };
  }
}
