import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermitView } from '../../src/contract/api.js';
import { areaLabel, areaName, covers, isKnownArea } from '../../src/contract/areas.js';
import { CheckpointConfig } from '../../src/contract/checkpoint.js';
import { loadPublicKey } from '../../src/contract/keys.js';
import { loadTrustList } from '../../src/documents/trust-list.js';
import { type JudgeContext, judgeScan, previewOf } from '../../src/lane/judge.js';
import { judgementPermitView, maskIdNumber } from '../../src/lane/permit-view.js';
import type { ScanInput } from '../../src/lane/types.js';
import { MemoryHistory } from '../fixtures/memory-history.js';
import { checkpoint, makeIssuer, makePermit, makeTrust, T0 } from '../fixtures/permits.js';
import { sharedPath } from '../helpers/shared.js';

const vectors = JSON.parse(readFileSync(sharedPath('testdata', 'vnp1-vectors.json'), 'utf8'));
const issuer = makeIssuer();

function session(ctxOver: Partial<JudgeContext> = {}) {
  const history = new MemoryHistory();
  const ctx: JudgeContext = { checkpoint: checkpoint(), trust: makeTrust([{ issuer }]), history, ...ctxOver };
  return (input: Partial<ScanInput> & { text: string }) => {
    const scan: ScanInput = { now: T0, direction: 'in', ...input };
    const j = judgeScan(scan, ctx);
    history.record(j, scan.now, scan.direction, ctx.checkpoint.checkpoint.area);
    return j;
  };
}

describe('public vectors (shared/testdata/vnp1-vectors.json)', () => {
  it('are all judged exactly as expected, scanned in order', async () => {
    const trust = await loadTrustList(vectors.trustListJws, loadPublicKey(vectors.rootPublicKeyPem));
    const scan = session({ trust, checkpoint: CheckpointConfig.parse(vectors.checkpoint) });
    expect(vectors.vectors.length).toBeGreaterThanOrEqual(6);
    for (const v of vectors.vectors) {
      const j = scan({ text: v.scan, now: Date.parse(v.at), direction: 'in' });
      expect({ name: v.name, decision: j.decision, reasons: j.reasons }).toEqual({
        name: v.name,
        decision: v.decision,
        reasons: v.reasons,
      });
    }
  });
});

describe('judgeScan', () => {
  it('dispatches on the prefix: unknown is REVIEW [UNRECOGNISED]; HC1 is judged as a health proof', () => {
    const scan = session();
    const unknown = scan({ text: 'HELLO WORLD' });
    expect(unknown).toMatchObject({
      decision: 'REVIEW',
      reasons: ['UNRECOGNISED'],
      permit: null,
      preview: 'HELLO WORLD',
    });
    const hc1 = scan({
      text: 'HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA',
    });
    // Not a readable certificate (src/dcc/, spec/cli.md): DENY [FORMAT_INVALID], with its preview.
    expect(hc1).toMatchObject({
      decision: 'DENY',
      reasons: ['FORMAT_INVALID'],
      permit: null,
      preview: 'HC1:6BFOXN%TS3DH0YOJ58S ',
    });
    expect(scan({ text: 'vnp1:lowercase' }).reasons).toEqual(['UNRECOGNISED']);
  });

  it('previews at most 24 printable characters, control characters replaced', () => {
    expect(previewOf('A\u0000B\u001b[31mC\u200eD')).toBe('A?B?[31mC?D');
    expect(previewOf('x'.repeat(100))).toHaveLength(24);
    expect(previewOf('🙂'.repeat(30))).toBe('🙂'.repeat(24));
    // A citizen ID card's QR code: no ID number, old or new, nor birth date, in the preview.
    expect(previewOf('001085001234|123456789|Nguyễn Văn A|01011985')).toBe('********1234|*****6789|N');
    expect(previewOf('Mã 12345 và 2024')).toBe('Mã 12345 và 2024');
    const j = session()({ text: `\u0007${'Z'.repeat(50)}` });
    expect(j.preview).toBe(`?${'Z'.repeat(23)}`);
  });

  it('a decode or verify failure is DENY with exactly that reason and nothing else', () => {
    const scan = session({ checkpoint: checkpoint({}, { health: { required: true } }) });
    const broken = scan({ text: makePermit(issuer).slice(0, -3) });
    expect(broken).toMatchObject({ decision: 'DENY', reasons: ['FORMAT_INVALID'], permit: null });
    expect(broken.preview).toMatch(/^VNP1:/);
    expect(scan({ text: makePermit(makeIssuer()) }).reasons).toEqual(['UNKNOWN_ISSUER']);
  });

  it('a good permit is ALLOW; trailing CR/LF is fine', () => {
    const j = session()({ text: `${makePermit(issuer)}\r\n` });
    expect(j).toMatchObject({ decision: 'ALLOW', reasons: [], duplicateOf: null, preview: null });
    expect(j.permit?.cti).toBe('TX-2021-000123');
  });

  it('the same permit within the window repeats the earlier verdict with DUPLICATE_SCAN', () => {
    const scan = session();
    const text = makePermit(issuer, {}, { veh: { plate: '29A-123.45', type: 'car' } });
    const first = scan({ text, plate: '30A-1' });
    expect(first).toMatchObject({ decision: 'REVIEW', reasons: ['VEHICLE_MISMATCH'] });
    // the duplicate repeats the earlier verdict even though this time the plate matches
    const again = scan({ text, now: T0 + 30_000, plate: '29A-123.45' });
    expect(again.decision).toBe('REVIEW');
    expect(again.reasons).toEqual(['VEHICLE_MISMATCH', 'DUPLICATE_SCAN']);
    expect(again.duplicateOf).toMatchObject({ at: T0, decision: 'REVIEW', passageId: 1 });
    // past the window: judged afresh
    const later = scan({ text, now: T0 + 31_000, plate: '29A-123.45' });
    expect(later).toMatchObject({ decision: 'ALLOW', reasons: [], duplicateOf: null });
  });

  it('a duplicate window of 0 turns duplicates off', () => {
    const scan = session({ checkpoint: checkpoint({}, { duplicateWindowSeconds: 0, antiPassback: 'off' }) });
    const text = makePermit(issuer);
    scan({ text });
    expect(scan({ text }).reasons).toEqual([]);
  });

  it('anti-passback: a second entry after an allowed entry, not after a denied one', () => {
    const scan = session();
    const text = makePermit(issuer);
    expect(scan({ text }).decision).toBe('ALLOW');
    const twice = scan({ text, now: T0 + 60_000 });
    expect(twice).toMatchObject({ decision: 'REVIEW', reasons: ['ALREADY_INSIDE'] });
    expect(scan({ text, now: T0 + 120_000, direction: 'out' }).decision).toBe('ALLOW');
    expect(scan({ text, now: T0 + 180_000 }).decision).toBe('ALLOW');

    const scan2 = session({ checkpoint: checkpoint({ area: '01-009' }, { curfew: ['07:00', '09:00'] }) });
    expect(scan2({ text }).reasons).toEqual(['OUTSIDE_HOURS']); // denied: not let through
    expect(scan2({ text, now: T0 + 7_200_000 }).reasons).toEqual([]); // 10:00, no ALREADY_INSIDE
  });
});

