// The keyboard-wedge detector on synthetic keystroke timings: scanner bursts become scans, people's
// typing never does, and a text field keeps what the guard types.
import { describe, expect, it } from 'vitest';
import { WedgeDetector, type WedgeResult } from '../../src/hardware/wedge-detector.js';

const CODE = 'VNP1:6BFOXN%TSMAHN-H5 UGQ';

/** Feeds `text` one key every `gapMs` from `t0`, then `end` (if any); returns every result. */
function type(
  d: WedgeDetector,
  text: string,
  gapMs: number | number[],
  opts: { end?: string; inTextField?: boolean; t0?: number } = {},
): { results: WedgeResult[]; t: number } {
  const results: WedgeResult[] = [];
  let t = opts.t0 ?? 1000;
  const chars = [...text];
  chars.forEach((key, i) => {
    if (i > 0) t += Array.isArray(gapMs) ? (gapMs[i - 1] ?? 0) : gapMs;
    results.push(d.key({ key, time: t, inTextField: opts.inTextField ?? false }));
  });
  if (opts.end) {
    t += Array.isArray(gapMs) ? 5 : gapMs;
    results.push(d.key({ key: opts.end, time: t, inTextField: opts.inTextField ?? false }));
  }
  return { results, t };
}

const scans = (rs: WedgeResult[]) => rs.filter((r) => r.kind === 'scan');

describe('WedgeDetector outside a text field', () => {
  it.each(['Enter', 'Tab'])('a 5 ms burst ending in %s is a scan; its keys are swallowed', (end) => {
    const d = new WedgeDetector();
    const { results } = type(d, CODE, 5, { end });
    expect(results.at(-1)).toEqual({ kind: 'scan', text: CODE, fieldChars: 0 });
    expect(results.slice(0, -1).every((r) => r.kind === 'swallow')).toBe(true);
    expect(d.pending).toBe(0);
  });

  it('any code, not only permits, outside a field (the kiosk judges it UNRECOGNISED)', () => {
    const d = new WedgeDetector();
    expect(scans(type(d, 'HTTPS://EXAMPLE.COM/X', 8, { end: 'Enter' }).results)).toEqual([
      { kind: 'scan', text: 'HTTPS://EXAMPLE.COM/X', fieldChars: 0 },
    ]);
  });

  it('people typing 120 ms apart never make a scan', () => {
    const d = new WedgeDetector();
    const { results } = type(d, CODE, 120, { end: 'Enter' });
    expect(scans(results)).toEqual([]);
    expect(results.at(-1)).toEqual({ kind: 'pass' }); // their Enter still presses what has focus
  });

  it('shorter than 8 characters is not a scan', () => {
    const d = new WedgeDetector();
    expect(scans(type(d, '1234567', 5, { end: 'Enter' }).results)).toEqual([]);
    expect(scans(type(d, '12345678', 5, { end: 'Enter', t0: 5000 }).results)).toHaveLength(1);
  });

  it('one late key (a busy machine) is tolerated; a mean gap over 30 ms is not', () => {
    const d = new WedgeDetector();
    const gaps = Array.from({ length: CODE.length - 1 }, (_, i) => (i === 6 ? 140 : 5));
    expect(scans(type(d, CODE, gaps, { end: 'Enter' }).results)).toHaveLength(1);
    expect(scans(type(d, '123456789', 40, { end: 'Enter', t0: 9000 }).results)).toEqual([]);
  });

  it('a pause longer than 150 ms starts a new burst: the slow start is not part of the code', () => {
    const d = new WedgeDetector();
    type(d, 'abc', 200);
    const { results } = type(d, CODE, 5, { end: 'Enter', t0: 3000 });
    expect(scans(results)).toEqual([{ kind: 'scan', text: CODE, fieldChars: 0 }]);
  });

  it('Shift between keys neither adds nor breaks a burst; Ctrl shortcuts reset it', () => {
    const d = new WedgeDetector();
    let t = 0;
    for (const ch of CODE) {
      t += 2;
      expect(d.key({ key: 'Shift', time: t, inTextField: false })).toEqual({ kind: 'pass' });
      t += 2;
      d.key({ key: ch, time: t, inTextField: false });
    }
    expect(d.key({ key: 'Enter', time: t + 2, inTextField: false })).toMatchObject({ text: CODE });
    type(d, 'VNP1:ABC', 5, { t0: 100 });
    expect(d.key({ key: 'v', time: 140, inTextField: false, modifier: true })).toEqual({ kind: 'pass' });
    expect(d.pending).toBe(0);
  });

  it('a lone space is a person pressing a button; an Enter after a burst never presses one', () => {
    const d = new WedgeDetector();
    expect(d.key({ key: ' ', time: 10, inTextField: false })).toEqual({ kind: 'pass' });
    const { results } = type(d, 'ab', 5, { end: 'Enter', t0: 500 });
    expect(results.at(-1)).toEqual({ kind: 'swallow' });
  });

  it('a person’s Space after slow keys still presses the focused button', () => {
    const d = new WedgeDetector();
    const { t } = type(d, 'ab', 100);
    expect(d.key({ key: ' ', time: t + 100, inTextField: false })).toEqual({ kind: 'pass' });
    // Inside a fast burst a space is part of the code (base45 has one).
    type(d, 'VNP1:AB', 5, { t0: 10_000 });
    expect(d.key({ key: ' ', time: 10_035, inTextField: false })).toEqual({ kind: 'swallow' });
  });

  it('with no terminator, a prefixed burst ends after 120 ms of quiet; others are dropped', () => {
    const d = new WedgeDetector();
    const { t } = type(d, CODE, 5);
    expect(d.tick(t + 50, false)).toEqual({ kind: 'pass' });
    expect(d.tick(t + 120, false)).toEqual({ kind: 'scan', text: CODE, fieldChars: 0 });
    const r = type(d, 'NOPREFIX12345', 5, { t0: 10_000 });
    expect(d.tick(r.t + 200, false)).toEqual({ kind: 'pass' });
    expect(d.pending).toBe(0);
  });

  it('keys queued behind a busy page are not cut off by the quiet timer', () => {
    const d = new WedgeDetector();
    // Stamped 5 ms apart by the keyboard, handled 500 ms late, in one go.
    [...CODE].forEach((key, i) => {
      d.key({ key, time: 1000 + i * 5, seenAt: 1500 + i, inTextField: false });
      expect(d.tick(1500 + i, false)).toEqual({ kind: 'pass' });
    });
    expect(
      d.key({ key: 'Enter', time: 1000 + CODE.length * 5, seenAt: 1530, inTextField: false }),
    ).toMatchObject({
      kind: 'scan',
      text: CODE,
    });
  });

  it('memory stays bounded: a burst over 8192 characters is dropped', () => {
    const d = new WedgeDetector();
    const { results } = type(d, `VNP1:${'A'.repeat(20_000)}`, 1, { end: 'Enter' });
    expect(scans(results)).toEqual([]);
    expect(d.pending).toBe(0);
    expect(scans(type(d, CODE, 5, { end: 'Enter', t0: 1e6 }).results)).toHaveLength(1);
  });
});

