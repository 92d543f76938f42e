// Vietnamese plate formats accepted at the lane (src/contract/plate.ts), and how they print.
import { describe, expect, it } from 'vitest';
import { normalisePlate, parsePlate } from '../../src/contract/plate.js';

describe('parsePlate', () => {
  it.each<[string, string | null, string, string, string | null]>([
    // typed, vehicle type, display, kind, implied type
    ['29A-123.45', null, '29A-123.45', 'car', 'car'],
    ['29a12345', null, '29A-123.45', 'car', 'car'],
    ['30E 123 45', 'car', '30E-123.45', 'car', 'car'],
    ['29A-1234', null, '29A-1234', 'car', 'car'],
    ['51LD-123.45', 'truck', '51LD-123.45', 'car', 'car'],
    ['80NG-123.45', null, '80NG-123.45', 'car', 'car'],
    ['29-B1 123.45', null, '29-B1 123.45', 'motorbike', 'motorbike'],
    ['29b112345', 'car', '29-B1 123.45', 'motorbike', 'motorbike'],
    ['29-B1 1234', null, '29-B1 1234', 'motorbike', 'motorbike'],
    ['29-AA 123.45', 'motorbike', '29-AA 123.45', 'motorbike', 'motorbike'],
    ['29AA12345', null, '29AA-123.45', 'car', 'car'],
    // 29A12345 is a car or an old 4-digit motorbike plate: the layout, then the type, decides.
    ['29A12345', 'motorbike', '29-A1 2345', 'motorbike', 'motorbike'],
    ['29-A1 2345', null, '29-A1 2345', 'motorbike', 'motorbike'],
    ['29A1-2345', 'car', '29-A1 2345', 'motorbike', 'motorbike'],
    ['29A-12345', 'motorbike', '29A-123.45', 'car', 'car'],
    ['29A 123.45', null, '29A-123.45', 'car', 'car'],
    ['29-A1 234.56', null, '29-A1 234.56', 'motorbike', 'motorbike'],
    ['TM-12-34', null, 'TM-12-34', 'military', null],
    ['ABC123', 'other', 'ABC123', 'other', null],
  ])('%s (%s) → %s', (typed, type, display, kind, implied) => {
    const p = parsePlate(typed, type);
    expect(p).toEqual({ normalised: normalisePlate(typed), display, kind, impliedType: implied });
    // What is printed normalises back to what was typed: the two compare equal in VEHICLE_MISMATCH.
    expect(normalisePlate(display)).toBe(p?.normalised);
  });

  it.each<[string, string | null]>([
    ['', null],
    ['29', null],
    ['10A-123.45', null], // no province 10
    ['29A-123', null], // too few digits
    ['29A-123456', null], // too many
    ['29ABC-123.45', null], // three-letter series
    ['29A_123.45', null], // underscore is not a separator
    ['29A/12345', null],
    ['ABC123', 'car'], // free-form only for `other`
    ['ABC123', null],
    ['A', 'other'],
    ['X'.repeat(21), 'other'],
    ['<script>', 'other'],
  ])('rejects %j (%s)', (typed, type) => {
    expect(parsePlate(typed, type)).toBeNull();
  });

  it('ignores surrounding whitespace, as a text field would', () => {
    expect(parsePlate(' 29a-123.45\t', null)?.display).toBe('29A-123.45');
  });
});
