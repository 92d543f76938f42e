// Zone levels (vùng đỏ / da cam / vàng / xanh): the level of a code is that of its longest listed
// prefix in the area hierarchy, else the map's default (spec/permit-format.md §2).
import type { KeyObject } from 'node:crypto';
import type { ZoneLevel } from '../contract/checkpoint.js';
import { verifyDocument } from '../contract/document-jws.js';
import { checkZones } from '../contract/document-validate.js';

export class ZoneMap {
  private readonly levels: ReadonlyMap<string, ZoneLevel>;

  constructor(
    readonly version: number,
    readonly issued: number,
    readonly defaultLevel: ZoneLevel,
    zones: Readonly<Record<string, ZoneLevel>>,
  ) {
    this.levels = new Map(Object.entries(zones));
  }

  levelOf(code: string): ZoneLevel {
    let c = code;
    for (;;) {
      const level = this.levels.get(c);
      if (level) return level;
      const cut = c.lastIndexOf('-');
      if (cut < 0) return this.defaultLevel;
      c = c.slice(0, cut);
    }
  }
}

export function buildZoneMap(payload: unknown): ZoneMap {
  const d = checkZones(payload);
  return new ZoneMap(d.version, d.issued, d.default, d.zones);
}

/** Verifies a `vnp-zones+jws` document against the root key and builds the zone map. */
export async function loadZoneMap(jws: string, root: KeyObject): Promise<ZoneMap> {
  return buildZoneMap(await verifyDocument(jws, 'zones', root));
}
