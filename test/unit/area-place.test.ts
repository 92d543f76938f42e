// The verdict screen names a permit's areas from the Hà Nội list shipped with the product
// (contract/areas.ts areaPlace): a guard reads "Quận Thanh Xuân", not "01-009".
import { describe, expect, it } from 'vitest';
import { areaPlace } from '../../src/contract/areas.js';

describe('areaPlace', () => {
  it('names a ward with its district, a district and the city by their names', () => {
    expect(areaPlace('01-009-00343')).toBe('Phường Nhân Chính, Quận Thanh Xuân');
    expect(areaPlace('01-009')).toBe('Quận Thanh Xuân');
    expect(areaPlace('01')).toBe('Thành phố Hà Nội');
  });

  it('knows when it does not know a code', () => {
    expect(areaPlace('01-999')).toBeNull();
    expect(areaPlace('79-760')).toBeNull();
    expect(areaPlace('')).toBeNull();
  });
});
