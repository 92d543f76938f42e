import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { runCliHere } from '../fixtures/cli-here.js';
import { sharedPath } from '../helpers/shared.js';

const vectors = JSON.parse(readFileSync(sharedPath('testdata', 'vnp1-vectors.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'kiosk-cli-verify-'));
const root = join(dir, 'root.pem');
const trust = join(dir, 'trust.jws');
const forged = join(dir, 'forged.jws');
const cpFile = join(dir, 'checkpoint.json');
const docs = ['--root', root, '--trust', trust];

interface Line {
  decision: string;
  reasons: string[];
  permit: Record<string, string> | null;
}

beforeAll(async () => {
  writeFileSync(root, vectors.rootPublicKeyPem);
  writeFileSync(trust, vectors.trustListJws);
  writeFileSync(forged, await signDocument('trust', vectors.trustList, generateKeyPair().privatePem));
  writeFileSync(cpFile, JSON.stringify(vectors.checkpoint));
});

describe('kiosk verify', () => {
  it('stdin mode: JSON-object lines with per-scan clocks give the expected verdicts, in order', async () => {
    const input = vectors.vectors.map((v: { scan: string; at: string }) =>
      JSON.stringify({ scan: v.scan, at: v.at, direction: 'in' }),
    );
    const r = await runCliHere(['verify', ...docs, '--checkpoint', cpFile], `${input.join('\n')}\n`);
    expect(r.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(r.code).toBe(0);
    const lines = jsonLines(r.stdout) as Line[];
    expect(lines.map((l) => [l.decision, l.reasons])).toEqual(
      vectors.vectors.map((v: { decision: string; reasons: string[] }) => [v.decision, v.reasons]),
    );
    expect(lines[0]?.permit).toEqual({
      iss: '01-009',
      cti: 'TX-2021-000001',
      hash: '3e47f89af864e8de336cb66702f04a2d47c73359f60dce0b48635ccef087c321',
      nam: 'Lê Văn Bình',
      pur: 'work',
    });
    expect(lines[5]?.permit).toBeNull();
  });

  it('stdin mode: plain lines share history (duplicate) and take --at; bad lines are reported in place', async () => {
    const valid = vectors.vectors[0].scan as string;
    const input = [valid, '', valid, '{"scan": 5}', '{"scan":"X","at":"yesterday"}', '{not json', valid].join(
      '\r\n',
    );
    const r = await runCliHere(['verify', ...docs, '--at', '2021-09-10T08:00:00+07:00'], input);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout) as (Line & { error?: { code: string; vi: string; en: string } })[];
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(lines[1]).toMatchObject({ decision: 'ALLOW', reasons: ['DUPLICATE_SCAN'] });
    expect(lines[2]?.error?.code).toBe('BAD_LINE');
    expect(lines[3]?.error?.code).toBe('BAD_CLOCK');
    expect(lines[4]).toMatchObject({ decision: 'REVIEW', reasons: ['UNRECOGNISED'] });
    expect(lines[5]).toMatchObject({ decision: 'ALLOW', reasons: ['DUPLICATE_SCAN'] });
    expect(r.stderr).toContain('BAD_LINE');
  });

  it('argument mode, with --plate and --direction', async () => {
    const all = vectors.vectors as { scan: string; at: string; decision: string; reasons: string[] }[];
    const runs = await Promise.all(all.map((v) => runCliHere(['verify', ...docs, '--at', v.at, v.scan])));
    runs.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(jsonLines(r.stdout)).toMatchObject([{ decision: all[i]?.decision, reasons: all[i]?.reasons }]);
    });
    const vehicle = vectors.vectors[3].scan as string;
    const at = ['--at', '2021-09-10T08:00:00+07:00'];
    const mismatch = await runCliHere(['verify', ...docs, ...at, '--plate', '30A-999.99', vehicle]);
    expect(jsonLines(mismatch.stdout)).toMatchObject([{ decision: 'REVIEW', reasons: ['VEHICLE_MISMATCH'] }]);
    const area = vectors.vectors[2].scan as string;
    const out = await runCliHere(['verify', ...docs, ...at, '--direction', 'out', area]);
    expect(jsonLines(out.stdout)).toMatchObject([{ decision: 'ALLOW', reasons: [] }]);
  }, 90_000);

  it('a forged trust list is exit 2 with a bilingual message and no verdicts', async () => {
    // The real binary (a child process): main.ts's wiring and its exit code.
    const r = await runCli(['verify', '--root', root, '--trust', forged, vectors.vectors[0].scan]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // The kiosk's own refusal of a downlink document, with the file named.
    expect(r.stderr).toContain('[SIGNATURE_INVALID]');
    expect(r.stderr).toContain('forged.jws: Chữ ký sai');
    expect(r.stderr).toContain("forged.jws: Bad signature or not signed by the command centre's root key");
  });

  it('a trust list given as --zones (wrong typ), a missing file, a bad clock: exit 2', async () => {
    const [zones, missing, clock] = await Promise.all([
      runCliHere(['verify', ...docs, '--zones', trust, 'X']),
      runCliHere(['verify', '--root', root, '--trust', join(dir, 'nope.jws'), 'X']),
      runCliHere(['verify', ...docs, '--at', 'noon', 'X']),
    ]);
    expect(zones.code).toBe(2);
    expect(zones.stderr).toMatch(/typ/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Không đọc được');
    expect(clock.code).toBe(2);
    expect(clock.stderr).toContain('BAD_CLOCK');
  }, 90_000);

  it('revocations and zones documents apply', async () => {
    const rootPriv = vectors.rootPrivateKeyPem as string;
    const rev = join(dir, 'rev.jws');
    const zones = join(dir, 'zones.jws');
    const hash = '3e47f89af864e8de336cb66702f04a2d47c73359f60dce0b48635ccef087c321';
    writeFileSync(
      rev,
      await signDocument('revocations', { version: 1, issued: 1, mode: 'full', add: [hash] }, rootPriv),
    );
    writeFileSync(
      zones,
      await signDocument('zones', { version: 1, issued: 1, zones: { '01-009-00343': 'red' } }, rootPriv),
    );
    const at = ['--at', '2021-09-10T08:00:00+07:00'];
    const r = await runCliHere([
      'verify',
      ...docs,
      ...at,
      '--revocations',
      rev,
      '--zones',
      zones,
      vectors.vectors[0].scan,
    ]);
    expect(jsonLines(r.stdout)).toMatchObject([
      { decision: 'DENY', reasons: ['REVOKED', 'ORIGIN_HIGH_RISK'] },
    ]);
    const delta = join(dir, 'delta.jws');
    writeFileSync(
      delta,
      await signDocument('revocations', { version: 2, issued: 1, mode: 'delta', base: 1 }, rootPriv),
    );
    const d = await runCliHere(['verify', ...docs, '--revocations', delta, 'X']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('[FULL_LIST_NEEDED]');
    expect(d.stderr).toContain('a full revocation list is needed');
  }, 90_000);
});
