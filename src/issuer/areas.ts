// Area names → codes for issuers, who know "Quận Thanh Xuân" better than "01-009".

import { areaName } from '../contract/areas.js';
import data from '../contract/hanoi-areas-2021.json' with { type: 'json' };

interface Unit {
  code: string;
  name: string;
}
interface AreasFile extends Unit {
  districts: (Unit & { wards: Unit[] })[];
}

const UNITS: readonly Unit[] = (() => {
  const file = data as AreasFile;
  const all: Unit[] = [{ code: file.code, name: file.name }];
  for (const d of file.districts) {
    all.push({ code: d.code, name: d.name });
    for (const w of d.wards) all.push(w);
  }
  return all;
})();

const lower = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
const folded = (s: string) => lower(s).normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');

/**
 * Codes whose official name is the given one: exact (case aside) first, then without diacritics.
 * Several codes come back when the name is shared (e.g. "Phường Quang Trung" in three districts).
 */
export function findAreaCodes(name: string): string[] {
  const exact = UNITS.filter((u) => lower(u.name) === lower(name)).map((u) => u.code);
  if (exact.length > 0) return exact;
  return UNITS.filter((u) => folded(u.name) === folded(name)).map((u) => u.code);
}

/** "Quận Thanh Xuân" → "Công an quận Thanh Xuân": the default issuer name printed on a sheet. */
export function defaultIssuerName(iss: string): string {
  const name = areaName(iss);
  if (name === null) return `Đơn vị cấp ${iss}`;
  return `Công an ${name.charAt(0).toLocaleLowerCase('vi')}${name.slice(1)}`;
}
