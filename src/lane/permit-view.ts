// A verified permit as the kiosk API shows it (src/contract/api.ts PermitView): the ID number masked.
import type { PermitView } from '../contract/api.js';
import type { VerifiedPermit } from '../formats/types.js';

/** Shows only the last 4 characters of an ID number: `001085001234` → `********1234`. */
export function maskIdNumber(idn: string): string {
  const keep = Math.min(4, Math.max(0, idn.length - 4));
  return '*'.repeat(idn.length - keep) + idn.slice(idn.length - keep);
}

function isoOf(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function toPermitView(v: VerifiedPermit): PermitView {
  const p = v.permit;
  return {
    iss: v.iss,
    cti: v.cti,
    hash: v.hash,
    kind: p.k,
    nam: p.nam,
    idnMasked: maskIdNumber(p.idn),
    pur: p.pur,
    org: p.org ?? null,
    home: p.home ?? null,
    areas: [...p.areas],
    route: p.route ?? null,
    veh: p.veh ? { plate: p.veh.plate, type: p.veh.type } : null,
    hours: p.hours ? [p.hours[0], p.hours[1]] : null,
    validFrom: isoOf(v.nbf),
    validTo: isoOf(v.exp),
    issuerName: v.issuerName,
  };
}

/** The PermitView of a judged scan, or null when the scan was not a readable permit. */
export function judgementPermitView(j: { permit: VerifiedPermit | null }): PermitView | null {
  return j.permit ? toPermitView(j.permit) : null;
}
