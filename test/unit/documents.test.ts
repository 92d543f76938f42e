import { readFileSync } from 'node:fs';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { signDocument, verifyDocument } from '../../src/contract/document-jws.js';
import { checkRevocations, validateDocumentPayload } from '../../src/contract/document-validate.js';
import { KioskError } from '../../src/contract/errors.js';
import { generateKeyPair, kidOf, loadPrivateKey, loadPublicKey } from '../../src/contract/keys.js';
import { buildTrustList, loadTrustList } from '../../src/documents/trust-list.js';
import { buildZoneMap, loadZoneMap } from '../../src/documents/zones.js';
import { makeIssuer, signedTrust, trustPayload } from '../fixtures/permits.js';
import { sharedPath } from '../helpers/shared.js';

const root = generateKeyPair();
const rootPub = loadPublicKey(root.publicPem);
const other = generateKeyPair();
const issuer = makeIssuer();
const vectors = JSON.parse(readFileSync(sharedPath('testdata', 'vnp1-vectors.json'), 'utf8'));

async function refusal(p: Promise<unknown>): Promise<KioskError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KioskError);
  const k = err as KioskError;
  expect(k.code).toBe('DOCUMENT_INVALID');
  expect(k.vi.length).toBeGreaterThan(10);
  expect(k.en.length).toBeGreaterThan(10);
  return k;
}

const hex = (n: number) => n.toString(16).padStart(64, '0');

