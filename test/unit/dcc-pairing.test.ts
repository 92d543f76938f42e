// Pairing a health certificate with a permit at one lane (src/lane/health-pairing.ts): the pure state
// machine, the combined verdict of judgeScan, and the kiosk recording the paired passage once.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, loadPublicKey } from '../../src/contract/keys.js';
import { buildTrustList } from '../../src/documents/trust-list.js';
import type { DccJudgement } from '../../src/formats/hc1-types.js';
import type { VerifiedPermit } from '../../src/formats/types.js';
import { Kiosk } from '../../src/kiosk.js';
import { assessProof, combineHealth, HealthPairing } from '../../src/lane/health-pairing.js';
import { judgeScan } from '../../src/lane/judge.js';
import { judgeHc1 } from '../../src/lane/judge-health.js';
import { onDuty } from '../fixtures/duty.js';
import { MemoryHistory } from '../fixtures/memory-history.js';
import { checkpoint, makeIssuer, makePermit, T0, trustPayload } from '../fixtures/permits.js';
import { dccTrustPayload, makeHc1, makeSigner, negativeTest, vaccination } from './dcc-fixtures.js';

const issuer = makeIssuer();
const signer = makeSigner();
/** The default policy's health.pairSeconds. */
const PAIRING_WINDOW_MS = 120_000;
const trust = buildTrustList({ ...trustPayload([{ issuer }]), dcc: dccTrustPayload(signer).dcc });
const required = checkpoint({}, { health: { required: true } });
const optional = checkpoint();

const hangPermit = makePermit(issuer, {}, { dob: '1985-11-18' });
const otherPermit = makePermit(issuer, { cti: 'TX-2021-000777' }, { nam: 'Trần Văn Bình' });
const validProof = makeHc1(signer, vaccination());
const expiredTest = makeHc1(signer, negativeTest({ sc: '2021-09-01T08:00:00+07:00' }));
const wrongDob = makeHc1(signer, { ...vaccination(), dob: '1990-01-01' });

function proof(text: string): DccJudgement {
  return judgeHc1(text, {
    trust,
    health: { testHours: 72, vaccinationDays: 14, recoveryDays: 180 },
    now: T0,
    toleranceSeconds: 300,
  });
}

function judge(text: string, healthProof: DccJudgement | null, cp = required) {
  return judgeScan(
    { text, now: T0, direction: 'in' },
    { checkpoint: cp, trust, history: new MemoryHistory(), healthProof },
  );
}

