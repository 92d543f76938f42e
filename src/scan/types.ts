// Contracts between the scan pipeline (pure) and its callers (kiosk, CLI). See spec/policy.md.
import type { Decision, Direction, ReasonCode } from '../api/reasons.js';
import type { CheckpointConfig } from '../config/checkpoint.js';
import type { HealthAssessment } from '../dcc/pairing.js';
import type { DccJudgement } from '../dcc/types.js';

export interface PermitBody {
  v: number;
  k: string;
  nam: string;
  idn: string;
  pur: string;
  areas: string[];
  dob?: string;
  org?: string;
  home?: string;
  route?: string;
  veh?: { plate: string; type: string };
  hours?: [string, string];
}

export interface VerifiedPermit {
  iss: string;
  cti: string;
  /** hex(SHA-256(utf8(iss + "/" + cti))): the name of a permit in revocations and over MQTT. */
  hash: string;
  iat: number;
  nbf: number;
  exp: number;
  kid: string;
  issuerName: string | null;
  permit: PermitBody;
}

/** What the kiosk remembers of earlier scans; the SQLite store and the CLI's memory both provide it. */
export interface ScanHistory {
  /** The latest non-duplicate verdict for this permit hash at this kiosk at or after sinceMs. */
  recentVerdict(hash: string, sinceMs: number): PriorVerdict | null;
  /** Direction of this permit's last let-through passage at a checkpoint of this area, if any. */
  lastDirection(hash: string, area: string): Direction | null;
}

export interface PriorVerdict {
  passageId: number | null;
  at: number;
  decision: Decision;
  reasons: ReasonCode[];
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
  /** An HC1 scan: its own judgement. A permit scan: the health proof paired with it (src/dcc/pairing.ts). */
  dcc?: DccJudgement | null;
  /** A permit scan with a paired proof: whether the proof counts for this holder. */
  health?: HealthAssessment | null;
}

export type CheckpointContext = CheckpointConfig;
