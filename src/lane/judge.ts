// The scan pipeline as one pure function (spec/policy.md): prefix dispatch → decode and verify →
// policy → duplicates → the clock check. The caller supplies the clock, the documents and the history;
// the scan service records. `kiosk verify` runs the same scan service, so it judges exactly so.
import type { CheckpointConfig } from '../contract/checkpoint.js';
import { clockBehind } from '../documents/clock.js';
import type { RevocationLookup, ZoneLookup } from '../documents/types.js';
import type { DccJudgement } from '../formats/hc1-types.js';
import type { TrustedKeys } from '../formats/types.js';
import { VNP1_PREFIX, verifyPermit } from '../formats/vnp1.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import { assessProof, combineHealth } from './health-pairing.js';
import { judgeHc1 } from './judge-health.js';
import type { Judgement, LetThrough, ScanHistory, ScanInput, SharedHistory } from './types.js';

export const HC1_PREFIX = 'HC1:';
export const PREVIEW_CHARS = 24;

/** What a scan is judged against: the signed documents in effect (documents/store.ts snapshot). */
export interface JudgeDocuments {
  /** The local checkpoint with the signed policy patches applied. */
  checkpoint: CheckpointConfig;
  trust: TrustedKeys;
  revocations?: RevocationLookup | null | undefined;
  zones?: ZoneLookup | null | undefined;
  /** The newest `issued` of the signed documents held (epoch ms), for the clock check. */
  newestDocumentMs?: number | null | undefined;
}

export interface JudgeContext extends JudgeDocuments {
  history: ScanHistory;
  /** The area's other kiosks' passages, when this kiosk shares its history over MQTT. */
  shared?: SharedHistory | null | undefined;
  /** The HC1 scan paired with this permit scan (health-pairing.ts); its name must match the holder's. */
  healthProof?: DccJudgement | null | undefined;
}

/**
 * The first characters of a scan, safe to show and to keep: control and invisible characters become
 * '?', and a run of 6 digits or more keeps only its last 4. A citizen ID card's own QR code starts with
 * the full 12-digit number ("001085001234|123456789|Nguyễn…"): a guard scanning it must not put the
 * number in the log (previews are chained in the audit events, never purged).
 */
export function previewOf(text: string): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n++ >= PREVIEW_CHARS) break;
    out += /\p{C}/u.test(ch) ? '?' : ch;
  }
  return out.replace(/\d{6,}/g, (run) => '*'.repeat(run.length - 4) + run.slice(-4));
}

/** Judges one scan, trailing CR/LF already removed. Never throws. */
export function judgeScan(input: ScanInput, ctx: JudgeContext): Judgement {
  const text = input.text;
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
    lastDirection: newestLetThrough(permit.hash, input.now, ctx)?.direction ?? null,
    historyIncomplete: ctx.shared ? !ctx.shared.complete() : false,
    healthProofOk: health?.ok,
  });
  const combined = combineHealth(evaluated, health);
  return withClockCheck(
    { ...combined, permit, duplicateOf: null, preview: null, dcc: proof, health },
    input.now,
    ctx,
  );
}

/** The newest let-through passage of the permit in the area, here or at any peer kiosk of the area. */
function newestLetThrough(hash: string, now: number, ctx: JudgeContext): LetThrough | null {
  const area = ctx.checkpoint.checkpoint.area;
  const since = now - ctx.checkpoint.policy.antiPassbackHours * 3_600_000;
  const own = ctx.history.lastLetThrough(hash, area, since);
  const peer = ctx.shared?.lastLetThrough(hash, area, since) ?? null;
  if (!own || !peer) return own ?? peer;
  return peer.atMs > own.atMs ? peer : own;
}

/**
 * CLOCK_UNTRUSTED (not in policy.md's table): a clock behind the signed documents makes the expiry
 * checks unreliable, so the guard decides: REVIEW, never ALLOW. DENY stays DENY; the lane is not shut
 * for a clock fault.
 */
function withClockCheck(j: Judgement, now: number, ctx: JudgeContext): Judgement {
  if (!clockBehind(now, ctx.newestDocumentMs)) return j;
  return {
    ...j,
    decision: j.decision === 'DENY' ? 'DENY' : 'REVIEW',
    reasons: [...j.reasons, 'CLOCK_UNTRUSTED'],
  };
}
