import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { type IssueOptions, permitFromFlags } from '../../src/cli/issue.js';
import { KioskError } from '../../src/contract/errors.js';
import { permitHash } from '../../src/formats/vnp1.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { runCliHere } from '../fixtures/cli-here.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-cli-issue-'));

function decodePng(file: string): string {
  const png = PNG.sync.read(readFileSync(file));
  const lum = new Uint8ClampedArray(png.width * png.height);
  for (let i = 0; i < lum.length; i++) lum[i] = png.data[i * 4] ?? 0;
  const bitmap = () =>
    new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, png.width, png.height)));
  // A generated PNG is a pure barcode: zxing's general finder misreads about 1 in 40 of them.
  const hints = new Map([[DecodeHintType.PURE_BARCODE, true]]);
  return new QRCodeReader().decode(bitmap(), hints).getText();
}

const base: IssueOptions = {
  key: 'unused',
  iss: '01-009',
  cti: 'TX-2021-000777',
  name: 'Trần Văn An',
  idn: '001090001111',
  purpose: 'work',
  areas: '01-009, 01-006',
  kind: 'travel',
  validTo: '14',
};
const NOW = Date.parse('2021-09-10T08:00:00+07:00');

describe('permitFromFlags', () => {
  it('builds claims: days are counted from the start of validity', () => {
    const c = permitFromFlags(
      { ...base, validFrom: '1', hours: '22:00-05:00', plate: '29A-1', vehicleType: 'car' },
      NOW,
    );
    expect(c.iat).toBe(NOW / 1000);
    expect(c.nbf).toBe(NOW / 1000 + 86_400);
    expect(c.exp).toBe(NOW / 1000 + 15 * 86_400);
    expect(c.permit).toMatchObject({
      areas: ['01-009', '01-006'],
      hours: ['22:00', '05:00'],
      veh: { plate: '29A-1', type: 'car' },
    });
    const iso = permitFromFlags({ ...base, validTo: '2021-09-20T00:00:00+07:00' }, NOW);
    expect(iso.exp).toBe(Date.parse('2021-09-20T00:00:00+07:00') / 1000);
    expect(iso.nbf).toBeUndefined();
  });

  it('refuses bad flags with a bilingual error', () => {
    const bad: Partial<IssueOptions>[] = [
      { idn: '12345' },
      { purpose: 'party' },
      { areas: 'hanoi' },
      { kind: 'pet' },
      { hours: '6-18' },
      { vehicleType: 'car' },
      { validTo: '2021-09-01T00:00:00+07:00' },
      { validTo: 'soon' },
      { iss: '' },
    ];
    for (const b of bad) {
      let err: unknown;
      try {
        permitFromFlags({ ...base, ...b }, NOW);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(b)).toBeInstanceOf(KioskError);
      expect((err as KioskError).vi).not.toBe((err as KioskError).en);
    }
  });
});

