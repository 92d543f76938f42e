// The trust list: which issuer keys may sign permits. Keys are imported once here, when the list is
// loaded, so that a scan only looks a kid up and verifies (no key parsing in the hot path).
import type { KeyObject } from 'node:crypto';
import { kidOf, publicKeyFromDer } from '../permit/keys.js';
import { documentError, verifyDocument } from './jws.js';
import { describeZodError, TrustListPayload } from './schemas.js';

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

export interface DccSigner {
  kid: string;
  country: string;
  cert: string;
}

export interface TrustList {
  version: number;
  issued: number;
  /** By base64 kid. */
  issuers: ReadonlyMap<string, TrustedIssuer>;
  dcc: readonly DccSigner[];
}

/** Validates a trust-list payload (already signature-checked) and imports its keys. */
export function buildTrustList(payload: unknown): TrustList {
  const parsed = TrustListPayload.safeParse(payload);
  if (!parsed.success) {
    const detail = describeZodError(parsed.error);
    throw documentError('trust', `nội dung sai: ${detail}`, `bad payload: ${detail}`);
  }
  const issuers = new Map<string, TrustedIssuer>();
  for (const entry of parsed.data.issuers) {
    let key: KeyObject;
    try {
      key = publicKeyFromDer(Buffer.from(entry.key, 'base64'));
    } catch {
      throw documentError(
        'trust',
        `khoá của ${entry.iss} không phải P-256`,
        `key of ${entry.iss} is not P-256`,
      );
    }
    // The kid is derived from the key; a list where they disagree was made wrongly or tampered with.
    const kid = kidOf(key).toString('base64');
    if (Buffer.from(entry.kid, 'base64').toString('base64') !== kid) {
      throw documentError(
        'trust',
        `kid của ${entry.iss} không khớp khoá`,
        `kid of ${entry.iss} does not match its key`,
      );
    }
    if (issuers.has(kid)) throw documentError('trust', `kid ${kid} lặp lại`, `duplicate kid ${kid}`);
    issuers.set(kid, {
      kid,
      iss: entry.iss,
      name: entry.name.normalize('NFC'),
      key,
      validFrom: entry.validFrom,
      validTo: entry.validTo,
      kinds: entry.kinds,
      areas: entry.areas,
    });
  }
  return { version: parsed.data.version, issued: parsed.data.issued, issuers, dcc: parsed.data.dcc };
}

/** Verifies a `vnp-trust+jws` document against the root key and builds the trust list. */
export async function loadTrustList(jws: string, root: KeyObject): Promise<TrustList> {
  return buildTrustList(await verifyDocument(jws, 'trust', root));
}
