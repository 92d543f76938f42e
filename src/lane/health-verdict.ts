// What the screen shows of health certificates: the proof paired with a permit verdict, and the proof
// of an HC1 scan on its own (contract/api.ts DccView, HealthProofView).
import type { DccView, HealthProofView } from '../contract/api.js';
import type { DccJudgement } from '../formats/hc1-types.js';
import type { HealthAssessment } from './health-pairing.js';
import { dccView } from './judge-health.js';
import type { Judgement } from './types.js';

/** The `dcc` and `health` fields of a permit verdict: the proof scanned before it, if any. */
export function healthFields(j: Judgement): { dcc: DccView | null; health: HealthProofView | null } {
  const proof = j.dcc ?? null;
  if (!proof) return { dcc: null, health: null };
  return {
    dcc: proof.dcc ? dccView(proof.dcc) : null,
    // A duplicate shows the earlier verdict: the proof is only shown with it, not recorded.
    health: { reasons: [...proof.reasons], nameMatch: j.health?.nameMatch ?? null, recorded: !j.duplicateOf },
  };
}

/** The `dcc` and `health` fields of an HC1 scan, beside the permit it was paired with (if any). */
export function proofView(
  proof: DccJudgement,
  assessment: HealthAssessment | null,
): { dcc: DccView | null; health: HealthProofView } {
  return {
    dcc: proof.dcc ? dccView(proof.dcc) : null,
    health: { reasons: [...proof.reasons], nameMatch: assessment?.nameMatch ?? null, recorded: false },
  };
}
