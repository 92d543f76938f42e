// The scan pipeline as one pure function (spec/policy.md): prefix dispatch → decode and verify →
// policy → duplicates. The caller supplies the clock, the documents and the history; it records.
import type { CheckpointConfig } from '../config/checkpoint.js';
import { judgeHc1 } from '../dcc/judge.js';
import { assessProof, combineHealth } from '../dcc/pairing.js';
import type { DccJudgement } from '../dcc/types.js';
import { clockBehind } from '../documents/clock.js';
import type { TrustList } from '../documents/trust-list.js';
import { stripTrailingNewlines, VNP1_PREFIX, verifyPermit } from '../permit/verify.js';
import { evaluatePolicy, type RevocationLookup, type ZoneLookup } from '../policy/evaluate.js';
import type { Judgement, ScanHistory, ScanInput } from './types.js';

export const HC1_PREFIX = 'HC1:';
export const PREVIEW_CHARS = 24;

export interface JudgeContext {
  checkpoint: CheckpointConfig;
  trust: TrustList;
  revocations?: RevocationLookup | null | undefined;
  zones?: ZoneLookup | null | undefined;
  history: ScanHistory;
  /** A valid health certificate was scanned for this person in this passage. */
  healthProofOk?: boolean | undefined;
  /** The HC1 scan paired with this permit scan (src/dcc/pairing.ts); its name must match the holder's. */
  healthProof?: DccJudgement | null | undefined;
  /** The newest `issued` of the signed documents held (epoch ms), for the clock check. */
  newestDocumentMs?: number | null | undefined;
}

/** The first characters of a scan, safe to show: control and invisible characters become '?'. */
export function previewOf(text: string): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n++ >= PREVIEW_CHARS) break;
    out += /\p{C}/u.test(ch) ? '?' : ch;
  }
  return out;
}

export function judgeScan(input: ScanInput, ctx: JudgeContext): Judgement {
  const text = stripTrailingNewlines(input.text);
  const { policy } = ctx.checkpoint;
  // An HC1 scan on its own is judged as a health proof (spec/cli.md); pairing is the caller's.
  if (text.startsWith(HC1_PREFIX)) {
    const dcc = judgeHc1(text, {
      trust: ctx.trust,
      health: policy.health,
      now: input.now,
      toleranceSeconds: policy.notBeforeToleranceSeconds,
    });
    return {
      decision: dcc.decision,
      reasons: dcc.reasons,
      permit: null,
      duplicateOf: null,
      preview: dcc.dcc ? null : previewOf(text),
      dcc,
      health: null,
    };
  }
  if (!text.startsWith(VNP1_PREFIX)) {
    return {
      decision: 'REVIEW',
      reasons: ['UNRECOGNISED'],
      permit: null,
      duplicateOf: null,
      preview: previewOf(text),
    };
  }
  const verified = verifyPermit(text, ctx.trust);
  if (!verified.ok) {
    return {
      decision: 'DENY',
      reasons: [verified.reason],
      permit: null,
      duplicateOf: null,
      preview: previewOf(text),
    };
  }
  const permit = verified.permit;
  const proof = ctx.healthProof ?? null;
  const health = proof ? assessProof(proof, permit) : null;
  if (policy.duplicateWindowSeconds > 0) {
    const prior = ctx.history.recentVerdict(permit.hash, input.now - policy.duplicateWindowSeconds * 1000);
    if (prior) {
      return {
        decision: prior.decision,
        reasons: [...prior.reasons.filter((r) => r !== 'DUPLICATE_SCAN'), 'DUPLICATE_SCAN'],
        permit,
        duplicateOf: prior,
        preview: null,
        dcc: proof,
        health,
      };
    }
  }
  const evaluated = evaluatePolicy({
    permit,
    checkpoint: ctx.checkpoint,
    now: input.now,
    direction: input.direction,
    plate: input.plate,
    revocations: ctx.revocations,
    zones: ctx.zones,
    lastDirection: ctx.history.lastDirection(permit.hash, ctx.checkpoint.checkpoint.area),
    healthProofOk: ctx.healthProofOk || health?.ok,
  });
  const { decision, reasons } = withClockCheck(combineHealth(evaluated, health), input.now, ctx);
  return { decision, reasons, permit, duplicateOf: null, preview: null, dcc: proof, health };
}

/**
 * CLOCK_UNTRUSTED (not in policy.md's table): a clock behind the signed documents makes the expiry
 * checks unreliable, so the guard decides: REVIEW, never ALLOW. DENY stays DENY; the lane is not shut
 * for a clock fault.
 */
function withClockCheck(
  r: { decision: Judgement['decision']; reasons: Judgement['reasons'] },
  now: number,
  ctx: JudgeContext,
): { decision: Judgement['decision']; reasons: Judgement['reasons'] } {
  if (!clockBehind(now, ctx.newestDocumentMs)) return r;
  return { decision: r.decision === 'DENY' ? 'DENY' : 'REVIEW', reasons: [...r.reasons, 'CLOCK_UNTRUSTED'] };
}
