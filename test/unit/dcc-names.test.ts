// Does a health certificate belong to the permit's holder (src/lane/holder-names.ts)?
import { describe, expect, it } from 'vitest';
import type { DccName } from '../../src/formats/hc1-types.js';
import { birthDatesAgree, namesMatch, nameWords } from '../../src/lane/holder-names.js';

const nam = (
  fnt: string,
  gnt: string | null = null,
  fn: string | null = null,
  gn: string | null = null,
): DccName => ({
  fn,
  fnt,
  gn,
  gnt,
});

describe('nameWords', () => {
  it('folds case and Vietnamese diacritics, đ included, and splits on < spaces and hyphens', () => {
    expect(nameWords('Nguyễn Thị Hằng')).toEqual(['NGUYEN', 'THI', 'HANG']);
    expect(nameWords('NGUYEN<THI<HANG')).toEqual(['NGUYEN', 'THI', 'HANG']);
    expect(nameWords('Đặng  Văn-Đức')).toEqual(['DANG', 'VAN', 'DUC']);
    // Decomposed input (NFD, as some keyboards produce) folds the same.
    expect(nameWords('Nguyễn Thị Hằng'.normalize('NFD'))).toEqual(['NGUYEN', 'THI', 'HANG']);
    expect(nameWords('Gößinger')).toEqual(['GOSSINGER']);
    expect(nameWords(' <- ')).toEqual([]);
  });
});

describe('namesMatch', () => {
  it('"Nguyễn Thị Hằng" matches NGUYEN<THI<HANG however the certificate splits it', () => {
    expect(namesMatch('Nguyễn Thị Hằng', nam('NGUYEN', 'THI<HANG'))).toBe(true);
    expect(namesMatch('Nguyễn Thị Hằng', nam('NGUYEN<THI<HANG'))).toBe(true);
    expect(namesMatch('nguyen thi hang', nam('NGUYEN', 'THI<HANG'))).toBe(true);
    // Given name first, as a foreign permit may write it.
    expect(namesMatch('Thị Hằng Nguyễn', nam('NGUYEN', 'THI<HANG'))).toBe(true);
  });

  it('a different, a missing or an extra word is someone else', () => {
    expect(namesMatch('Nguyễn Thị Hà', nam('NGUYEN', 'THI<HANG'))).toBe(false);
    expect(namesMatch('Nguyễn Hằng', nam('NGUYEN', 'THI<HANG'))).toBe(false);
    expect(namesMatch('Nguyễn Thị Thu Hằng', nam('NGUYEN', 'THI<HANG'))).toBe(false);
    expect(namesMatch('Trần Thị Hằng', nam('NGUYEN', 'THI<HANG'))).toBe(false);
    // A repeated word counts: {NGUYEN, NGUYEN, HANG} is not {NGUYEN, THI, HANG}.
    expect(namesMatch('Nguyễn Nguyễn Hằng', nam('NGUYEN', 'THI<HANG'))).toBe(false);
    expect(namesMatch('', nam(''))).toBe(false);
  });

  it('the original spelling (fn, gn) is tried when the transliteration differs', () => {
    const austrian = nam('MUSTERFRAU<GOESSINGER', 'GABRIELE', 'Musterfrau-Gößinger', 'Gabriele');
    expect(namesMatch('Gabriele Musterfrau-Gößinger', austrian)).toBe(true);
    expect(namesMatch('Gabriele Musterfrau Goessinger', austrian)).toBe(true);
    expect(namesMatch('Gabriele Musterfrau', austrian)).toBe(false);
  });
});

describe('birthDatesAgree', () => {
  it('agree unless both are known and differ; a year or a month is a prefix', () => {
    expect(birthDatesAgree('1985-11-18', '1985-11-18')).toBe(true);
    expect(birthDatesAgree('1985-11-18', '1985-11')).toBe(true);
    expect(birthDatesAgree('1985-11-18', '1985')).toBe(true);
    expect(birthDatesAgree(undefined, '1985-11-18')).toBe(true);
    expect(birthDatesAgree('1985-11-18', '')).toBe(true);
    expect(birthDatesAgree('1985-11-18', '1985-11-19')).toBe(false);
    expect(birthDatesAgree('1985-11-18', '1986')).toBe(false);
  });
});
