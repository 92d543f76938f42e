// The guard's screen's pure parts for each kind of scan (contract/api.ts VerdictKind): the cue each
// plays, how long a scanner diagnostic stays up by the kiosk's clock, and the recent list's state.
import { describe, expect, it } from 'vitest';
import { CUES, type Cue, cueOf } from '../../renderer/src/guard/sounds.js';
import { initialState, reduce } from '../../renderer/src/state.js';
import { DIAGNOSTIC_SHOWN_MS, recentDiagnostic, storeFault } from '../../renderer/src/status-view.js';
import type { KioskStatus, Verdict } from '../../src/contract/api.js';
import { makeVerdict } from '../integration/host-fixture.js';

const v = (kind: Verdict['kind'], decision: Verdict['decision'], over: Partial<Verdict> = {}): Verdict =>
  makeVerdict(decision, [], { kind, ...over });
const proof = (nameMatch: boolean | null, reasons: Verdict['reasons'] = []) => ({
  health: { reasons, nameMatch, recorded: false },
});

describe('the cue of each kind', () => {
  it('a passage and an unreadable scan sound their decision; a duplicate its own blip', () => {
    for (const d of ['ALLOW', 'DENY', 'REVIEW'] as const) {
      expect(cueOf(v('passage', d))).toBe(d);
      expect(cueOf(v('unreadable', d))).toBe(d);
      expect(cueOf(v('duplicate', d, { duplicate: true }))).toBe('DUPLICATE');
    }
  });

  it('a health certificate never sounds ALLOW: valid and same person, or not', () => {
    expect(cueOf(v('health-proof', 'ALLOW', proof(null)))).toBe('HEALTH_OK');
    expect(cueOf(v('health-proof', 'ALLOW', proof(true)))).toBe('HEALTH_OK');
    expect(cueOf(v('health-proof', 'ALLOW', proof(false)))).toBe('HEALTH_BAD');
    expect(cueOf(v('health-proof', 'DENY', proof(null, ['EXPIRED'])))).toBe('HEALTH_BAD');
    expect(cueOf(v('health-proof', 'REVIEW', proof(null, ['HEALTH_PROOF_INVALID'])))).toBe('HEALTH_BAD');
  });

  it('no shift and not recorded have cues of their own, whatever the permit check found', () => {
    for (const d of ['ALLOW', 'DENY', 'REVIEW'] as const) {
      expect(cueOf(v('no-shift', d))).toBe('NO_SHIFT');
      expect(cueOf(v('not-recorded', d))).toBe('NOT_RECORDED');
    }
  });

  it('no two cues sound alike: each differs in its notes, rhythm or timbre', () => {
    const shapes = Object.entries(CUES).map(([cue, tones]) => [cue, JSON.stringify(tones)] as const);
    expect(new Set(shapes.map(([, s]) => s)).size).toBe(shapes.length);
    // The fault is harsh and unlike any decision: a timbre no other cue uses.
    const waves = (c: Cue) => new Set(CUES[c].map((t) => t.wave));
    for (const other of Object.keys(CUES) as Cue[]) {
      if (other === 'NOT_RECORDED') continue;
      expect(
        [...waves('NOT_RECORDED')].some((w) => waves(other).has(w)),
        other,
      ).toBe(false);
    }
    // The health proof's cues share neither the ALLOW chime's notes nor its sine timbre.
    for (const c of ['HEALTH_OK', 'HEALTH_BAD'] as const) {
      expect(CUES[c].some((t) => CUES.ALLOW.some((a) => a.freq === t.freq || a.wave === t.wave))).toBe(false);
    }
  });
});

describe('the status bar by the kiosk’s clock', () => {
  const at = Date.parse('2021-09-10T01:00:00Z');
  const status = (diagnostic: KioskStatus['scanner']['diagnostic'], store?: KioskStatus['store']) =>
    ({ scanner: { state: 'ok', path: null, detail: null, diagnostic }, store }) as KioskStatus;
  const diag = {
    code: 'NOT_TEXT',
    vi: 'Bỏ qua 6 byte',
    en: 'Dropped 6 bytes',
    at: new Date(at).toISOString(),
  };

  it('shows a scanner diagnostic for a minute after it came, then not', () => {
    expect(recentDiagnostic(status(diag), at)).toEqual(diag);
    expect(recentDiagnostic(status(diag), at + DIAGNOSTIC_SHOWN_MS)).toEqual(diag);
    expect(recentDiagnostic(status(diag), at + DIAGNOSTIC_SHOWN_MS + 1)).toBeNull();
    expect(DIAGNOSTIC_SHOWN_MS).toBe(60_000);
    expect(recentDiagnostic(status(null), at)).toBeNull();
    expect(recentDiagnostic(status({ ...diag, at: 'yesterday' }), at)).toBeNull();
    expect(recentDiagnostic(null, at)).toBeNull();
  });

  it('the log fault only while the log refuses writes', () => {
    const fault = { code: 'STORE_FULL', vi: 'Ổ đĩa đã đầy', en: 'The disk is full' };
    expect(storeFault(status(null, { ok: false, fault, since: null }))).toMatchObject({ fault });
    expect(storeFault(status(null, { ok: true, fault: null, since: null }))).toBeNull();
    expect(storeFault(status(null))).toBeNull();
  });
});

describe('the recent list', () => {
  it('a passage completed by a health proof takes the place of the passage it amends', () => {
    const review = v('passage', 'REVIEW', { passageId: 4, reasons: ['HEALTH_PROOF_REQUIRED'], at: 'T1' });
    const other = v('passage', 'ALLOW', { passageId: 3, at: 'T0' });
    let s = reduce(initialState(true), { type: 'verdict', verdict: other, receivedAt: 1 });
    s = reduce(s, { type: 'verdict', verdict: review, receivedAt: 2 });
    const amended = v('passage', 'ALLOW', {
      passageId: 4,
      at: 'T2',
      amended: { from: 'REVIEW', reasons: ['HEALTH_PROOF_REQUIRED'], at: 'T2' },
    });
    s = reduce(s, { type: 'verdict', verdict: amended, receivedAt: 3 });
    expect(s.recent.map((r) => [r.passageId, r.decision])).toEqual([
      [4, 'ALLOW'],
      [3, 'ALLOW'],
    ]);
    expect(s.current).toBe(amended);
  });

  it('a health proof naming a passage is an entry of its own, not the passage', () => {
    const passage = v('passage', 'REVIEW', { passageId: 4, at: 'T1' });
    const shown = v('health-proof', 'ALLOW', { passageId: 4, at: 'T1' });
    let s = reduce(initialState(true), { type: 'verdict', verdict: passage, receivedAt: 1 });
    s = reduce(s, { type: 'verdict', verdict: shown, receivedAt: 2 });
    expect(s.recent.map((r) => r.kind)).toEqual(['health-proof', 'passage']);
  });
});
