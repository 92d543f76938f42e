// `kiosk verify` on HC1 scans (spec/cli.md): `dcc` in place of `permit`, and pairing across stdin
// lines as at one kiosk lane.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../src/contract/document-jws.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { jsonLines, runCli } from '../fixtures/cli.js';
import { makeIssuer, makePermit, T0, trustPayload } from '../fixtures/permits.js';
import { dccTrustPayload, makeHc1, makeSigner, negativeTest, vaccination } from './dcc-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-cli-dcc-'));
const root = generateKeyPair();
const issuer = makeIssuer();
const signer = makeSigner({ rsa: true });
const files = {
  root: join(dir, 'root.pem'),
  trust: join(dir, 'trust.jws'),
  cp: join(dir, 'checkpoint.json'),
};
const docs = ['--root', files.root, '--trust', files.trust];
const at = new Date(T0).toISOString();

beforeAll(async () => {
  writeFileSync(files.root, root.publicPem);
  const payload = { ...trustPayload([{ issuer }]), dcc: dccTrustPayload(signer).dcc };
  writeFileSync(files.trust, await signDocument('trust', payload, root.privatePem));
  writeFileSync(
    files.cp,
    JSON.stringify({
      checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
      policy: { health: { required: true, testHours: 48 } },
    }),
  );
});

describe('kiosk verify with HC1 scans', () => {
  it('one HC1 scan: ALLOW with exactly decision, reasons and dcc', async () => {
    const r = await runCli(['verify', ...docs, '--at', at, makeHc1(signer, vaccination())]);
    expect(r.code).toBe(0);
    const [line] = jsonLines(r.stdout) as Record<string, unknown>[];
    expect(Object.keys(line ?? {})).toEqual(['decision', 'reasons', 'dcc']);
    expect(line).toEqual({
      decision: 'ALLOW',
      reasons: [],
      dcc: { country: 'VN', type: 'vaccination', fnt: 'NGUYEN', gnt: 'THI<HANG', dob: '1985-11-18' },
    });
  });

  it('stdin: failures are verdicts; a proof before a permit satisfies health.required', async () => {
    const stranger = makeSigner();
    const old = makeHc1(signer, negativeTest({ sc: '2021-09-08T07:00:00+07:00' })); // 49 h: testHours 48
    const permit = makePermit(issuer);
    const lines = [
      makeHc1(stranger, vaccination()),
      makeHc1(signer, vaccination(), { exp: T0 / 1000 - 1 }),
      old,
      'HC1:NOT*BASE45=',
      permit,
      makeHc1(signer, vaccination()),
      makePermit(issuer, { cti: 'TX-2021-000999' }),
    ];
    const r = await runCli(
      ['verify', ...docs, '--checkpoint', files.cp, '--at', at],
      `${lines.join('\n')}\n`,
    );
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      { decision: 'DENY', reasons: ['UNKNOWN_ISSUER'], dcc: null },
      { decision: 'DENY', reasons: ['EXPIRED'], dcc: expect.objectContaining({ type: 'vaccination' }) },
      { decision: 'DENY', reasons: ['HEALTH_PROOF_INVALID'], dcc: expect.objectContaining({ type: 'test' }) },
      // The unreadable one waits as the lane's proof: the permit after it pairs with it.
      { decision: 'DENY', reasons: ['FORMAT_INVALID'], dcc: null },
      expect.objectContaining({ decision: 'REVIEW', reasons: ['HEALTH_PROOF_INVALID'] }),
      // After a permit that already has its proof, a proof waits for the next permit.
      { decision: 'ALLOW', reasons: [], dcc: expect.objectContaining({ fnt: 'NGUYEN' }) },
      expect.objectContaining({
        decision: 'ALLOW',
        reasons: [],
        permit: expect.objectContaining({ cti: 'TX-2021-000999' }),
      }),
    ]);
  }, 60_000);
});
