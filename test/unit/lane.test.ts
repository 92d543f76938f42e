// The lane's own rules: vehicle entry, manual entry and overrides (src/lane/), as pure functions.
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { checkManualPerson, cleanIdNumber, cleanName, cleanReason } from '../../src/contract/manual-entry.js';
import { resolveVehicle } from '../../src/contract/vehicle.js';
import { checkOverride, OVERRIDE_WINDOW_MS, type OverrideTarget } from '../../src/lane/override.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KioskError);
    const e = err as KioskError;
    // Every refusal speaks both languages.
    expect(e.vi.length).toBeGreaterThan(5);
    expect(e.en.length).toBeGreaterThan(5);
    return e.code;
  }
  return 'OK';
}

describe('resolveVehicle', () => {
  it('a typed plate is validated, printed canonically, and implies the type', () => {
    expect(resolveVehicle({ plate: '29b1 12345' })).toEqual({
      plate: '29-B1 123.45',
      typedPlate: '29-B1 123.45',
      type: 'motorbike',
      passengers: 0,
      people: 1,
      fromPermit: false,
    });
    expect(resolveVehicle({ plate: '30e12345', passengers: 3 })).toMatchObject({
      plate: '30E-123.45',
      type: 'car',
      people: 4,
    });
    // An explicit type wins over the implied one.
    expect(resolveVehicle({ plate: '51LD-123.45', vehicleType: 'truck' }).type).toBe('truck');
  });

  it('with nothing typed, the permit’s vehicle is recorded; with nothing at all, none', () => {
    expect(resolveVehicle({}, { plate: '29A12345', type: 'car' })).toMatchObject({
      plate: '29A-123.45',
      typedPlate: null,
      type: 'car',
      fromPermit: true,
    });
    expect(resolveVehicle({}, { plate: 'XYZ', type: 'hovercraft' })).toMatchObject({
      plate: 'XYZ',
      type: 'other',
    });
    expect(resolveVehicle({ passengers: 2 })).toMatchObject({ plate: null, type: null, people: 3 });
    // A type without a plate (a bicycle) is recorded as typed, not the permit's car.
    expect(resolveVehicle({ vehicleType: 'bicycle' }, { plate: '29A-123.45', type: 'car' })).toMatchObject({
      plate: null,
      type: 'bicycle',
      fromPermit: false,
    });
  });

  it.each<[Parameters<typeof resolveVehicle>[0], string]>([
    [{ plate: '29A' }, 'PLATE_INVALID'],
    [{ plate: 'HELLO WORLD' }, 'PLATE_INVALID'],
    [{ plate: '29A-123.45', vehicleType: 'bicycle' }, 'PLATE_NOT_EXPECTED'],
    [{ passengers: -1 }, 'PASSENGERS_INVALID'],
    [{ passengers: 61 }, 'PASSENGERS_INVALID'],
    [{ passengers: 1.5 }, 'PASSENGERS_INVALID'],
    [{ plate: 'FOREIGN1', vehicleType: 'other' }, 'OK'],
  ])('%j → %s', (entry, expected) => {
    expect(code(() => resolveVehicle(entry))).toBe(expected);
  });
});

describe('manual entry', () => {
  it('cleans each field', () => {
    expect(cleanName('  Nguyễn   Văn\tAn ')).toBe('Nguyễn Văn An');
    // Decomposed (NFD) Vietnamese becomes NFC: "ễ" typed as e + marks counts as one letter.
    expect(cleanName('Nguye\u0302\u0303n An')).toBe('Nguyễn An');
    expect(cleanIdNumber('001 185 004 321')).toBe('001185004321');
    expect(cleanIdNumber('123456789')).toBe('123456789');
    expect(cleanIdNumber('b1234567')).toBe('B1234567');
  });

  it.each<[string, string]>([
    ['12345', 'ID_NUMBER_INVALID'],
    ['1234567890', 'ID_NUMBER_INVALID'],
    ['0011850043210', 'ID_NUMBER_INVALID'],
    ['<b>123456</b>', 'ID_NUMBER_INVALID'],
  ])('ID %j → %s', (id, expected) => {
    expect(code(() => cleanIdNumber(id))).toBe(expected);
  });

  it.each<[string, string]>([
    ['Cấp cứu mẹ', 'OK'], // exactly 10 characters
    ['Cấp cứu m', 'REASON_TOO_SHORT'],
    ['   Cấp    cứu   ', 'REASON_TOO_SHORT'], // whitespace does not count twice
    ['..........', 'REASON_TOO_SHORT'],
    ['1111111111111', 'REASON_TOO_SHORT'],
    ['x'.repeat(501), 'REASON_TOO_LONG'],
  ])('reason %j → %s', (reason, expected) => {
    expect(code(() => cleanReason(reason))).toBe(expected);
  });

  it('a whole entry, and the first problem of a bad one', () => {
    expect(
      checkManualPerson({
        name: 'Lê Thị Mai',
        idNumber: '001185004321',
        purpose: 'medical',
        reason: 'Quên điện thoại ở nhà',
      }),
    ).toEqual({
      name: 'Lê Thị Mai',
      idNumber: '001185004321',
      purpose: 'medical',
      reason: 'Quên điện thoại ở nhà',
    });
    const bad = {
      name: 'Lê Thị Mai',
      idNumber: '001185004321',
      purpose: 'party',
      reason: 'Quên điện thoại ở nhà',
    };
    expect(code(() => checkManualPerson(bad))).toBe('PURPOSE_INVALID');
    expect(code(() => checkManualPerson({ ...bad, name: 'X' }))).toBe('NAME_INVALID');
    expect(code(() => checkManualPerson({ ...bad, name: '<script>' }))).toBe('NAME_INVALID');
  });
});

describe('overrides', () => {
  const T = 1_630_000_000_000;
  const denied: OverrideTarget = { id: 7, atMs: T, decision: 'DENY', letThrough: false };
  const reason = 'Xe cấp cứu chở bệnh nhân';

  it('a DENY or REVIEW passage, recent, with a reason: the cleaned reason', () => {
    expect(checkOverride(denied, null, `  ${reason}  `, T + 60_000)).toBe(reason);
    expect(checkOverride({ ...denied, decision: 'REVIEW' }, null, reason, T + OVERRIDE_WINDOW_MS)).toBe(
      reason,
    );
  });

  it.each<[string, OverrideTarget | null, number | null, string, number, string]>([
    ['unknown passage', null, null, reason, T, 'PASSAGE_NOT_FOUND'],
    ['an ALLOW', { ...denied, decision: 'ALLOW', letThrough: true }, null, reason, T, 'OVERRIDE_NOT_NEEDED'],
    ['overridden already', denied, 9, reason, T, 'ALREADY_OVERRIDDEN'],
    ['too late', denied, null, reason, T + OVERRIDE_WINDOW_MS + 1, 'OVERRIDE_TOO_LATE'],
    ['a short reason', denied, null, 'OK đi đi', T, 'REASON_TOO_SHORT'],
  ])('%s → %s', (_name, target, existing, why, now, expected) => {
    expect(code(() => checkOverride(target, existing, why, now))).toBe(expected);
  });
});
