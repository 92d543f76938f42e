// Names of Hà Nội's administrative areas (1 July 2021), shipped with the product: kiosks are offline.
// The JSON is imported (not read from disk) so that tsc and bundlers carry it along.
import data from './hanoi-areas-2021.json' with { type: 'json' };

interface Unit {
  code: string;
  name: string;
}
interface AreasFile extends Unit {
  districts: (Unit & { wards: Unit[] })[];
}

const NAMES: ReadonlyMap<string, string> = (() => {
  const file = data as AreasFile;
  const names = new Map<string, string>([[file.code, file.name]]);
  for (const d of file.districts) {
    names.set(d.code, d.name);
    for (const w of d.wards) names.set(w.code, w.name);
  }
  return names;
})();

/** The official name of an area code, or null for a code the kiosk does not know. */
export function areaName(code: string): string | null {
  return NAMES.get(code) ?? null;
}

export function isKnownArea(code: string): boolean {
  return NAMES.has(code);
}

/**
 * Where an area is, for a guard: a ward with its district ("Phường Nhân Chính, Quận Thanh Xuân": ward
 * names repeat across districts), a district or the city by its name; null for a code the kiosk does
 * not know.
 */
export function areaPlace(code: string): string | null {
  const name = NAMES.get(code);
  if (!name) return null;
  const district = /^\d{2}-\d{3}-\d{5}$/.test(code) ? NAMES.get(code.slice(0, 6)) : undefined;
  return district ? `${name}, ${district}` : name;
}

/** For display: "Phường Nhân Chính (01-009-00343)", or the bare code when unknown. */
export function areaLabel(code: string): string {
  const name = NAMES.get(code);
  return name ? `${name} (${code})` : code;
}

/** Area code A covers B when B equals A or lies under it (spec/permit-format.md, Area codes). */
export function covers(a: string, b: string): boolean {
  return b === a || b.startsWith(`${a}-`);
}
