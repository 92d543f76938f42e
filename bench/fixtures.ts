// What several benchmarks share: a trust list payload naming one issuer key for Thanh Xuân.
import type { KeyObject } from 'node:crypto';
import { kidOf, spkiDer } from '../src/contract/keys.js';
import { issuePermit, type PermitToIssue } from '../src/formats/vnp1-issue.js';

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

/** The claims of a bench permit: a travel permit for Thanh Xuân, valid for a day, one motorbike. */
type PermitFields = Partial<PermitToIssue['permit']>;

export function benchPermitClaims(cti: string, nowS: number, over: PermitFields = {}): PermitToIssue {
  return {
    iss: '01-009',
    cti,
    iat: nowS - 3600,
    exp: nowS + 86_400,
    permit: {
      v: 1,
      k: 'travel',
      nam: 'Nguyễn Thị Hằng',
      idn: '001085001234',
      pur: 'work',
      areas: ['01-009'],
      veh: { plate: '29A-123.45', type: 'motorbike' },
      ...over,
    },
  } as PermitToIssue;
}

/** Signed permit texts `${prefix}0`, `${prefix}1`…, with the claims of benchPermitClaims. */
export function benchPermits(
  n: number,
  prefix: string,
  nowS: number,
  privateKey: Parameters<typeof issuePermit>[1],
  over: (i: number) => PermitFields = () => ({}),
): string[] {
  return Array.from({ length: n }, (_, i) =>
    issuePermit(benchPermitClaims(`${prefix}${i}`, nowS, over(i)), privateKey),
  );
}
