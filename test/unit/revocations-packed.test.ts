import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointConfig } from '../../src/contract/checkpoint.js';
import { signDocument } from '../../src/contract/document-jws.js';
import { checkRevocations } from '../../src/contract/document-validate.js';
import { KioskError } from '../../src/contract/errors.js';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { packHexHashes, unpackToHex } from '../../src/contract/revocation-packing.js';
import { readRevocations } from '../../src/documents/revocation-read.js';
import { DocumentStore } from '../../src/documents/store.js';
import { openKioskDatabase } from '../../src/store/store.js';

const root = generateKeyPair();
const rootKey = loadPublicKey(root.publicPem);
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));
const sign = (payload: unknown) => signDocument('revocations', payload, root.privatePem);

/** The hex hashes of a packed list read by the kiosk. */
function hexes(packed: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < packed.length; at += 32) out.push(packed.toString('hex', at, at + 32));
  return out;
}

describe('packed revocation lists', () => {
  it('give the same set as the same entries unpacked, in any order, with duplicates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hash, { maxLength: 60 }),
        fc.array(hash, { maxLength: 20 }),
        async (add, remove) => {
          const base = { version: 3, issued: 1, mode: 'delta' as const, base: 2 };
          const plain = await readRevocations(await sign({ ...base, add, remove }), rootKey);
          const packed = await readRevocations(
            await sign({ ...base, addPacked: packHexHashes(add), removePacked: packHexHashes(remove) }),
            rootKey,
          );
          expect(hexes(packed.add)).toEqual(hexes(plain.add));
          expect(hexes(packed.remove)).toEqual(hexes(plain.remove));
          expect(hexes(plain.add)).toEqual([...new Set(add)].sort());
          // The schema the command centre and `kiosk sign` use reads them back the same.
          const checked = checkRevocations({ ...base, addPacked: packHexHashes(add) });
          expect(checked.add).toEqual([...new Set(add)].sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a long packed list is read from the bytes (the path a million entries take) with the same result', async () => {
    const add = Array.from({ length: 5000 }, () => randomBytes(32).toString('hex'));
    const doc = await sign({ version: 1, issued: 1, mode: 'full', addPacked: packHexHashes(add) });
    const read = await readRevocations(Buffer.from(doc), rootKey);
    expect(hexes(read.add)).toEqual([...add].sort());
    expect(read.remove.length).toBe(0);
  });

  const sorted = [...Array.from({ length: 3 }, () => randomBytes(32))].sort(Buffer.compare);
  const cases: [string, unknown][] = [
    ['not base64', 'not base64!'],
    ['lenient base64 Node would skip', `${Buffer.concat(sorted).toString('base64')}*`],
    ['a partial hash', Buffer.concat(sorted).subarray(0, 70).toString('base64')],
    ['descending', Buffer.concat([...sorted].reverse()).toString('base64')],
    ['a duplicate', Buffer.concat([sorted[0]!, sorted[0]!]).toString('base64')],
    ['not a string', 42],
    ['long garbage', 'A'.repeat(9000).concat('!!!!')],
  ];
  for (const [what, addPacked] of cases) {
    it(`malformed packed data is refused with a bilingual error: ${what}`, async () => {
      const doc = await sign({ version: 1, issued: 1, mode: 'full', addPacked });
      const err = await readRevocations(doc, rootKey).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KioskError);
      expect((err as KioskError).code).toBe('MALFORMED');
      expect((err as KioskError).vi).toMatch(/addPacked/);
      expect((err as KioskError).en).toMatch(/addPacked/);
    });
  }

  it('a malformed packed list applied to a kiosk changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-packed-'));
    const db = openKioskDatabase(join(dir, 'kiosk.db'));
    const checkpoint = CheckpointConfig.parse({
      checkpoint: { id: 'T', district: '01-009', area: '01-009', kind: 'district-entry' },
    });
    const docs = new DocumentStore(db, { root: rootKey, checkpoint });
    try {
      await docs.load();
      const held = ['11'.repeat(32), '22'.repeat(32)];
      const good = await sign({ version: 1, issued: 1, mode: 'full', addPacked: packHexHashes(held) });
      expect((await docs.apply('revocations', good, { source: 'test', mode: 'full' })).applied).toBe(true);
      const bad = await sign({
        version: 2,
        issued: 1,
        mode: 'full',
        addPacked: `${packHexHashes(['33'.repeat(32)])}!`,
      });
      const r = await docs.apply('revocations', bad, { source: 'test', mode: 'full' });
      expect(r.applied).toBe(false);
      expect(r.error?.en).toMatch(/addPacked/);
      expect(r.error?.vi).toMatch(/addPacked/);
      const now = docs.current().revocations;
      expect(now.size).toBe(2);
      expect(held.every((h) => now.has(h))).toBe(true);
      expect(now.has('33'.repeat(32))).toBe(false);
    } finally {
      await docs.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('both forms of one list at once are refused', async () => {
    const h = randomBytes(32).toString('hex');
    const doc = await sign({ version: 1, issued: 1, mode: 'full', add: [h], addPacked: packHexHashes([h]) });
    await expect(readRevocations(doc, rootKey)).rejects.toThrow(/must not both be present/);
    expect(() =>
      checkRevocations({ version: 1, issued: 1, mode: 'full', add: [h], addPacked: packHexHashes([h]) }),
    ).toThrow(KioskError);
  });

  it('a packed list with a bad signature is refused as such, not read', async () => {
    const doc = await sign({
      version: 1,
      issued: 1,
      mode: 'full',
      addPacked: packHexHashes(['ab'.repeat(32)]),
    });
    const other = generateKeyPair();
    await expect(readRevocations(doc, loadPublicKey(other.publicPem))).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('unpackToHex refuses what the kiosk refuses', () => {
    expect(Array.isArray(unpackToHex('Ł'.repeat(44), 'addPacked'))).toBe(false);
    expect(unpackToHex(packHexHashes(['01'.repeat(32)]), 'addPacked')).toEqual(['01'.repeat(32)]);
  });
});
