// Types of the EU Digital COVID Certificate (HC1) part: what a verified certificate holds once
// decoded, and how one scan of it is judged. Pure data; no Node imports.
import type { ReasonCode } from '../contract/reasons.js';

export const DCC_TYPES = ['test', 'vaccination', 'recovery'] as const;
export type DccType = (typeof DCC_TYPES)[number];

/** `nam`: the transliterated family name `fnt` is the only name the EU schema requires. */
export interface DccName {
  fn: string | null;
  fnt: string;
  gn: string | null;
  gnt: string | null;
}

/** The statement judged: the certificate's one entry, or the newest of several of one kind. */
export type HealthEntry =
  | {
      type: 'vaccination';
      /** Dose number and the doses of a complete series. */
      dn: number;
      sd: number;
      /** Date of vaccination, YYYY-MM-DD. */
      dt: string;
      co: string;
    }
  | {
      type: 'test';
      /** SNOMED CT result: 260415000 = not detected (negative). */
      tr: string;
      /** Sample collection time, epoch milliseconds. */
      sc: number;
      co: string;
    }
  | {
      type: 'recovery';
      /** First positive test, YYYY-MM-DD. */
      fr: string;
      /** Certificate valid from / until, YYYY-MM-DD. */
      df: string | null;
      du: string | null;
      co: string;
    };

export interface HealthCertificate {
  ver: string;
  nam: DccName;
  /** '' | YYYY | YYYY-MM | YYYY-MM-DD, as the EU schema allows (a time, if written, dropped). */
  dob: string;
  /** The entry the health rule judges (hc1-certificate.ts: the newest of its kind). */
  entry: HealthEntry;
}

/** A certificate whose signature verified against a trusted signer. */
export interface VerifiedDcc {
  /** Base64 kid of the signer that verified it. */
  kid: string;
  /** Issuing country: CWT claim 1 (iss), else the trust-list entry's country. */
  country: string;
  iat: number;
  exp: number;
  cert: HealthCertificate;
}

export type DccFailureReason = 'FORMAT_INVALID' | 'UNKNOWN_ISSUER' | 'SIGNATURE_INVALID';

/** One HC1 scan judged on its own (spec/cli.md): ALLOW, or DENY with exactly one reason. */
export interface DccJudgement {
  decision: 'ALLOW' | 'DENY';
  reasons: ReasonCode[];
  /** Set when the certificate is authentic (also when EXPIRED or HEALTH_PROOF_INVALID). */
  dcc: VerifiedDcc | null;
  /** Why it failed, in English, for logs and tests; null when ALLOW. */
  detail: string | null;
}
