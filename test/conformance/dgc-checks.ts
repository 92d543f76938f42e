// The EU dgc-testdata suite's verifier checks, each run through the product's own code (src/dcc/ and
// the camera's QR decoder). One function per EXPECTEDRESULTS field; each returns what our code says,
// so the test compares it with the suite's expectation. Field meanings: the suite's README.md.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { CheckpointConfig } from '../../src/contract/checkpoint.js';
import { buildTrustList, type TrustList } from '../../src/documents/trust-list.js';
import { cborDecode } from '../../src/formats/cbor.js';
import { verifyCoseSignature } from '../../src/formats/hc1.js';
import { cborToPlain, parseDccClaims, parseHealthCertificate } from '../../src/formats/hc1-certificate.js';
import { certificateKid, dccSigners, usageAllows } from '../../src/formats/hc1-signers.js';
import {
  base45DecodeHc1,
  decodeHc1Transport,
  inflateHc1,
  parseHc1Cose,
  unprefixHc1,
} from '../../src/formats/hc1-transport.js';
import { decodeImageBuffer } from '../../src/hardware/qr-decoder.js';
import { validityProblem } from '../../src/policy/health-rule.js';

export interface DgcCase {
  /** Path under the suite, without `.json`, e.g. `common/2DCode/raw/CO1`. */
  id: string;
  raw: Record<string, unknown>;
  expected: Record<string, unknown>;
  ctx: Record<string, unknown>;
  /** The case's PNG from the country's png/ folder, for cases whose JSON has no 2DCODE. */
  pngFile: string | null;
}

/**
 * Every `2DCode/raw` folder of the suite. PL keeps one per schema version (PL/1.3.0/2DCode/raw) and IE
 * spells it `Raw`: a strict `*​/2DCode/raw` glob would silently drop 46 of the suite's cases.
 */
export function loadCases(root: string): DgcCase[] {
  const out: DgcCase[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) continue;
      if (name.toLowerCase() === 'raw' && dir.endsWith('2DCode')) {
        for (const file of readdirSync(path).sort()) {
          if (!file.endsWith('.json')) continue;
          const raw = JSON.parse(readFileSync(join(path, file), 'utf8').replace(/^\uFEFF/, ''));
          out.push({
            id: relative(root, join(path, file)).replace(/\.json$/, ''),
            raw,
            expected: (raw.EXPECTEDRESULTS ?? {}) as Record<string, unknown>,
            ctx: (raw.TESTCTX ?? {}) as Record<string, unknown>,
            pngFile: siblingPng(dir, file),
          });
        }
      } else walk(path);
    }
  };
  walk(root);
  return out;
}

const pngKey = (name: string): string =>
  name
    .toLowerCase()
    .replace(/\.(json|png)$/, '')
    .replace(/-/g, '_')
    .replace(/_(raw|qr)$/, '');

/** FR and IE ship their QR images beside the raw files (png/x.png, x_qr.png) instead of in 2DCODE. */
function siblingPng(twoDCodeDir: string, file: string): string | null {
  for (const pngDir of [join(twoDCodeDir, 'png'), join(dirname(twoDCodeDir), 'png')]) {
    if (!existsSync(pngDir)) continue;
    const hit = readdirSync(pngDir).find((n) => n.endsWith('.png') && pngKey(n) === pngKey(file));
    if (hit) return join(pngDir, hit);
  }
  return null;
}

