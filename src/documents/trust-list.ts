// The trust list: which issuer keys may sign permits. Keys are imported once here, when the list is
// loaded, so that a scan only looks a kid up and verifies (no key parsing in the hot path).
import type { KeyObject } from 'node:crypto';
import { verifyDocument } from '../contract/document-jws.js';
import { checkTrustList } from '../contract/document-validate.js';
import type { TrustedIssuer, TrustedKeys } from '../formats/types.js';

export type { DccSigner, TrustedIssuer } from '../formats/types.js';

export interface TrustList extends TrustedKeys {
  version: number;
  issued: number;
}

/** Validates a trust-list payload (already signature-checked) and imports its keys. */
export function buildTrustList(payload: unknown): TrustList {
  const { payload: p, keys } = checkTrustList(payload);
  const issuers = new Map<string, TrustedIssuer>();
  p.issuers.forEach((entry, i) => {
    const { kid, key } = keys[i]!;
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
  });
  return { version: p.version, issued: p.issued, issuers, dcc: p.dcc };
}

/** Verifies a `vnp-trust+jws` document against the root key and builds the trust list. */
export async function loadTrustList(jws: string, root: KeyObject): Promise<TrustList> {
  return buildTrustList(await verifyDocument(jws, 'trust', root));
}
