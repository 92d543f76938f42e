// Pairing a health certificate (HC1) with a travel permit scanned at the same lane, as pure functions
// of an immutable state and the clock. The design (README "Health certificates"):
//
// - An HC1 scan is never a passage of its own: it is judged and shown, then either
//   * attaches to the lane's last permit verdict, when that permit was scanned at most
//     PAIRING_WINDOW_MS before and has no proof yet. That verdict is already committed, so the
//     proof (valid or not, same holder or not) is shown with it for the guard to weigh, and is
//     not recorded: no second passage, people are counted once; or
//   * waits as the lane's pending proof for the next permit scanned within PAIRING_WINDOW_MS.
// - A readable permit scan takes the lane's pending proof (consuming it); its verdict combines both:
//   a valid proof of the same person satisfies `health.required`; an invalid one, or another
//   person's, gives HEALTH_PROOF_INVALID (REVIEW, the same weight as HEALTH_PROOF_REQUIRED). One
//   passage is recorded, with the combined reasons.
import type { Decision, ReasonCode } from '../api/reasons.js';
import type { VerifiedPermit } from '../scan/types.js';
import { birthDatesAgree, namesMatch } from './names.js';
import type { DccJudgement } from './types.js';

/** Two documents of one passage are scanned within a minute of each other. */
export const PAIRING_WINDOW_MS = 60_000;

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
  windowMs = PAIRING_WINDOW_MS,
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
  ref: R,
): PairingState<R> {
  const ls = laneOf(s, lane);
  if (!permit) return withLane(s, lane, { ...ls, lastPermit: null });
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
  windowMs = PAIRING_WINDOW_MS,
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

/** The pure functions above behind one mutable holder, for the kiosk and the CLI. */
export class HealthPairing<R> {
  private state: PairingState<R> = emptyPairing<R>();

  constructor(readonly windowMs = PAIRING_WINDOW_MS) {}

  pendingProof(lane: string, now: number): DccJudgement | null {
    return pendingProof(this.state, lane, now, this.windowMs);
  }

  notePermit(lane: string, now: number, permit: VerifiedPermit | null, proofAttached: boolean, ref: R): void {
    this.state = notePermit(this.state, lane, now, permit, proofAttached, ref);
  }

  offerProof(lane: string, now: number, proof: DccJudgement): Omit<Offer<R>, 'state'> {
    const r = offerProof(this.state, lane, now, proof, this.windowMs);
    this.state = r.state;
    return { attachedTo: r.attachedTo, assessment: r.assessment };
  }
}