/** known_issues.csv: the only cases the test may leave out, each with the suite's stated reason. */
export function knownIssues(root: string): Map<string, string> {
  const rows = parseCsv(readFileSync(join(root, 'known_issues.csv'), 'utf8'), {
    relaxColumnCount: true,
    skipEmptyLines: true,
  }) as string[][];
  const issues = new Map<string, string>();
  for (const row of rows) {
    const [path, ...rest] = row;
    if (path) issues.set(path.trim().replace(/\.json$/, ''), rest.join(' ').trim() || 'listed');
  }
  return issues;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const hex = (v: unknown): Buffer | null => (str(v) ? Buffer.from(v as string, 'hex') : null);

/** JSON-like equality where a CBOR date and its RFC 3339 text are the same instant. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    const t = (x: unknown): number =>
      x instanceof Date ? x.getTime() : typeof x === 'string' ? Date.parse(x) : NaN;
    return Number.isFinite(t(a)) && t(a) === t(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.length === kb.length &&
      ka.every(
        (k, i) =>
          k === kb[i] && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
      )
    );
  }
  return a === b;
}

function attempt(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}

/** The trust list a kiosk would hold with TESTCTX.CERTIFICATE as its one DCC signer. */
export function trustOf(c: DgcCase): TrustList | null {
  const cert = str(c.ctx.CERTIFICATE);
  if (!cert) return null;
  const der = Buffer.from(cert, 'base64');
  return buildTrustList({
    version: 1,
    issued: 0,
    issuers: [],
    dcc: [{ kid: certificateKid(der).toString('base64'), country: 'EU', cert }],
  });
}

/** The COSE of a case: its COSE field, else what our transport makes of its PREFIX. */
function coseBytes(c: DgcCase): Buffer {
  const cose = hex(c.raw.COSE);
  if (cose) return cose;
  const prefix = str(c.raw.PREFIX);
  if (!prefix) throw new Error('no COSE and no PREFIX');
  return inflateHc1(base45DecodeHc1(unprefixHc1(prefix)));
}

/** The CBOR field decoded: some cases hold the certificate, others the whole CWT payload around it. */
function fromCborField(bytes: Buffer): unknown {
  const item = cborDecode(bytes);
  return item instanceof Map && item.has(-260) ? parseDccClaims(bytes).hcert : cborToPlain(item);
}

/** The certificate (claim -260 → 1) of a case: from its CBOR field, else from its COSE. */
function hcertOf(c: DgcCase): unknown {
  const cbor = hex(c.raw.CBOR);
  if (cbor) return fromCborField(cbor);
  return parseDccClaims(parseHc1Cose(coseBytes(c)).payload).hcert;
}

const DEFAULT_TOLERANCE = CheckpointConfig.parse({
  checkpoint: { id: 'X', district: '01', area: '01', kind: 'mobile' },
}).policy.notBeforeToleranceSeconds;

/** Each check: the inputs it needs (a field missing means it cannot be run) and what our code says. */
export const CHECKS: Record<string, { needs: string[]; run: (c: DgcCase) => boolean | Promise<boolean> }> = {
  // PREFIX without its context identifier equals BASE45.
  EXPECTEDUNPREFIX: {
    needs: ['PREFIX'],
    run: (c) =>
      attempt(() => {
        const body = unprefixHc1(c.raw.PREFIX as string);
        return str(c.raw.BASE45) === null || body === c.raw.BASE45;
      }),
  },
  // BASE45 decodes, to COMPRESSED when given.
  EXPECTEDB45DECODE: {
    needs: ['BASE45'],
    run: (c) =>
      attempt(() => {
        const bytes = base45DecodeHc1(c.raw.BASE45 as string);
        const compressed = hex(c.raw.COMPRESSED);
        return compressed === null || bytes.equals(compressed);
      }),
  },
  // COMPRESSED inflates (zlib), to COSE when given.
  EXPECTEDCOMPRESSION: {
    needs: ['COMPRESSED'],
    run: (c) =>
      attempt(() => {
        const cose = inflateHc1(hex(c.raw.COMPRESSED) as Buffer);
        const expected = hex(c.raw.COSE);
        return expected === null || cose.equals(expected);
      }),
  },
  // The COSE signature verifies with TESTCTX.CERTIFICATE (alg, kid lookup, ES256/PS256).
  EXPECTEDVERIFY: {
    needs: ['TESTCTX.CERTIFICATE'],
    run: (c) =>
      attempt(() => verifyCoseSignature(parseHc1Cose(coseBytes(c)), dccSigners(trustOf(c) as TrustList)).ok),
  },
  // Validation test 6: the certificate inside COSE equals the CBOR field. Without a COSE, the
  // variable's own definition: CBOR decodes and equals JSON.
  EXPECTEDDECODE: {
    needs: ['CBOR'],
    run: (c) =>
      attempt(() => {
        const fromCbor = fromCborField(hex(c.raw.CBOR) as Buffer);
        if (str(c.raw.COSE) === null) return c.raw.JSON === undefined || sameJson(fromCbor, c.raw.JSON);
        return sameJson(parseDccClaims(parseHc1Cose(hex(c.raw.COSE) as Buffer).payload).hcert, fromCbor);
      }),
  },
  // The whole chain from PREFIX gives JSON.
  EXPECTEDVALIDJSON: {
    needs: ['PREFIX', 'JSON'],
    run: (c) =>
      attempt(() =>
        sameJson(parseDccClaims(decodeHc1Transport(c.raw.PREFIX as string).payload).hcert, c.raw.JSON),
      ),
  },
  // The decoded certificate passes the kiosk's schema check (src/formats/hc1-certificate.ts).
  EXPECTEDSCHEMAVALIDATION: {
    needs: [],
    run: (c) => attempt(() => parseHealthCertificate(hcertOf(c)) !== null),
  },
  // The JSON object passes the same schema check.
  EXPECTEDVALIDOBJECT: {
    needs: ['JSON'],
    run: (c) => attempt(() => parseHealthCertificate(c.raw.JSON) !== null),
  },
  // Valid at VALIDATIONCLOCK: iat not in the future (beyond the kiosk's default tolerance), exp after.
  EXPECTEDEXPIRATIONCHECK: {
    needs: ['TESTCTX.VALIDATIONCLOCK'],
    run: (c) =>
      attempt(() => {
        const claims = parseDccClaims(parseHc1Cose(coseBytes(c)).payload);
        const clock = Date.parse(c.ctx.VALIDATIONCLOCK as string);
        if (!Number.isFinite(clock)) throw new Error('bad VALIDATIONCLOCK');
        return validityProblem(claims, clock, DEFAULT_TOLERANCE) === null;
      }),
  },
  // TESTCTX.CERTIFICATE's extended key usage allows the certificate's type (signature not needed).
  EXPECTEDKEYUSAGE: {
    needs: ['TESTCTX.CERTIFICATE'],
    run: (c) =>
      attempt(() => {
        const type = parseHealthCertificate(parseDccClaims(parseHc1Cose(coseBytes(c)).payload).hcert).entry
          .type;
        const signers = [...dccSigners(trustOf(c) as TrustList).byKid.values()].flat();
        return signers.length === 1 && usageAllows(signers[0] as (typeof signers)[0], type);
      }),
  },
  // The 2DCODE PNG (else the case's image in png/), through the camera's decoder, reads as PREFIX.
  EXPECTEDPICTUREDECODE: {
    needs: ['2DCODE|png', 'PREFIX'],
    run: async (c) => {
      try {
        const png = str(c.raw['2DCODE'])
          ? Buffer.from(c.raw['2DCODE'] as string, 'base64')
          : readFileSync(c.pngFile as string);
        return (await decodeImageBuffer(png)) === c.raw.PREFIX;
      } catch {
        return false;
      }
    },
  },
};

/** Fields the suite sets that are not a verifier's to check, with why. */
export const NOT_FOR_A_VERIFIER: Record<string, string> = {
  EXPECTEDENCODE: 'JSON → CBOR is the issuer side (code generation test 2)',
  EXPECTEDRESULTS: 'not a field of the suite (ES/1001-1003 nest it by mistake)',
  EXPTECTEDEXPIRED: 'misspelt, undefined field (ES/201-203); their other fields are checked',
};

export function missingInputs(c: DgcCase, needs: readonly string[]): string[] {
  return needs.filter((n) => {
    if (n === '2DCODE|png') return !str(c.raw['2DCODE']) && c.pngFile === null;
    const v = n.startsWith('TESTCTX.') ? c.ctx[n.slice(8)] : c.raw[n];
    return v === undefined || v === null || v === '';
  });
}

/** The certificate our whole chain reads from a case's PREFIX. */
export function decodedFromPrefix(c: DgcCase): unknown {
  return parseDccClaims(decodeHc1Transport(c.raw.PREFIX as string).payload).hcert;
}

/** The certificate in a case's CBOR field (the signed data, as the issuer encoded it). */
export function decodedFromCbor(c: DgcCase): unknown {
  return fromCborField(hex(c.raw.CBOR) as Buffer);
}
