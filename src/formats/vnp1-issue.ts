// The issuer side of VNP1: build the CWT claims, sign a COSE_Sign1 with ES256, deflate, base45.
// Used by `kiosk issue`, the tests, the bench and the demo. The building blocks are exported so
// tests can make precisely malformed permits (wrong alg, kid placement, untagged, bad claims).
import type { KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { Tag } from 'cbor-x';
import { kidOf, loadPrivateKey } from '../contract/keys.js';
import { base45Encode } from './base45.js';
import { cborEncode } from './cbor.js';
import { signEs256, TAG_COSE_SIGN1 } from './cose.js';
import type { PermitBody } from './types.js';
import { VNP1_PREFIX } from './vnp1.js';
import { parseClaims } from './vnp1-claims.js';

export interface PermitToIssue {
  iss: string;
  cti: string;
  iat: number;
  exp: number;
  nbf?: number;
  permit: PermitBody;
}

export function permitBodyToMap(p: PermitBody): Map<string, unknown> {
  const m = new Map<string, unknown>([
    ['v', p.v],
    ['k', p.k],
    ['nam', p.nam.normalize('NFC')],
    ['idn', p.idn],
    ['pur', p.pur],
    ['areas', p.areas],
  ]);
  if (p.dob !== undefined) m.set('dob', p.dob);
  if (p.org !== undefined) m.set('org', p.org.normalize('NFC'));
  if (p.home !== undefined) m.set('home', p.home);
  if (p.route !== undefined) m.set('route', p.route.normalize('NFC'));
  if (p.veh !== undefined)
    m.set(
      'veh',
      new Map([
        ['plate', p.veh.plate],
        ['type', p.veh.type],
      ]),
    );
  if (p.hours !== undefined) m.set('hours', p.hours);
  return m;
}

export function claimsToMap(c: PermitToIssue): Map<number, unknown> {
  const m = new Map<number, unknown>([
    [1, c.iss],
    [4, c.exp],
  ]);
  if (c.nbf !== undefined) m.set(5, c.nbf);
  m.set(6, c.iat);
  m.set(7, c.cti);
  m.set(-261, permitBodyToMap(c.permit));
  return m;
}

/**
 * The value rules every kiosk applies (vnp1-claims.ts), for issuers: a permit that breaks them would be
 * refused FORMAT_INVALID at every checkpoint. Throws ClaimsError naming the rule.
 */
export function checkPermitToIssue(c: PermitToIssue): void {
  parseClaims(claimsToMap(c));
}

export interface CoseOptions {
  /** Protected header map; default {1: -7, 4: kid}. */
  protectedHeader?: Map<number, unknown>;
  unprotected?: Map<number, unknown>;
  /** Wrap in CBOR tag 18 (default true). */
  tagged?: boolean;
}

/** Signs a payload (already CBOR) as COSE_Sign1 with ES256; returns the CBOR bytes. */
export function signCose(payload: Buffer, key: KeyObject, opts: CoseOptions = {}): Buffer {
  const header =
    opts.protectedHeader ??
    new Map<number, unknown>([
      [1, -7],
      [4, kidOf(key)],
    ]);
  const protectedBytes = header.size === 0 ? Buffer.alloc(0) : cborEncode(header);
  const signature = signEs256(protectedBytes, payload, key);
  const sign1 = [protectedBytes, opts.unprotected ?? new Map(), payload, signature];
  return cborEncode(opts.tagged === false ? sign1 : new Tag(sign1, TAG_COSE_SIGN1));
}

/** COSE bytes → `VNP1:` text (zlib deflate at the best level, then base45). */
export function packVnp1(cose: Uint8Array): string {
  return VNP1_PREFIX + base45Encode(deflateSync(cose, { level: 9 }));
}

/** Builds and signs a VNP1 permit; `key` is a PEM PKCS8 private key or an imported KeyObject. */
export function issuePermit(claims: PermitToIssue, key: string | KeyObject, opts: CoseOptions = {}): string {
  const k = typeof key === 'string' ? loadPrivateKey(key) : key;
  return packVnp1(signCose(cborEncode(claimsToMap(claims)), k, opts));
}