describe('PermitView and areas', () => {
  it('masks the ID number and gives ISO validity', () => {
    expect(maskIdNumber('001085001234')).toBe('********1234');
    expect(maskIdNumber('123456789')).toBe('*****6789');
    expect(maskIdNumber('1234')).toBe('****');
    const j = session()({ text: makePermit(issuer, {}, { veh: { plate: '29A-1', type: 'car' } }) });
    const view = judgementPermitView(j);
    expect(PermitView.parse(view)).toEqual(view);
    expect(view).toMatchObject({
      idnMasked: '********4321',
      kind: 'travel',
      nam: 'Nguyễn Thị Hằng',
      validTo: new Date((T0 / 1000 + 10 * 86_400) * 1000).toISOString(),
      veh: { plate: '29A-1', type: 'car' },
      hours: null,
      issuerName: 'Công an quận Thanh Xuân',
    });
    expect(JSON.stringify(view)).not.toContain('001185004321');
    expect(judgementPermitView({ permit: null })).toBeNull();
  });

  it('knows Hà Nội area names and code coverage', () => {
    expect(areaName('01')).toBe('Thành phố Hà Nội');
    expect(areaName('01-009')).toBe('Quận Thanh Xuân');
    expect(isKnownArea('01-009-00343')).toBe(true);
    expect(areaName('01-009-00343')).toBe('Phường Nhân Chính');
    expect(isKnownArea('01-009-00337')).toBe(false); // the spec's example code is not a real ward
    expect(areaName('99-999')).toBeNull();
    expect(areaLabel('99-999')).toBe('99-999');
    expect(covers('01-009', '01-009-00337')).toBe(true);
    expect(covers('01-009', '01-0091')).toBe(false);
  });
});

describe('hostile scans', () => {
  it('a huge scan full of newlines, binary garbage and a lone prefix all get verdicts', () => {
    const scan = session();
    expect(scan({ text: `${'\n'.repeat(200_000)}x` }).reasons).toEqual(['UNRECOGNISED']);
    expect(scan({ text: `VNP1:${'\r\n'.repeat(100_000)}x` }).reasons).toEqual(['FORMAT_INVALID']);
    expect(scan({ text: 'VNP1:' }).reasons).toEqual(['FORMAT_INVALID']);
    const garbage = String.fromCharCode(...Array.from({ length: 5000 }, (_, i) => (i * 7919) % 65_536));
    expect(scan({ text: garbage }).decision).toBe('REVIEW');
    expect(scan({ text: `VNP1:${garbage}` }).reasons).toEqual(['FORMAT_INVALID']);
  });
});
