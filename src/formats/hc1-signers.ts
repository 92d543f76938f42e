// Document Signer Certificates (DSC) of health certificates: the trust list's `dcc` entries, each a
// DER X.509 certificate. Parsed once per trust list (cached by identity), so a scan only looks a kid
// up and verifies. A certificate that cannot be used is left out and named in `problems`.
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import type { CoseAlg } from './cose.js';
import type { DccType } from './hc1-types.js';
import type { DccSigner } from './types.js';

export type DccAlg = CoseAlg;

export interface DccSignerKey {
  /** Standard base64 kid, as the trust list writes it. */
  kid: string;
  country: string;
  key: KeyObject;
  /** The COSE algorithm this key can verify: EC keys ES256, RSA keys PS256. */
  alg: DccAlg;
  /** ES256: the length of r || s for the key's curve (64 for P-256, 96 for P-384); PS256: null. */
  ecSignatureLength: number | null;
  /**
   * Types this signer may sign, from its extended key usage (hcert spec §5.1.1); null when the
   * certificate names none of the DCC usages, which means every type.
   */
  types: ReadonlySet<DccType> | null;
}

export interface DccSignerIndex {
  byKid: ReadonlyMap<string, readonly DccSignerKey[]>;
  problems: readonly string[];
}

// The hcert OIDs, and the variant with an extra `.0` that several member states issued.
const USAGE_OIDS: Record<string, DccType> = {
  '1.3.6.1.4.1.1847.2021.1.1': 'test',
  '1.3.6.1.4.1.1847.2021.1.2': 'vaccination',
  '1.3.6.1.4.1.1847.2021.1.3': 'recovery',
  '1.3.6.1.4.1.0.1847.2021.1.1': 'test',
  '1.3.6.1.4.1.0.1847.2021.1.2': 'vaccination',
  '1.3.6.1.4.1.0.1847.2021.1.3': 'recovery',
};

const EC_SIGNATURE_LENGTH: Record<string, number> = { prime256v1: 64, secp384r1: 96 };

/** The EU kid of a DSC: the first 8 bytes of SHA-256 over its DER encoding. */
export function certificateKid(der: Uint8Array): Buffer {
  return createHash('sha256').update(der).digest().subarray(0, 8);
}

/** The DCC types a certificate's extended key usage allows (null: no DCC usage listed, so all). */
export function usageTypes(extendedKeyUsage: readonly string[] | undefined): ReadonlySet<DccType> | null {
  const types = new Set<DccType>();
  for (const oid of extendedKeyUsage ?? []) {
    const t = USAGE_OIDS[oid];
    if (t) types.add(t);
  }
  return types.size > 0 ? types : null;
}

/** Whether a signer may sign a certificate of this type. */
export function usageAllows(signer: Pick<DccSignerKey, 'types'>, type: DccType): boolean {
  return signer.types === null || signer.types.has(type);
}

/** Imports one DSC. Throws (an Error with an English message) when it is not usable. */
export function signerFromCertificate(der: Uint8Array, country: string, kid?: string): DccSignerKey {
  const cert = new X509Certificate(der);
  const key = cert.publicKey;
  let alg: DccAlg;
  let ecSignatureLength: number | null = null;
  if (key.asymmetricKeyType === 'ec') {
    // ES256 is "ECDSA with SHA-256"; the EU suite's Spanish signers (ES/401-403) use it on P-384.
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '?';
    ecSignatureLength = EC_SIGNATURE_LENGTH[curve] ?? null;
    if (ecSignatureLength === null) throw new Error(`unsupported EC curve ${curve}`);
    alg = 'ES256';
  } else if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    alg = 'PS256';
  } else {
    throw new Error(`unsupported key type ${key.asymmetricKeyType ?? '?'}`);
  }
  return {
    kid: kid ?? certificateKid(der).toString('base64'),
    country,
    key,
    alg,
    ecSignatureLength,
    // Node 20 names the extended key usage `keyUsage`; Node 22.13+ (Electron's) adds `extKeyUsage`.
    types: usageTypes((cert as { extKeyUsage?: string[] }).extKeyUsage ?? cert.keyUsage),
  };
}

export function buildSignerIndex(entries: readonly DccSigner[]): DccSignerIndex {
  const byKid = new Map<string, DccSignerKey[]>();
  const problems: string[] = [];
  for (const entry of entries) {
    // Re-encode the kid so that equal bytes written differently still meet.
    const kid = Buffer.from(entry.kid, 'base64').toString('base64');
    try {
      const signer = signerFromCertificate(Buffer.from(entry.cert, 'base64'), entry.country, kid);
      const list = byKid.get(kid) ?? [];
      list.push(signer);
      byKid.set(kid, list);
    } catch (err) {
      problems.push(`dcc signer ${kid} (${entry.country}): ${(err as Error).message}`);
    }
  }
  return { byKid, problems };
}

const cache = new WeakMap<readonly DccSigner[], DccSignerIndex>();

/** The signer index of a trust list's `dcc` entries, built on first use. */
export function dccSigners(trust: { dcc: readonly DccSigner[] }): DccSignerIndex {
  let index = cache.get(trust.dcc);
  if (!index) {
    index = buildSignerIndex(trust.dcc);
    cache.set(trust.dcc, index);
  }
  return index;
}