describe('WedgeDetector in a text field', () => {
  it('keys always reach the field; a fast burst with a permit prefix is a scan to remove', () => {
    const d = new WedgeDetector();
    const { results } = type(d, CODE, 5, { end: 'Enter', inTextField: true });
    expect(results.slice(0, -1).every((r) => r.kind === 'pass')).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'scan', text: CODE, fieldChars: [...CODE].length });
  });

  it('HC1 health certificates too', () => {
    const d = new WedgeDetector();
    const hc1 = 'HC1:NCFOXN%TS3DH3ZSUZK+';
    expect(scans(type(d, hc1, 5, { end: 'Tab', inTextField: true }).results)).toHaveLength(1);
  });

  it('the same keys typed slowly stay text, Enter included', () => {
    const d = new WedgeDetector();
    const { results } = type(d, CODE, 120, { end: 'Enter', inTextField: true });
    expect(results.every((r) => r.kind === 'pass')).toBe(true);
  });

  it('a fast burst without a permit prefix stays text (autofill, a plate read by a scanner)', () => {
    const d = new WedgeDetector();
    const { results } = type(d, '29A12345XYZ', 5, { end: 'Enter', inTextField: true });
    expect(results.every((r) => r.kind === 'pass')).toBe(true);
  });

  it('typing that runs straight into a burst does not chain into it', () => {
    const d = new WedgeDetector();
    const { t } = type(d, '29A1', 100, { inTextField: true });
    const { results } = type(d, CODE, 5, { end: 'Enter', inTextField: true, t0: t + 100 });
    expect(results.at(-1)).toEqual({ kind: 'scan', text: CODE, fieldChars: [...CODE].length });
  });

  it('plate typed slowly, then a scan burst into the same field: only the burst is removed', () => {
    const d = new WedgeDetector();
    type(d, '29A12345', 150, { inTextField: true });
    const { results } = type(d, CODE, 5, { end: 'Enter', inTextField: true, t0: 10_000 });
    expect(results.at(-1)).toEqual({ kind: 'scan', text: CODE, fieldChars: [...CODE].length });
  });
});