describe('the combined verdict (judgeScan with a paired proof)', () => {
  it('health.required: no proof is REVIEW [HEALTH_PROOF_REQUIRED]; a valid proof of the holder ALLOWs', () => {
    expect(judge(hangPermit, null)).toMatchObject({ decision: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'] });
    const j = judge(hangPermit, proof(validProof));
    expect(j).toMatchObject({ decision: 'ALLOW', reasons: [], health: { ok: true, nameMatch: true } });
  });

  it('another person’s proof, a proof failing the rule, a forged one: HEALTH_PROOF_INVALID, not REQUIRED', () => {
    const forged = makeHc1(makeSigner(), vaccination());
    for (const [permit, text] of [
      [otherPermit, validProof],
      [hangPermit, expiredTest],
      [hangPermit, wrongDob],
      [hangPermit, forged],
      [hangPermit, 'HC1:garbage'],
    ] as const) {
      expect(judge(permit, proof(text)), text.slice(0, 20)).toMatchObject({
        decision: 'REVIEW',
        reasons: ['HEALTH_PROOF_INVALID'],
        health: { ok: false },
      });
    }
    expect(judge(otherPermit, proof(validProof)).health?.nameMatch).toBe(false);
    expect(judge(hangPermit, proof('HC1:garbage')).health?.nameMatch).toBeNull();
  });

  it('health not required: a valid proof changes nothing, an invalid one asks for REVIEW', () => {
    expect(judge(hangPermit, proof(validProof), optional)).toMatchObject({ decision: 'ALLOW', reasons: [] });
    expect(judge(hangPermit, proof(expiredTest), optional)).toMatchObject({
      decision: 'REVIEW',
      reasons: ['HEALTH_PROOF_INVALID'],
    });
  });

  it('a DENY stays DENY, with the health reason last', () => {
    const expired = makePermit(issuer, { exp: T0 / 1000 - 1 });
    expect(judge(expired, proof(expiredTest))).toMatchObject({
      decision: 'DENY',
      reasons: ['EXPIRED', 'HEALTH_PROOF_INVALID'],
    });
    expect(combineHealth({ decision: 'ALLOW', reasons: [] }, null)).toEqual({
      decision: 'ALLOW',
      reasons: [],
    });
  });
});

describe('HealthPairing: the pure lane state', () => {
  const permitOf = (text: string): VerifiedPermit => judge(text, null).permit as VerifiedPermit;
  const hang = permitOf(hangPermit);

  it('a proof waits for the next permit of its lane, within the window, and is consumed', () => {
    const p = new HealthPairing<string>();
    expect(p.offerProof('1', T0, proof(validProof), PAIRING_WINDOW_MS)).toEqual({
      attachedTo: null,
      assessment: null,
    });
    expect(p.pendingProof('2', T0 + 1000, PAIRING_WINDOW_MS)).toBeNull(); // another lane
    expect(p.pendingProof('1', T0 + PAIRING_WINDOW_MS, PAIRING_WINDOW_MS)).not.toBeNull();
    expect(p.pendingProof('1', T0 + PAIRING_WINDOW_MS + 1, PAIRING_WINDOW_MS)).toBeNull();
    expect(p.pendingProof('1', T0 - 1, PAIRING_WINDOW_MS)).toBeNull(); // a clock gone backwards pairs nothing
    p.notePermit('1', T0 + 5000, hang, true, 'P1');
    expect(p.pendingProof('1', T0 + 6000, PAIRING_WINDOW_MS)).toBeNull();
  });

  it('a broken or unrecognised scan leaves the proof for the rescan of the permit', () => {
    const p = new HealthPairing<string>();
    p.offerProof('1', T0, proof(validProof), PAIRING_WINDOW_MS);
    p.endPermit('1');
    expect(p.pendingProof('1', T0 + 2000, PAIRING_WINDOW_MS)).not.toBeNull();
  });

  it('a proof after a permit attaches to it once, within the window; the next proof waits', () => {
    const p = new HealthPairing<string>();
    p.notePermit('1', T0, hang, false, 'P1');
    const first = p.offerProof('1', T0 + PAIRING_WINDOW_MS, proof(validProof), PAIRING_WINDOW_MS);
    expect(first.attachedTo?.ref).toBe('P1');
    expect(first.assessment).toMatchObject({ ok: true, nameMatch: true });
    expect(
      p.offerProof('1', T0 + PAIRING_WINDOW_MS + 1, proof(validProof), PAIRING_WINDOW_MS).attachedTo,
    ).toBeNull();
    expect(p.pendingProof('1', T0 + PAIRING_WINDOW_MS + 2, PAIRING_WINDOW_MS)).not.toBeNull();

    const late = new HealthPairing<string>();
    late.notePermit('1', T0, hang, false, 'P1');
    expect(
      late.offerProof('1', T0 + PAIRING_WINDOW_MS + 1, proof(validProof), PAIRING_WINDOW_MS).attachedTo,
    ).toBeNull();
    const paired = new HealthPairing<string>();
    paired.notePermit('1', T0, hang, true, 'P1'); // already paired before
    expect(paired.offerProof('1', T0 + 1000, proof(validProof), PAIRING_WINDOW_MS).attachedTo).toBeNull();
  });

  it('assessProof: a mismatching name is named, an unreadable certificate is not', () => {
    expect(assessProof(proof(validProof), permitOf(otherPermit))).toMatchObject({
      ok: false,
      nameMatch: false,
    });
    expect(assessProof(proof('HC1:x'), hang)).toMatchObject({
      ok: false,
      nameMatch: null,
      proofReasons: ['FORMAT_INVALID'],
    });
  });
});

describe('the kiosk records the paired passage once', () => {
  let kiosk: Kiosk | null = null;
  afterEach(async () => {
    await kiosk?.stop();
    kiosk = null;
  });

  async function start(): Promise<{ kiosk: Kiosk; tick: (ms: number) => void }> {
    let clock = T0;
    const k = new Kiosk({
      checkpoint: required,
      root: loadPublicKey(generateKeyPair().publicPem),
      trust,
      database: join(mkdtempSync(join(tmpdir(), 'kiosk-dcc-')), 'kiosk.db'),
      serial: null,
      mqtt: null,
      http: false,
      now: () => clock,
    });
    await k.start();
    kiosk = k;
    await onDuty(k);
    return { kiosk: k, tick: (ms) => (clock += ms) };
  }

  const passages = (k: Kiosk) => k.currentStore()?.recentPassages(10) ?? [];

  it('proof first: shown, not recorded; the permit then records one ALLOW with the proof beside it', async () => {
    const { kiosk: k, tick } = await start();
    const shown = k.scan(validProof, 'api');
    expect(shown).toMatchObject({
      passageId: null,
      decision: 'ALLOW',
      permit: null,
      dcc: { country: 'VN', type: 'vaccination', fnt: 'NGUYEN', gnt: 'THI<HANG', dob: '1985-11-18' },
      health: { reasons: [], nameMatch: null, recorded: false },
    });
    expect(passages(k)).toHaveLength(0);
    tick(20_000);
    const v = k.scan(hangPermit, 'api');
    expect(v).toMatchObject({ decision: 'ALLOW', reasons: [], health: { nameMatch: true, recorded: true } });
    expect(passages(k).map((p) => [p.id, p.decision, p.reasons])).toEqual([[v.passageId, 'ALLOW', []]]);
  });

  it('permit first: REVIEW recorded; the holder’s proof after it completes that passage by an amendment', async () => {
    const { kiosk: k, tick } = await start();
    // The screen reads the status first, as the UI does on connecting.
    expect(k.status().counts).toEqual({ allowed: 0, denied: 0, review: 0 });
    const first = k.scan(hangPermit, 'api');
    expect(first).toMatchObject({
      kind: 'passage',
      decision: 'REVIEW',
      reasons: ['HEALTH_PROOF_REQUIRED'],
      dcc: null,
    });
    expect(k.status().counts).toEqual({ allowed: 0, denied: 0, review: 1 });
    tick(100_000);
    const after = k.scan(validProof, 'api');
    expect(after).toMatchObject({
      kind: 'passage',
      passageId: first.passageId,
      decision: 'ALLOW',
      reasons: [],
      permit: { nam: 'Nguyễn Thị Hằng' },
      dcc: { fnt: 'NGUYEN' },
      health: { reasons: [], nameMatch: true, recorded: true },
      amended: { from: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'] },
    });
    expect(after.at).not.toBe(first.at);
    // One passage, its row unchanged; the amendment is a chained event; the counts follow it.
    expect(passages(k).map((p) => [p.decision, p.reasons])).toEqual([['REVIEW', ['HEALTH_PROOF_REQUIRED']]]);
    const store = k.currentStore()!;
    const amendment = store.db
      .prepare("SELECT passage_id, details FROM audit_events WHERE kind = 'amendment'")
      .all() as {
      passage_id: number;
      details: string;
    }[];
    expect(amendment.map((a) => [a.passage_id, JSON.parse(a.details).decision])).toEqual([
      [first.passageId, 'ALLOW'],
    ]);
    expect(store.verifyChain()).toBeNull();
    expect(k.status().counts).toEqual({ allowed: 1, denied: 0, review: 0 });
    expect(k.dispatcher).toBeDefined();
    // The recent list shows the passage as it stands now.
    const recent = await k.dispatcher.call(
      { id: 1, method: 'verdicts.recent', params: { limit: 5 } },
      await onDuty(k),
    );
    expect(recent.ok && (recent.result as { decision: string }[]).map((v) => v.decision)).toEqual(['ALLOW']);
  });

  it('permit first: someone else’s proof, or a proof too late, is shown beside it and changes nothing', async () => {
    const { kiosk: k, tick } = await start();
    const first = k.scan(otherPermit, 'api');
    expect(first).toMatchObject({ decision: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'] });
    tick(10_000);
    const other = k.scan(validProof, 'api');
    expect(other).toMatchObject({
      kind: 'health-proof',
      passageId: first.passageId,
      decision: 'ALLOW',
      health: { nameMatch: false, recorded: false },
    });
    const second = k.scan(hangPermit, 'api');
    tick(121_000);
    const late = k.scan(validProof, 'api');
    expect(late).toMatchObject({ kind: 'health-proof', passageId: null, health: { nameMatch: null } });
    expect(second.decision).toBe('REVIEW');
    expect(passages(k).map((p) => p.decision)).toEqual(['REVIEW', 'REVIEW']);
    expect(k.status().counts).toEqual({ allowed: 0, denied: 0, review: 2 });
  });

  it('someone else’s proof before a permit: one passage, REVIEW [HEALTH_PROOF_INVALID]', async () => {
    const { kiosk: k, tick } = await start();
    k.scan(validProof, 'api');
    tick(5_000);
    const v = k.scan(otherPermit, 'api');
    expect(v).toMatchObject({
      decision: 'REVIEW',
      reasons: ['HEALTH_PROOF_INVALID'],
      health: { nameMatch: false },
    });
    expect(passages(k).map((p) => p.reasons)).toEqual([['HEALTH_PROOF_INVALID']]);
  });
});
