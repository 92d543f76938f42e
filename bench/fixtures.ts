// What several benchmarks share: a trust list payload naming one issuer key for Thanh Xuân.
import type { KeyObject } from 'node:crypto';
import { kidOf, spkiDer } from '../src/contract/keys.js';

export function benchTrustPayload(pub: KeyObject, nowS: number, issued = nowS) {
  return {
    version: 1,
    issued,
    issuers: [
      {
        kid: kidOf(pub).toString('base64'),
        iss: '01-009',
        name: 'bench',
        key: spkiDer(pub).toString('base64'),
        validFrom: nowS - 86_400,
        validTo: nowS + 86_400,
        kinds: ['travel', 'goods'],
        areas: ['01-009'],
      },
    ],
  };
}
