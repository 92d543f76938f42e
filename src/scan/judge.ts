// The scan pipeline as one pure function (spec/policy.md): prefix dispatch → decode and verify →
// policy → duplicates. The caller supplies the clock, the documents and the history; it records.
import type { CheckpointConfig } from '../config/checkpoint.js';
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
  // HC1 health certificates are judged by a later issue; until then the guard decides.
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
  const { policy } = ctx.checkpoint;
  if (policy.duplicateWindowSeconds > 0) {
    const prior = ctx.history.recentVerdict(permit.hash, input.now - policy.duplicateWindowSeconds * 1000);
    if (prior) {
      return {
        decision: prior.decision,
        reasons: [...prior.reasons.filter((r) => r !== 'DUPLICATE_SCAN'), 'DUPLICATE_SCAN'],
        permit,
        duplicateOf: prior,
        preview: null,
      };
    }
  }
  const { decision, reasons } = evaluatePolicy({
    permit,
    checkpoint: ctx.checkpoint,
    now: input.now,
    direction: input.direction,
    plate: input.plate,
    revocations: ctx.revocations,
    zones: ctx.zones,
    lastDirection: ctx.history.lastDirection(permit.hash, ctx.checkpoint.checkpoint.area),
    healthProofOk: ctx.healthProofOk,
  });
  return { decision, reasons, permit, duplicateOf: null, preview: null };
}
