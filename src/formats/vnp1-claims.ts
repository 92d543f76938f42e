// CWT claims of a VNP1 permit (spec/permit-format.md §1): required fields and types are checked,
// unknown keys ignored. Any problem is a ClaimsError, which the verifier reports as FORMAT_INVALID.
import type { PermitBody } from './types.js';

export class ClaimsError extends Error {
  override name = 'ClaimsError';
}

export interface PermitClaims {
  iss: string;
  cti: string;
  iat: number;
  nbf: number;
  exp: number;
  permit: PermitBody;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function int(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ClaimsError(`${name} must be an integer`);
  return v;
}

function text(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new ClaimsError(`${name} must be text`);
  return v;
}

function optText(v: unknown, name: string): string | undefined {
  return v === undefined ? undefined : text(v, name);
}

function nonEmpty(v: unknown, name: string): string {
  const s = text(v, name);
  if (s.trim() === '') throw new ClaimsError(`${name} must not be empty`);
  return s;
}

function parseVehicle(v: unknown): PermitBody['veh'] {
  if (v === undefined) return undefined;
  if (!(v instanceof Map)) throw new ClaimsError('veh must be a map');
  const plate = nonEmpty(v.get('plate'), 'veh.plate');
  const type = optText(v.get('type'), 'veh.type') ?? 'other';
  return { plate, type };
}

function parseHours(v: unknown): [string, string] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 2) throw new ClaimsError('hours must be an array of 2 texts');
  const [from, to] = v.map((x, i) => text(x, `hours[${i}]`)) as [string, string];
  if (!HHMM.test(from) || !HHMM.test(to)) throw new ClaimsError('hours must be HH:MM');
  return [from, to];
}

export function parsePermitBody(m: unknown): PermitBody {
  if (!(m instanceof Map)) throw new ClaimsError('claim -261 (permit) must be a map');
  const v = int(m.get('v'), 'v');
  if (v !== 1) throw new ClaimsError(`unsupported permit schema version ${v}`);
  const areasRaw = m.get('areas');
  if (!Array.isArray(areasRaw)) throw new ClaimsError('areas must be an array of texts');
  const body: PermitBody = {
    v,
    k: nonEmpty(m.get('k'), 'k'),
    nam: nonEmpty(m.get('nam'), 'nam').normalize('NFC'),
    idn: nonEmpty(m.get('idn'), 'idn'),
    pur: nonEmpty(m.get('pur'), 'pur'),
    areas: areasRaw.map((a, i) => text(a, `areas[${i}]`)),
  };
  const dob = optText(m.get('dob'), 'dob');
  const org = optText(m.get('org'), 'org');
  const home = optText(m.get('home'), 'home');
  const route = optText(m.get('route'), 'route');
  const veh = parseVehicle(m.get('veh'));
  const hours = parseHours(m.get('hours'));
  if (dob !== undefined) body.dob = dob;
  if (org !== undefined) body.org = org.normalize('NFC');
  if (home !== undefined) body.home = home;
  if (route !== undefined) body.route = route.normalize('NFC');
  if (veh !== undefined) body.veh = veh;
  if (hours !== undefined) body.hours = hours;
  return body;
}

export function parseClaims(c: unknown): PermitClaims {
  if (!(c instanceof Map)) throw new ClaimsError('payload must be a CBOR map');
  const iat = int(c.get(6), 'iat (6)');
  const nbfRaw = c.get(5);
  return {
    iss: nonEmpty(c.get(1), 'iss (1)'),
    cti: nonEmpty(c.get(7), 'cti (7)'),
    iat,
    nbf: nbfRaw === undefined ? iat : int(nbfRaw, 'nbf (5)'),
    exp: int(c.get(4), 'exp (4)'),
    permit: parsePermitBody(c.get(-261)),
  };
}
