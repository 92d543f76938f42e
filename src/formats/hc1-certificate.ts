// The CWT claims of an HC1 certificate and the certificate itself (claim -260 → 1), checked against
// the structure of the EU DCC JSON schema, every released version (1.0.0 to 1.3.x): required fields,
// types, date formats, and one kind of entry (vaccination, test or recovery). An authentic certificate
// is judged on its content, not refused for its shape (spec/permit-format.md §3): absent groups and
// optional fields written as null, a date of birth with a time or only a year, several entries of one
// kind (the newest is judged). Value-set membership (vaccine codes, test devices, countries) is
// deliberately not checked: the EU value sets change every month and an offline kiosk with a stale
// copy would refuse valid certificates. Any problem is a DccContentError (FORMAT_INVALID).
import { Tag } from 'cbor-x';
import { z } from 'zod';
import { cborDecode } from './cbor.js';
import type { HealthCertificate, HealthEntry } from './hc1-types.js';

export class DccContentError extends Error {
  override name = 'DccContentError';
}

export interface DccClaims {
  /** Claim 1: the issuing country, when present. */
  iss: string | null;
  iat: number;
  exp: number;
  /** Claim -260 → 1, as plain JSON-like values (dates from CBOR tags 0/1 stay Date). */
  hcert: unknown;
}

const MAX_DEPTH = 16;

/** CBOR item → JSON-like value. Maps need text keys; bytes, tags other than dates, undefined refused. */
export function cborToPlain(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new DccContentError('nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((x) => cborToPlain(x, depth + 1));
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) {
      if (typeof k !== 'string') throw new DccContentError('a certificate map has a non-text key');
      // defineProperty: a "__proto__" key stays a plain field and never touches the prototype.
      Object.defineProperty(out, k, { value: cborToPlain(x, depth + 1), enumerable: true, writable: true });
    }
    return out;
  }
  if (v instanceof Tag) throw new DccContentError(`unexpected CBOR tag ${v.tag}`);
  throw new DccContentError(`unexpected CBOR value (${typeof v})`);
}

/** A CWT NumericDate (RFC 8392): seconds since the epoch, an integer or (as some issuers write) a float. */
function numericDate(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 2 ** 53) {
    throw new DccContentError(`${name} must be a NumericDate`);
  }
  return v;
}

/** CWT claims (RFC 8392) of an HC1 payload. Throws DccContentError. */
export function parseDccClaims(payload: Uint8Array): DccClaims {
  let c: unknown;
  try {
    c = cborDecode(payload);
  } catch (err) {
    throw new DccContentError(`payload is not CBOR: ${(err as Error).message}`);
  }
  if (!(c instanceof Map)) throw new DccContentError('payload is not a CBOR map');
  const iss = c.get(1);
  if (iss !== undefined && typeof iss !== 'string') throw new DccContentError('iss (1) must be text');
  const hcert = c.get(-260);
  if (!(hcert instanceof Map) || !hcert.has(1)) throw new DccContentError('claim -260 → 1 is missing');
  return {
    iss: iss ?? null,
    iat: numericDate(c.get(6), 'iat (6)'),
    exp: numericDate(c.get(4), 'exp (4)'),
    hcert: cborToPlain(hcert.get(1)),
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
// RFC 3339 needs a zone: without one, the instant would depend on the machine's time zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The UTC calendar date of a CBOR date (tags 0/1), as YYYY-MM-DD. */
const utcDate = (d: Date): string => d.toISOString().slice(0, 10);

/** A date (YYYY-MM-DD, the date part of a date-time as some issuers write it, or a CBOR date) → YYYY-MM-DD. */
const DateText = z.union([z.string(), z.date()]).transform((v, ctx) => {
  if (v instanceof Date) {
    if (Number.isFinite(v.getTime())) return utcDate(v);
  } else {
    const m = DATE.exec(v);
    if (m && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return v.slice(0, 10);
  }
  ctx.addIssue({ code: 'custom', message: `not a date: ${String(v).slice(0, 40)}` });
  return z.NEVER;
});

/** An instant (RFC 3339 text with a zone, or a CBOR date tag) → epoch milliseconds. */
const Instant = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const ms = v instanceof Date ? v.getTime() : DATE_TIME.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'not a date-time with a time zone' });
    return z.NEVER;
  }
  return ms;
});

const Text = z.string().max(1000);
/** Optional in the schema; schema 1.0.0 generators wrote absent values as null. */
const OptText = Text.nullish();
const Transliterated = z
  .string()
  .max(1000)
  .regex(/^[A-Z<]*$/, 'ICAO 9303 transliteration (A-Z and <)');
