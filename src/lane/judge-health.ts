// One HC1 scan judged on its own (spec/cli.md): ALLOW when authentic, unexpired at the clock and
// meeting the checkpoint's health rule; otherwise DENY with exactly one reason.
import type { DccView } from '../contract/api.js';
import { verifyHc1 } from '../formats/hc1.js';
import type { DccJudgement, VerifiedDcc } from '../formats/hc1-types.js';
import type { DccSigner } from '../formats/types.js';
import { type HealthRule, healthRuleProblem, validityProblem } from '../policy/health-rule.js';

export interface DccJudgeContext {
  trust: { dcc: readonly DccSigner[] };
  health: HealthRule;
  /** The clock, epoch milliseconds. */
  now: number;
  /** How far in the future `iat` may lie (the checkpoint's notBeforeToleranceSeconds). */
  toleranceSeconds: number;
}

function deny(
  reason: DccJudgement['reasons'][number],
  dcc: VerifiedDcc | null,
  detail: string,
): DccJudgement {
  return { decision: 'DENY', reasons: [reason], dcc, detail };
}

export function judgeHc1(text: string, ctx: DccJudgeContext): DccJudgement {
  const verified = verifyHc1(text, ctx.trust);
  if (!verified.ok) return deny(verified.reason, null, verified.detail);
  const dcc = verified.dcc;
  const validity = validityProblem(dcc, ctx.now, ctx.toleranceSeconds);
  if (validity === 'EXPIRED') return deny('EXPIRED', dcc, 'certificate expired (exp)');
  // Issued in the future: authentic, but not a proof at this clock. The HC1 reasons of spec/cli.md
  // have no NOT_YET_VALID, and "expired" would mislead the guard.
  if (validity === 'NOT_YET_VALID') return deny('HEALTH_PROOF_INVALID', dcc, 'issued in the future (iat)');
  const problem = healthRuleProblem(dcc.cert, ctx.health, ctx.now, ctx.toleranceSeconds);
  if (problem) return deny('HEALTH_PROOF_INVALID', dcc, problem);
  return { decision: 'ALLOW', reasons: [], dcc, detail: null };
}

export function dccView(d: VerifiedDcc): DccView {
  return {
    country: d.country,
    type: d.cert.entry.type,
    fnt: d.cert.nam.fnt,
    gnt: d.cert.nam.gnt,
    dob: d.cert.dob,
  };
}
