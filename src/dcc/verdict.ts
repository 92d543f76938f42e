// What the kiosk API shows of health certificates (src/api/schema.ts DccView, HealthProofView):
// the proof paired with a permit verdict, and the verdict shown for an HC1 scan (src/dcc/pairing.ts).
import type { DccView, HealthProofView, Verdict } from '../api/schema.js';
import type { Judgement } from '../scan/types.js';
import { dccView } from './judge.js';
import type { HealthPairing } from './pairing.js';

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

export type VerdictBase = Pick<Verdict, 'at' | 'source' | 'direction' | 'lane'>;

/**
 * The verdict shown for an HC1 scan (`j`, judged on its own). Attached to the lane's last permit
 * verdict, it is that verdict (decision and reasons as recorded) with the proof beside it; waiting
 * for a permit, it is the certificate's own verdict, not a passage. Nothing here is recorded.
 */
export function proofVerdict(
  pairing: HealthPairing<Verdict>,
  j: Judgement,
  base: VerdictBase,
  now: number,
): Verdict {
  const proof = j.dcc;
  if (!proof) throw new Error('proofVerdict needs an HC1 judgement');
  const dcc = proof.dcc ? dccView(proof.dcc) : null;
  const offer = pairing.offerProof(base.lane, now, proof);
  if (offer.attachedTo) {
    return {
      ...offer.attachedTo.ref,
      // A new time keeps it apart from the earlier verdict on screens that de-duplicate by time.
      at: base.at,
      source: base.source,
      dcc,
      health: {
        reasons: [...proof.reasons],
        nameMatch: offer.assessment?.nameMatch ?? null,
        recorded: false,
      },
    };
  }
  return {
    passageId: null,
    ...base,
    decision: j.decision,
    reasons: j.reasons,
    duplicate: false,
    permit: null,
    preview: j.preview,
    dcc,
    health: { reasons: [...proof.reasons], nameMatch: null, recorded: false },
  };
}