/**
 * '' | YYYY | YYYY-MM | YYYY-MM-DD (schema 1.2+), or a full date with a time after `T` or a space (as
 * 1.0.0 generators wrote it), or a CBOR date: the date part is the date of birth.
 */
const Dob = z.union([
  z
    .string()
    .regex(/^(\d{4}(-\d{2}(-\d{2}([T ].*)?)?)?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD')
    .transform((s) => s.slice(0, 10)),
  z
    .date()
    .refine((d) => Number.isFinite(d.getTime()), 'not a date')
    .transform(utcDate),
]);
const Dose = z.number().int().min(1).max(99);

const Vaccination = z.object({
  tg: Text,
  vp: Text,
  mp: Text,
  ma: Text,
  dn: Dose,
  sd: Dose,
  dt: DateText,
  co: Text,
  is: Text,
  ci: Text,
});
const Test = z.object({
  tg: Text,
  tt: Text,
  nm: OptText,
  ma: OptText,
  sc: Instant,
  dr: Instant.nullish(),
  tr: Text,
  tc: OptText,
  co: Text,
  is: Text,
  ci: Text,
});
const Recovery = z.object({
  tg: Text,
  fr: DateText,
  co: Text,
  is: Text,
  df: DateText.nullish(),
  du: DateText.nullish(),
  ci: Text,
});

/** A group: absent, null, or an array (an empty one states nothing, like an absent group). */
const group = <T extends z.ZodType>(entry: T) => z.array(entry).max(64).nullish();

export const HcertSchema = z
  .object({
    ver: z.string().regex(/^\d+\.\d+\.\d+$/, 'semantic version'),
    nam: z.object({
      fn: OptText,
      fnt: Transliterated,
      gn: OptText,
      gnt: Transliterated.nullish(),
    }),
    dob: Dob,
    v: group(Vaccination),
    t: group(Test),
    r: group(Recovery),
  })
  .superRefine((c, ctx) => {
    const kinds = [c.v, c.t, c.r].filter((g) => g != null && g.length > 0).length;
    // One certificate, one kind of statement (the EU rule; the suite's DGC2 expects a schema failure).
    // Mixed kinds are refused, not judged by one of them: which to judge would be the kiosk's guess,
    // and a vaccination beside a positive test proves neither to the guard.
    if (kinds !== 1) {
      ctx.addIssue({ code: 'custom', message: 'exactly one kind of entry: vaccination, test or recovery' });
    }
  });
type Hcert = z.infer<typeof HcertSchema>;

/**
 * The newest entry by `key` (ties: the later one in the certificate, as issuers append).
 * Several entries of one kind are judged by the newest (spec §3): the last dose, the last sample.
 */
function newest<T>(entries: readonly T[], key: (e: T) => string | number): T {
  let best = entries[0] as T;
  for (const e of entries.slice(1)) if (key(e) >= key(best)) best = e;
  return best;
}

/**
 * The entry judged: vaccination by date (dt), ties to the higher dose number; test by sample
 * collection time (sc); recovery by first positive test (fr).
 */
function entryOf(c: Hcert): HealthEntry {
  if (c.v?.length) {
    const v = newest(c.v, (e) => `${e.dt}:${String(e.dn).padStart(2, '0')}`);
    return { type: 'vaccination', dn: v.dn, sd: v.sd, dt: v.dt, co: v.co };
  }
  if (c.t?.length) {
    const t = newest(c.t, (e) => e.sc);
    return { type: 'test', tr: t.tr, sc: t.sc, co: t.co };
  }
  if (c.r?.length) {
    const r = newest(c.r, (e) => e.fr);
    return { type: 'recovery', fr: r.fr, df: r.df ?? null, du: r.du ?? null, co: r.co };
  }
  throw new DccContentError('no entry');
}

/** Checks a decoded certificate (claim -260 → 1) against the schema. Throws DccContentError. */
export function parseHealthCertificate(hcert: unknown): HealthCertificate {
  const r = HcertSchema.safeParse(hcert);
  if (!r.success) {
    const detail = r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new DccContentError(`not a DCC: ${detail}`);
  }
  const c = r.data;
  return {
    ver: c.ver,
    nam: { fn: c.nam.fn ?? null, fnt: c.nam.fnt, gn: c.nam.gn ?? null, gnt: c.nam.gnt ?? null },
    dob: c.dob,
    entry: entryOf(c),
  };
}
