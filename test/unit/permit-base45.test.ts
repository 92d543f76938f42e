import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from '../../src/formats/base45.js';

describe('base45 (RFC 9285)', () => {
  it('matches the RFC examples', () => {
    expect(base45Encode(Buffer.from('AB'))).toBe('BB8');
    expect(base45Encode(Buffer.from('Hello!!'))).toBe('%69 VD92EX0');
    expect(base45Encode(Buffer.from('base-45'))).toBe('UJCLQE7W581');
    expect(base45Decode('QED8WEX0').toString()).toBe('ietf!');
    expect(base45Decode('').length).toBe(0);
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect([...base45Decode(base45Encode(bytes))]).toEqual([...bytes]);
      }),
      { seed: 45 },
    );
  });

  it('refuses characters outside the alphabet, including lower case', () => {
    expect(() => base45Decode('bb8')).toThrow(/not base45/);
    expect(() => base45Decode('BB8\n')).toThrow();
    expect(() => base45Decode('BBé')).toThrow(/not base45/);
    expect(() => base45Decode('B_8')).toThrow(/not base45/);
  });

  it('refuses a dangling character and out-of-range groups', () => {
    expect(() => base45Decode('BB8B')).toThrow(/length/);
    // ':::' = 44 + 44*45 + 44*2025 = 91124 > 65535
    expect(() => base45Decode(':::')).toThrow(/range/);
    // '::' = 44 + 44*45 = 2024 > 255
    expect(() => base45Decode('::')).toThrow(/range/);
    expect([...base45Decode('FGW')]).toEqual([0xff, 0xff]);
  });
});
