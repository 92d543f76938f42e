// CWT claims of a VNP1 permit (spec/permit-format.md §1): required keys, types and the value rules of
// the spec's table; unknown keys ignored. Any problem is a ClaimsError, which the verifier reports as
// FORMAT_INVALID (after the signature). Every value that passes is one the kiosk can show and record.
import { PERMIT_KINDS, PURPOSES, VEHICLE_TYPES } from '../contract/reasons.js';
import { calendarDayNumber, vietnamDayNumber } from '../contract/time.js';
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

/** The spec's limits, exported so the store and the tests use the same numbers. */
export const LIMITS = {
  ctiChars: 64,
  namChars: 200,
  textChars: 200,
  plateChars: 16,
  areas: 64,
  validitySeconds: 400 * 86_400,
} as const;

const AREA_CODE = /^[0-9]{2}(-[0-9]{3}(-[0-9]{5})?)?$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const ID_NUMBER = /^([0-9]{9}|[0-9]{12})$/;
const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
// ASCII letters only before upper-casing: `toUpperCase` would turn `ß` into `SS` and `ı` into `I`.
const PLATE = /^[0-9A-Za-z. -]+$/;
const CONTROL_OR_FORMAT = /[\p{Cc}\p{Cf}]/u;

/** Characters as the spec counts them: Unicode code points, not UTF-16 units. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function int(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ClaimsError(`${name} must be an integer`);
  return v;
}

function text(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new ClaimsError(`${name} must be text`);
  return v;
}

function optional<T>(v: unknown, parse: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : parse(v);
}

function areaCode(v: unknown, name: string): string {
  const s = text(v, name);
  if (!AREA_CODE.test(s)) throw new ClaimsError(`${name} is not an area code`);
  return s;
}

function oneOf<T extends string>(v: unknown, values: readonly T[], name: string): T {
  const s = text(v, name);
  if (!(values as readonly string[]).includes(s)) throw new ClaimsError(`${name} must be one of ${values}`);
  return s as T;
}

/**
 * Free text after NFC: at most `max` code points, no control or format characters (no bidi
 * overrides that would make the guard read another name than the one signed).
 */
function freeText(v: unknown, name: string, max: number, min = 0): string {
  const s = text(v, name).normalize('NFC');
  const n = codePoints(s);
  if (n < min || n > max) throw new ClaimsError(`${name} must be ${min}–${max} characters`);
  if (CONTROL_OR_FORMAT.test(s)) throw new ClaimsError(`${name} has control or format characters`);
  return s;
}

// Blank values (spaces only) of nam, cti and veh.plate were refused before the value rules and still
// are: a guard can neither read nor compare them.
function holderName(v: unknown): string {
  const s = freeText(v, 'nam', LIMITS.namChars, 1);
  if (s.trim() === '') throw new ClaimsError('nam must not be blank');
  return s;
}

function serial(v: unknown): string {
  const s = text(v, 'cti (7)');
  if (s.length > LIMITS.ctiChars || !PRINTABLE_ASCII.test(s)) {
    throw new ClaimsError(`cti (7) must be 1–${LIMITS.ctiChars} printable ASCII characters`);
  }
  if (s.trim() === '') throw new ClaimsError('cti (7) must not be blank');
  return s;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/** YYYY-MM-DD, a real date, not after the Vietnam calendar date of iat (the day it was issued). */
function birthDate(v: unknown, iat: number): string {
  const s = text(v, 'dob');
  const m = DATE.exec(s);
  const [y, mo, d] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  if (!m || !isCalendarDate(y, mo, d)) throw new ClaimsError('dob must be a calendar date YYYY-MM-DD');
  if (calendarDayNumber(y, mo, d) > vietnamDayNumber(iat * 1000)) {
    throw new ClaimsError('dob is after the permit was issued');
  }
  return s;
}

function vehicle(v: unknown): NonNullable<PermitBody['veh']> {
  if (!(v instanceof Map)) throw new ClaimsError('veh must be a map');
  const raw = text(v.get('plate'), 'veh.plate');
  if (raw.length > LIMITS.plateChars || !PLATE.test(raw) || raw.trim() === '') {
    throw new ClaimsError(`veh.plate must be 1–${LIMITS.plateChars} characters of 0-9 A-Z . - space`);
  }
  // A missing type was `other` before the value rules; issuers rely on it.
  const type = optional(v.get('type'), (t) => oneOf(t, VEHICLE_TYPES, 'veh.type')) ?? 'other';
  return { plate: raw.toUpperCase(), type };
}

function dailyHours(v: unknown): [string, string] {
  if (!Array.isArray(v) || v.length !== 2) throw new ClaimsError('hours must be an array of 2 texts');
  const [from, to] = v.map((x, i) => text(x, `hours[${i}]`)) as [string, string];
  if (!HHMM.test(from) || !HHMM.test(to)) throw new ClaimsError('hours must be HH:MM, 00:00–23:59');
  return [from, to];
}

function areaList(v: unknown): string[] {
  if (!Array.isArray(v)) throw new ClaimsError('areas must be an array of texts');
  if (v.length < 1 || v.length > LIMITS.areas)
    throw new ClaimsError(`areas must hold 1–${LIMITS.areas} codes`);
  return v.map((a, i) => areaCode(a, `areas[${i}]`));
}

/** The permit map (claim -261); `iat` bounds the date of birth. */
export function parsePermitBody(m: unknown, iat: number): PermitBody {
  if (!(m instanceof Map)) throw new ClaimsError('claim -261 (permit) must be a map');
  const v = int(m.get('v'), 'v');
  if (v !== 1) throw new ClaimsError(`unsupported permit schema version ${v}`);
  const idn = text(m.get('idn'), 'idn');
  if (!ID_NUMBER.test(idn)) throw new ClaimsError('idn must be 9 or 12 digits');
  const body: PermitBody = {
    v,
    k: oneOf(m.get('k'), PERMIT_KINDS, 'k'),
    nam: holderName(m.get('nam')),
    idn,
    pur: oneOf(m.get('pur'), PURPOSES, 'pur'),
    areas: areaList(m.get('areas')),
  };
  const dob = optional(m.get('dob'), (x) => birthDate(x, iat));
  const org = optional(m.get('org'), (x) => freeText(x, 'org', LIMITS.textChars));
  const home = optional(m.get('home'), (x) => areaCode(x, 'home'));
  const route = optional(m.get('route'), (x) => freeText(x, 'route', LIMITS.textChars));
  const veh = optional(m.get('veh'), vehicle);
  const hours = optional(m.get('hours'), dailyHours);
  if (dob !== undefined) body.dob = dob;
  if (org !== undefined) body.org = org;
  if (home !== undefined) body.home = home;
  if (route !== undefined) body.route = route;
  if (veh !== undefined) body.veh = veh;
  if (hours !== undefined) body.hours = hours;
  return body;
}

export function parseClaims(c: unknown): PermitClaims {
  if (!(c instanceof Map)) throw new ClaimsError('payload must be a CBOR map');
  const iat = int(c.get(6), 'iat (6)');
  const exp = int(c.get(4), 'exp (4)');
  const nbf = optional(c.get(5), (x) => int(x, 'nbf (5)')) ?? iat;
  if (exp < iat) throw new ClaimsError('exp (4) is before iat (6)');
  if (exp - iat > LIMITS.validitySeconds) throw new ClaimsError('valid for more than 400 days');
  return {
    iss: areaCode(c.get(1), 'iss (1)'),
    cti: serial(c.get(7)),
    iat,
    nbf,
    exp,
    permit: parsePermitBody(c.get(-261), iat),
  };
}