describe('kiosk keys / sign / issue / verify round trip', () => {
  it('a permit issued with the CLI verifies ALLOW with the CLI; its PNG holds the same text', async () => {
    // The keys from the real binary (child processes); the rest runs in this process (fixtures/cli-here.ts).
    const [rootKeys, issuerKeys] = await Promise.all([
      runCli(['keys', 'new', '--out', dir, '--name', 'root']),
      runCli(['keys', 'new', '--out', dir, '--name', 'issuer']),
    ]);
    expect(rootKeys.code).toBe(0);
    expect(issuerKeys.code).toBe(0);
    const issuer = jsonLines(issuerKeys.stdout)[0] as { kid: string; key: string; privateKey: string };
    expect(Buffer.from(issuer.kid, 'base64')).toHaveLength(8);
    expect(readFileSync(issuer.privateKey, 'utf8')).toContain('BEGIN PRIVATE KEY');

    const again = await runCliHere(['keys', 'new', '--out', dir, '--name', 'root']);
    expect(again.code).toBe(2); // never overwrites a key silently
    expect(again.stderr).toContain('--force');

    const payload = join(dir, 'trust.json');
    const trustEntry = { kid: issuer.kid, iss: '01-009', name: 'Công an quận Thanh Xuân', key: issuer.key };
    const entry = {
      ...trustEntry,
      validFrom: 1_600_000_000,
      validTo: 1_900_000_000,
      kinds: ['travel'],
      areas: ['01-009'],
    };
    writeFileSync(payload, JSON.stringify({ version: 1, issued: 1_630_000_000, issuers: [entry] }));
    const trust = join(dir, 'trust.jws');
    const rootPriv = join(dir, 'root-private.pem');
    const sign = await runCliHere([
      'sign',
      '--type',
      'trust',
      '--key',
      rootPriv,
      '--in',
      payload,
      '--out',
      trust,
    ]);
    expect(sign.code).toBe(0);
    expect(jsonLines(sign.stdout)).toEqual([{ typ: 'vnp-trust+jws', version: 1, out: trust }]);

    const png = join(dir, 'permit.png');
    const issue = await runCliHere([
      'issue',
      '--key',
      issuer.privateKey,
      '--iss',
      '01-009',
      '--cti',
      'TX-2021-000777',
      '--name',
      'Trần Văn An',
      '--idn',
      '001090001111',
      '--purpose',
      'work',
      '--areas',
      '01-009',
      '--plate',
      '29A-123.45',
      '--vehicle-type',
      'motorbike',
      '--valid-to',
      '3',
      '--png',
      png,
    ]);
    expect(issue.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(issue.code).toBe(0);
    const issued = jsonLines(issue.stdout)[0] as { text: string; hash: string };
    expect(issued.text).toMatch(/^VNP1:[0-9A-Z $%*+\-./:]+$/);
    expect(issued.hash).toBe(permitHash('01-009', 'TX-2021-000777'));
    expect(decodePng(png)).toBe(issued.text);

    const rootPub = join(dir, 'root-public.pem');
    const verify = await runCliHere([
      'verify',
      '--root',
      rootPub,
      '--trust',
      trust,
      '--plate',
      '29a 123 45',
      issued.text,
    ]);
    expect(verify.code).toBe(0);
    expect(jsonLines(verify.stdout)).toEqual([
      {
        decision: 'ALLOW',
        reasons: [],
        permit: { iss: '01-009', cti: 'TX-2021-000777', hash: issued.hash, nam: 'Trần Văn An', pur: 'work' },
      },
    ]);

    // signed by the issuer key instead of the root: refused by verify
    const wrongSigner = join(dir, 'wrong.jws');
    await runCliHere([
      'sign',
      '--type',
      'trust',
      '--key',
      issuer.privateKey,
      '--in',
      payload,
      '--out',
      wrongSigner,
    ]);
    const refused = await runCliHere(['verify', '--root', rootPub, '--trust', wrongSigner, issued.text]);
    expect(refused.code).toBe(2);
  }, 120_000);

  it('sign refuses an invalid payload and an unknown type (exit 2, nothing written)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, issued: 1, zones: { '01-009': 'purple' } }));
    const out = join(dir, 'bad.jws');
    const [r, t] = await Promise.all([
      runCliHere(['sign', '--type', 'zones', '--key', join(dir, 'x.pem'), '--in', bad, '--out', out]),
      runCliHere(['sign', '--type', 'weather', '--key', join(dir, 'x.pem'), '--in', bad]),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DOCUMENT_INVALID');
    expect(() => readFileSync(out)).toThrow();
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('BAD_TYPE');
  }, 60_000);
});

describe('kiosk keys / sign refusals', () => {
  // A path under a file: unwritable even for root.
  const blocked = join(dir, 'a-file');
  writeFileSync(blocked, 'not a folder');
  const err = (r: { code: number | null; stderr: string }, code: string) => {
    expect(r.code).toBe(2);
    // Both languages, each on its own line, with the code.
    expect(r.stderr.match(new RegExp(`\\[${code}\\]`, 'g'))).toHaveLength(2);
  };

  it('keys: a bad name, an unwritable folder; --force replaces a key pair', async () => {
    err(await runCliHere(['keys', 'new', '--out', dir, '--name', '../root']), 'BAD_NAME');
    err(await runCliHere(['keys', 'new', '--out', join(blocked, 'keys'), '--name', 'x']), 'FILE_UNWRITABLE');
    const first = await runCliHere(['keys', 'new', '--out', dir, '--name', 'spare']);
    const forced = await runCliHere(['keys', 'new', '--out', dir, '--name', 'spare', '--force']);
    expect(forced.code).toBe(0);
    const [a, b] = [first, forced].map((r) => jsonLines(r.stdout)[0] as { kid: string; publicKey: string });
    expect(b!.kid).not.toBe(a!.kid);
    expect(readFileSync(b!.publicKey, 'utf8')).toContain('BEGIN PUBLIC KEY');
  });

  it('sign: to stdout; refuses a payload not JSON, a key that is not one, an unwritable output', async () => {
    const keys = jsonLines(
      (await runCliHere(['keys', 'new', '--out', dir, '--name', 'signer'])).stdout,
    )[0] as {
      privateKey: string;
      publicKey: string;
    };
    const zones = join(dir, 'zones.json');
    writeFileSync(
      zones,
      JSON.stringify({ version: 2, issued: 1_630_000_000, zones: { '01-009-00343': 'red' } }),
    );
    const out = await runCliHere(['sign', '--type', 'zones', '--key', keys.privateKey, '--in', zones]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const notJson = join(dir, 'zones.txt');
    writeFileSync(notJson, 'vùng đỏ');
    err(
      await runCliHere(['sign', '--type', 'zones', '--key', keys.privateKey, '--in', notJson]),
      'BAD_PAYLOAD',
    );
    err(await runCliHere(['sign', '--type', 'zones', '--key', keys.publicKey, '--in', zones]), 'KEY_INVALID');
    err(
      await runCliHere([
        'sign',
        '--type',
        'zones',
        '--key',
        keys.privateKey,
        '--in',
        zones,
        '--out',
        join(blocked, 'z.jws'),
      ]),
      'FILE_UNWRITABLE',
    );
  });
});
