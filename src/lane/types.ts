// The scan service's vocabulary and its ports: what it needs from the parts after it in the flow (the
// log it records into, the guard on duty), defined here and implemented by src/store/ and src/auth/.
import type { Decision, Direction, ReasonCode, ScanSource } from '../contract/reasons.js';
import type { DccJudgement } from '../formats/hc1-types.js';
import type { VerifiedPermit } from '../formats/types.js';
import type { HealthAssessment } from './health-pairing.js';
import type { PassageInput } from './passage.js';

export type { PermitBody, VerifiedPermit } from '../formats/types.js';

/** The passage a permit's earlier scan became, with its decision as it stands now (amendments applied). */
export interface PriorVerdict {
  passageId: number | null;
  at: number;
  decision: Decision;
  reasons: ReasonCode[];
}

/** What the judge reads of earlier scans (this kiosk's log; the CLI's in-memory log). */
export interface ScanHistory {
  /** The newest passage of this permit at this kiosk at or after sinceMs. */
  recentVerdict(hash: string, sinceMs: number): PriorVerdict | null;
  /** This permit's newest let-through passage in this area at or after sinceMs. */
  lastLetThrough(hash: string, area: string, sinceMs: number): LetThrough | null;
}

/** A let-through passage: which way the person went, and when. */
export interface LetThrough {
  direction: Direction;
  atMs: number;
}

/**
 * The passages of the other kiosks of this kiosk's area (spec/policy.md "Shared history"): facts for
 * anti-passback only. `complete()` is false while a peer is out of contact or this kiosk is offline.
 */
export interface SharedHistory {
  lastLetThrough(hash: string, area: string, sinceMs: number): LetThrough | null;
  complete(): boolean;
}

/** The guard answering for the lane: the open shift. */
export interface Attribution {
  userId: number | null;
  userName: string | null;
  shiftId: number | null;
}

export interface Duty {
  /** The open shift and its guard, or null when nobody is on duty. */
  current(): Attribution | null;
}

export interface UnreadableScan {
  atMs: number;
  lane: string;
  direction: Direction;
  source: ScanSource;
  decision: Decision;
  reasons: ReasonCode[];
  /** The first characters, control characters replaced: never the whole text. */
  preview: string;
  who: Attribution | null;
}

export interface NoShiftScan {
  atMs: number;
  lane: string;
  direction: Direction;
  source: ScanSource;
  /** The permit's hash only: nobody is on duty to answer for its holder's name. */
  permitHash: string | null;
}

export interface Amendment {
  passageId: number;
  atMs: number;
  /** The decision and reasons the passage has now. */
  decision: Decision;
  reasons: ReasonCode[];
  /** What changed it: the health proof (country and type, no personal data). */
  proof: { country: string; type: string };
  who: Attribution | null;
}

export interface OverrideRequest {
  passageId: number;
  reason: string;
  atMs: number;
  who: Attribution;
  approval: { userId: number; name: string; login: string } | null;
}

export interface OverrideRecorded {
  eventId: number;
  passageId: number;
  atMs: number;
  by: string | null;
  reason: string;
  supervisor: string | null;
  decision: Decision;
  reasons: ReasonCode[];
}

/** The passage log as the scan service uses it. Every write commits (synchronous=FULL) before returning. */
export interface LaneLog extends ScanHistory {
  recordPassage(p: PassageInput): { id: number };
  recordUnreadable(u: UnreadableScan): void;
  recordNoShift(n: NoShiftScan): void;
  amendPassage(a: Amendment): void;
  recordOverride(o: OverrideRequest): OverrideRecorded;
  /** Passages of one shift by decision as it stands now (amendments applied). */
  shiftCounts(shiftId: number): { allowed: number; denied: number; review: number };
}

export interface ScanInput {
  text: string;
  now: number;
  direction: Direction;
  plate?: string;
}

export interface Judgement {
  decision: Decision;
  reasons: ReasonCode[];
  permit: VerifiedPermit | null;
  /** Set when this scan repeats one within the duplicate window: not recorded, not counted. */
  duplicateOf: PriorVerdict | null;
  /** First characters of a scan that is not a readable permit. */
  preview: string | null;
  /** An HC1 scan: its own judgement. A permit scan: the health proof paired with it. */
  dcc?: DccJudgement | null;
  /** A permit scan with a paired proof: whether the proof counts for this holder. */
  health?: HealthAssessment | null;
}

/** FORMAT_INVALID or UNRECOGNISED: a scan that yielded no permit (spec/policy.md "What is counted"). */
export function isUnreadable(j: Pick<Judgement, 'reasons'>): boolean {
  return j.reasons.includes('FORMAT_INVALID') || j.reasons.includes('UNRECOGNISED');
}