describe('trust list', () => {
  it('loads the public vector trust list with the pinned root', async () => {
    const t = await loadTrustList(vectors.trustListJws, loadPublicKey(vectors.rootPublicKeyPem));
    expect(t.version).toBe(1);
    expect([...t.issuers.keys()]).toEqual(['C0I85WjblCg=']);
    expect(t.issuers.get('C0I85WjblCg=')?.key.type).toBe('public');
  });

  it('round-trips a trust list signed with signDocument', async () => {
    const jws = await signedTrust([{ issuer }], root.privatePem);
    const [header] = jws.split('.');
    expect(JSON.parse(Buffer.from(header as string, 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid: kidOf(rootPub).toString('base64url'),
      typ: 'vnp-trust+jws',
    });
    const t = await loadTrustList(jws, rootPub);
    expect(t.issuers.get(issuer.kid.toString('base64'))?.iss).toBe('01-009');
  });

  it('refuses a trust list signed by another key (forged)', async () => {
    const forged = await signedTrust([{ issuer }], other.privatePem);
    const err = await refusal(loadTrustList(forged, rootPub));
    expect(err.en).toMatch(/signature|root/);
  });

  it('refuses a bad signature, a wrong typ, a garbled text', async () => {
    const jws = await signedTrust([{ issuer }], root.privatePem);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const flipped = s.startsWith('A') ? `B${s.slice(1)}` : `A${s.slice(1)}`;
    await refusal(loadTrustList(`${h}.${p}.${flipped}`, rootPub));
    const zones = await signDocument('zones', trustPayload([{ issuer }]), root.privatePem);
    const wrongTyp = await refusal(loadTrustList(zones, rootPub));
    expect(wrongTyp.en).toMatch(/typ/);
    await refusal(loadTrustList('not a jws', rootPub));
    await refusal(loadTrustList('', rootPub));
  });

  it('refuses a header kid that is not the root key, and a non-ES256 alg', async () => {
    const key = loadPrivateKey(root.privatePem);
    const body = new TextEncoder().encode(JSON.stringify(trustPayload([{ issuer }])));
    const badKid = await new CompactSign(body)
      .setProtectedHeader({ alg: 'ES256', kid: 'AAAAAAAAAAA', typ: 'vnp-trust+jws' })
      .sign(key);
    await refusal(loadTrustList(badKid, rootPub));
    const noKid = await new CompactSign(body)
      .setProtectedHeader({ alg: 'ES256', typ: 'vnp-trust+jws' })
      .sign(key);
    expect((await loadTrustList(noKid, rootPub)).version).toBe(1);
  });

  it('refuses a bad payload: schema, key not P-256, kid not matching the key, duplicates', async () => {
    const sign = (payload: unknown) => signDocument('trust', payload, root.privatePem);
    await refusal(loadTrustList(await sign({ version: 'x', issuers: [] }), rootPub));
    await refusal(loadTrustList(await sign([1, 2]), rootPub));
    const good = trustPayload([{ issuer }]) as { issuers: Record<string, unknown>[] };
    const wrongKid = structuredClone(good);
    (wrongKid.issuers[0] as Record<string, unknown>).kid = makeIssuer().kid.toString('base64');
    await refusal(loadTrustList(await sign(wrongKid), rootPub));
    const badKey = structuredClone(good);
    (badKey.issuers[0] as Record<string, unknown>).key = Buffer.from('nope').toString('base64');
    await refusal(loadTrustList(await sign(badKey), rootPub));
    // An issuer listed under an iss that is no area code could sign no valid permit.
    const notArea = trustPayload([{ issuer }]);
    (notArea.issuers as Record<string, unknown>[])[0]!.iss = 'VN-HN';
    await refusal(loadTrustList(await sign(notArea), rootPub));
    const dup = trustPayload([{ issuer }, { issuer }]);
    await refusal(loadTrustList(await sign(dup), rootPub));
    const notJson = await new CompactSign(new TextEncoder().encode('{oops'))
      .setProtectedHeader({ alg: 'ES256', typ: 'vnp-trust+jws' })
      .sign(loadPrivateKey(root.privatePem));
    await refusal(loadTrustList(notJson, rootPub));
  });

  it('buildTrustList exposes version for a store to compare', () => {
    expect(buildTrustList(trustPayload([{ issuer }], 9)).version).toBe(9);
  });
});

describe('revocations', () => {
  // Applying lists (full, delta on its base, versions forward) is the document store's: see
  // documents-store.test.ts and documents-revocations.test.ts. Here: what a list's payload may be.
  it('refuses bad entries and a delta without base, with both languages', () => {
    expect(() => checkRevocations({ version: 1, issued: 1, mode: 'full', add: ['xyz'] })).toThrow(KioskError);
    expect(() => checkRevocations({ version: 1, issued: 1, mode: 'delta', add: [] })).toThrow(/base/);
    expect(
      checkRevocations({ version: 1, issued: 1, mode: 'full', add: [hex(1).toUpperCase()] }).add,
    ).toEqual([hex(1)]);
  });
});

describe('zones', () => {
  it('longest listed prefix wins, else the default', async () => {
    const jws = await signDocument(
      'zones',
      {
        version: 1,
        issued: 1,
        default: 'green',
        zones: { '01-009-00337': 'red', '01-009': 'orange', '01-004': 'yellow' },
      },
      root.privatePem,
    );
    const z = await loadZoneMap(jws, rootPub);
    expect(z.levelOf('01-009-00337')).toBe('red');
    expect(z.levelOf('01-009-00343')).toBe('orange');
    expect(z.levelOf('01-009')).toBe('orange');
    expect(z.levelOf('01-004-00100')).toBe('yellow');
    expect(z.levelOf('01-001')).toBe('green');
    expect(z.levelOf('01-0093')).toBe('green'); // a string prefix is not an area prefix
  });

  it('default level defaults to green; bad levels and codes are refused', () => {
    expect(buildZoneMap({ version: 1, issued: 1, zones: {} }).levelOf('01')).toBe('green');
    expect(() => buildZoneMap({ version: 1, issued: 1, zones: { '01-009': 'purple' } })).toThrow(KioskError);
    expect(() => buildZoneMap({ version: 1, issued: 1, zones: { hanoi: 'red' } })).toThrow(KioskError);
  });
});

describe('verifyDocument and validateDocumentPayload', () => {
  it('returns the payload of a good document of the right kind', async () => {
    const jws = await signDocument(
      'config',
      { version: 1, issued: 1, checkpoint: '*', policy: {} },
      root.privatePem,
    );
    expect(await verifyDocument(jws, 'config', rootPub)).toEqual({
      version: 1,
      issued: 1,
      checkpoint: '*',
      policy: {},
    });
    await refusal(verifyDocument(jws, 'trust', rootPub));
  });

  it('validates payloads per kind', () => {
    expect(
      validateDocumentPayload('config', {
        version: 2,
        issued: 1,
        checkpoint: 'TX-01',
        policy: { curfew: null },
      }),
    ).toEqual({ version: 2 });
    expect(() =>
      validateDocumentPayload('config', { version: 2, issued: 1, checkpoint: 'TX-01', policy: { x: 1 } }),
    ).toThrow(KioskError);
    expect(() => validateDocumentPayload('trust', { version: 1 })).toThrow(KioskError);
    expect(validateDocumentPayload('zones', { version: 4, issued: 1, zones: {} })).toEqual({ version: 4 });
  });
});
