// What the formats stage produces and what it needs to verify: a verified permit, and the trusted
// keys it is checked against (the documents stage builds them from the signed trust list).
import type { KeyObject } from 'node:crypto';

/** The permit map (claim -261) after its value rules (spec/permit-format.md §1). */
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

/** A permit issuer's key as the trust list lists it, imported once. */
export interface TrustedIssuer {
  /** Standard base64 of the 8-byte kid, as written in the trust list. */
  kid: string;
  iss: string;
  name: string;
  key: KeyObject;
  validFrom: number;
  validTo: number;
  kinds: readonly string[];
  areas: readonly string[];
}

/** A health-certificate signer: the trust list's `dcc` entry (DER X.509, base64). */
export interface DccSigner {
  kid: string;
  country: string;
  cert: string;
}

/** The keys a scan is verified against: permit issuers by base64 kid, and health-certificate signers. */
export interface TrustedKeys {
  issuers: ReadonlyMap<string, TrustedIssuer>;
  dcc: readonly DccSigner[];
}
