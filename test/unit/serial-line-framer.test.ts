import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FramerOutput,
  LineFramer,
  MAX_FRAME_BYTES,
  type ScannerSuffix,
} from '../../src/hardware/line-framer.js';

const CODE =
  'VNP1:NCFOXN%TSMAHN-H5UGQNPXGD8:T7D3DH4.%5MS9Z76QW6LDMOGINYEUJJM*4.ADCZ5G:J:F2.PDA6CQKI*C0AN9T1JSGHMYH$LR1W4 B::INQ9';

const scans = (out: FramerOutput[]) => out.flatMap((o) => (o.kind === 'scan' ? [o.text] : []));
const drops = (out: FramerOutput[]) => out.flatMap((o) => (o.kind === 'dropped' ? [o.code] : []));
const b = (s: string) => Buffer.from(s, 'utf8');

describe('LineFramer', () => {
  it.each<[ScannerSuffix, string]>([
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['auto', '\r'],
    ['auto', '\n'],
    ['auto', '\r\n'],
  ])('frames %s with terminator %j, one scan per line, no empty extra scan', (suffix, term) => {
    const f = new LineFramer({ suffix });
    const out = f.push(b(`${CODE}${term}second${term}`));
    expect(out).toEqual([
      { kind: 'scan', text: CODE },
      { kind: 'scan', text: 'second' },
    ]);
    expect(f.bufferedLength).toBe(0);
  });

  it('auto: a CRLF split between two chunks gives no empty second scan', () => {
    const f = new LineFramer({ suffix: 'auto' });
    expect(scans(f.push(b('abc\r')))).toEqual(['abc']);
    expect(f.push(b('\n'))).toEqual([]);
    expect(scans(f.push(b('def\r\n')))).toEqual(['def']);
  });

  it('reassembles a code that arrives in pieces', () => {
    const f = new LineFramer({ suffix: 'CR' });
    expect(f.push(b(CODE.slice(0, 10)))).toEqual([]);
    expect(f.bufferedLength).toBe(10);
    expect(f.push(b(CODE.slice(10, 50)))).toEqual([]);
    expect(scans(f.push(b(`${CODE.slice(50)}\r`)))).toEqual([CODE]);
  });

  it('keeps inner and edge spaces (base45 has a space) but strips line ends', () => {
    const f = new LineFramer({ suffix: 'auto' });
    expect(scans(f.push(b('A B \r\n')))).toEqual(['A B ']);
    expect(scans(f.push(b('\tTAB\n')))).toEqual(['\tTAB']);
  });

  it('ignores empty and blank lines', () => {
    const f = new LineFramer({ suffix: 'LF' });
    expect(f.push(b('\n\n   \n\r\n'))).toEqual([]);
  });

  it('decodes UTF-8 split across chunks (Vietnamese text)', () => {
    const f = new LineFramer({ suffix: 'LF' });
    const bytes = b('Nguyễn Thị Hằng\n');
    expect(f.push(bytes.subarray(0, 5))).toEqual([]);
    expect(scans(f.push(bytes.subarray(5)))).toEqual(['Nguyễn Thị Hằng']);
  });

  it('drops binary garbage and invalid UTF-8, then passes the next good code', () => {
    const f = new LineFramer({ suffix: 'CR' });
    const out = f.push(
      Buffer.concat([
        Buffer.from([0x00, 0x01, 0xff, 0x41, 0x0d]), // NUL, SOH, invalid byte
        Buffer.from([0xc3, 0x28, 0x0d]), // invalid UTF-8 sequence
        b('AB\u0007C\r'), // BEL inside
        b('x\u0085y\r'), // C1 control (NEL)
        b(`${CODE}\r`),
      ]),
    );
    expect(drops(out)).toEqual(['NOT_TEXT', 'NOT_TEXT', 'NOT_TEXT', 'NOT_TEXT']);
    expect(scans(out)).toEqual([CODE]);
    const d = out[0];
    expect(d?.kind === 'dropped' && d.vi.length > 0 && d.en.length > 0).toBe(true);
  });

  it('in CRLF mode a lone CR inside a line makes it garbage, not two scans', () => {
    const f = new LineFramer({ suffix: 'CRLF' });
    const out = f.push(b('ab\rcd\r\n'));
    expect(drops(out)).toEqual(['NOT_TEXT']);
    expect(scans(out)).toEqual([]);
  });

  it('drops a 1 MB line with no terminator without buffering it, then frames the next code', () => {
    const f = new LineFramer({ suffix: 'auto' });
    const junk = Buffer.alloc(64 * 1024, 0x41);
    let dropped: string[] = [];
    for (let i = 0; i < 16; i++) {
      dropped = dropped.concat(drops(f.push(junk)));
      expect(f.bufferedLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
    expect(dropped).toEqual(['LINE_TOO_LONG']); // reported once, not once per chunk
    expect(f.bufferedLength).toBe(0);
    // The rest of the long line, up to its terminator, is discarded too: it is not a scan.
    expect(f.push(b('tail\r'))).toEqual([]);
    expect(scans(f.push(b(`${CODE}\r`)))).toEqual([CODE]);
  });

  it('drops a single 1 MB chunk ending in a terminator and keeps the code after it', () => {
    const f = new LineFramer({ suffix: 'LF' });
    const out = f.push(Buffer.concat([Buffer.alloc(1024 * 1024, 0x42), b(`\n${CODE}\n`)]));
    expect(drops(out)).toEqual(['LINE_TOO_LONG']);
    expect(scans(out)).toEqual([CODE]);
  });

  it('accepts a line of exactly the limit and refuses one byte more', () => {
    const f = new LineFramer({ suffix: 'LF', maxLength: 16 });
    expect(scans(f.push(b(`${'x'.repeat(16)}\n`)))).toEqual(['x'.repeat(16)]);
    expect(drops(f.push(b(`${'x'.repeat(17)}\n`)))).toEqual(['LINE_TOO_LONG']);
    expect(scans(f.push(b('ok\n')))).toEqual(['ok']);
  });

  it('none: a code ends only at flush (the inter-byte gap)', () => {
    const f = new LineFramer({ suffix: 'none' });
    expect(f.push(b(CODE.slice(0, 20)))).toEqual([]);
    expect(f.push(b(CODE.slice(20)))).toEqual([]);
    expect(scans(f.flush())).toEqual([CODE]);
    expect(f.flush()).toEqual([]);
  });

  it('none: an over-long burst is dropped and the next burst is framed', () => {
    const f = new LineFramer({ suffix: 'none', maxLength: 32 });
    expect(drops(f.push(Buffer.alloc(100, 0x41)))).toEqual(['LINE_TOO_LONG']);
    expect(f.flush()).toEqual([]);
    expect(scans([...f.push(b('next')), ...f.flush()])).toEqual(['next']);
  });

  it('reset forgets a partial line', () => {
    const f = new LineFramer({ suffix: 'CR' });
    f.push(b('half-a-co'));
    f.reset();
    expect(f.bufferedLength).toBe(0);
    expect(scans(f.push(b('whole\r')))).toEqual(['whole']);
  });

  it('property: any chunking gives the same scans as one push, and the buffer stays bounded', () => {
    const line = fc.string({ unit: fc.constantFrom('A', 'Z', '0', ' ', '%', ':', 'ễ', '\t'), maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 12 }),
        fc.constantFrom<ScannerSuffix>('CR', 'LF', 'CRLF', 'auto'),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (lines, suffix, cuts) => {
          const term = suffix === 'CR' ? '\r' : suffix === 'LF' ? '\n' : '\r\n';
          const all = b(lines.map((l) => l + term).join(''));
          const max = 32;
          const whole = new LineFramer({ suffix, maxLength: max }).push(all);
          const f = new LineFramer({ suffix, maxLength: max });
          const pieces: FramerOutput[] = [];
          let at = 0;
          for (let i = 0; at < all.length; i++) {
            const n = cuts[i % cuts.length] ?? 1;
            pieces.push(...f.push(all.subarray(at, at + n)));
            at += n;
            expect(f.bufferedLength).toBeLessThanOrEqual(max);
          }
          expect(pieces).toEqual(whole);
          const expected = lines.filter((l) => l.trim() !== '' && Buffer.byteLength(l) <= max);
          expect(scans(whole)).toEqual(expected);
        },
      ),
    );
  });
});
