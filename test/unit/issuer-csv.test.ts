// Batch CSV of `kiosk issue --csv`: Vietnamese and English headers, every row checked before any is
// issued, every problem named by line and column in both languages.
import { describe, expect, it } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { type BatchOptions, parseBatchCsv } from '../../src/issuer/csv.js';
import { formatVnDateTime, parseDateTime, parseHours, parseIdNumber } from '../../src/issuer/fields.js';

const NOW = Date.parse('2021-09-10T08:00:00+07:00') / 1000;
const opts: BatchOptions = { iss: '01-009', now: NOW, defaultValidTo: '14', serialPrefix: 'TX-2021-B' };
const vn = (s: string) => Date.parse(`${s}+07:00`) / 1000;
const utf8 = (s: string) => new TextEncoder().encode(s);

function csvProblem(text: string | Uint8Array): KioskError {
  try {
    parseBatchCsv(typeof text === 'string' ? utf8(text) : text, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(KioskError);
    expect((err as KioskError).code).toBe('CSV_INVALID');
    return err as KioskError;
  }
  throw new Error('expected CSV_INVALID');
}

describe('parseBatchCsv', () => {
  it('reads Vietnamese headers with a BOM, Vietnamese words and dd/mm/yyyy dates', () => {
    const csv = [
      'STT,Họ và tên,Số CCCD,Ngày sinh,Loại giấy,Mục đích,Khu vực,Nơi ở,Cơ quan,Lộ trình,Biển số,Loại xe,Từ ngày,Đến ngày,Giờ',
      '1,  Nguyễn Thị Hằng ,001 185 004 321,02/03/1985,Giấy đi đường,Đi làm,"01-009; Quận Đống Đa",Phường Nhân Chính,Bệnh viện Bạch Mai,Nguyễn Trãi – Trường Chinh,29A-123.45,Xe máy,10/09/2021,24/09/2021,6:00 – 18:00',
      '2,Trần Văn Đức,001090001111,,,khám chữa bệnh,01-009-00343,,,,,,,11/09/2021 17:30,',
      '',
    ].join('\n');
    const rows = parseBatchCsv(utf8(`\uFEFF${csv}`), opts);
    expect(rows).toHaveLength(2);
    const [a, b] = rows;
    expect(a?.line).toBe(2);
    expect(a?.claims).toEqual({
      iss: '01-009',
      cti: 'TX-2021-B0001',
      iat: NOW,
      nbf: vn('2021-09-10T00:00:00'),
      exp: vn('2021-09-24T23:59:00'),
      permit: {
        v: 1,
        k: 'travel',
        nam: 'Nguyễn Thị Hằng',
        idn: '001185004321',
        dob: '1985-03-02',
        pur: 'work',
        areas: ['01-009', '01-006'],
        home: '01-009-00343',
        org: 'Bệnh viện Bạch Mai',
        route: 'Nguyễn Trãi – Trường Chinh',
        veh: { plate: '29A-123.45', type: 'motorbike' },
        hours: ['06:00', '18:00'],
      },
    });
    expect(b?.claims).toMatchObject({
      cti: 'TX-2021-B0002',
      exp: vn('2021-09-11T17:30:00'),
      permit: { nam: 'Trần Văn Đức', pur: 'medical', areas: ['01-009-00343'], k: 'travel' },
    });
    expect(b?.claims.nbf).toBeUndefined();
    expect(b?.claims.permit.veh).toBeUndefined();
  });

  it('reads English headers, semicolons, CRLF, quoted cells and day counts; NFC names', () => {
    const decomposed = 'Nguyễn Văn An'.normalize('NFD');
    const csv = `serial;name;idn;purpose;areas;valid to;plate;vehicle type\r\nTX/1;${decomposed};123456789;goods;"01-009;01-006";3;"30C 111.22";truck\r\n`;
    const [row] = parseBatchCsv(utf8(csv), opts);
    expect(row?.claims).toMatchObject({
      cti: 'TX/1',
      exp: NOW + 3 * 86_400,
      permit: {
        nam: 'Nguyễn Văn An',
        idn: '123456789',
        pur: 'goods',
        veh: { plate: '30C 111.22', type: 'truck' },
      },
    });
    expect(row?.claims.permit.nam).toBe('Nguyễn Văn An'.normalize('NFC'));
    expect(row?.claims.permit.areas).toEqual(['01-009', '01-006']);
    // without an end column, --valid-to's default counts from the start
    const [d] = parseBatchCsv(utf8('name,idn,purpose,areas\nA B,123456789,work,01\n'), opts);
    expect(d?.claims.exp).toBe(NOW + 14 * 86_400);
  });

  it('lists every bad row by line and column, in Vietnamese and English, and issues nothing', () => {
    const csv = [
      'Số giấy,Họ và tên,Số CCCD,Mục đích,Khu vực,Biển số,Loại xe,Đến ngày',
      'A-1,Nguyễn Thị Hằng,001185004321,Đi làm,01-009,,,20/09/2021', // good
      'A-2,Lê Văn Bình,1185004321,Đi làm,01-009,,,20/09/2021', // leading zeros lost
      'A-3,Phạm Thị Cúc,001185004322,đi chơi,01-009,,,20/09/2021', // purpose
      'A-4,,001185004323,Đi làm,Quận Hà Đông Mới,,,31/02/2021', // name, area, date
      'A-1,Hoàng Văn Dũng,001185004324,Đi làm,01-009,,Ô tô,01/09/2021', // serial, plate, expired
      'A 6,Vũ Thị Em,001185004325,work,Phường Quang Trung,,,20/09/2021', // serial chars, ambiguous ward
    ].join('\n');
    const err = csvProblem(csv);
    const expected: [number, string][] = [
      [3, 'Số CCCD'],
      [4, 'Mục đích'],
      [5, 'Họ và tên'],
      [5, 'Khu vực'],
      [5, 'Đến ngày'],
      [6, 'Biển số'],
      [6, 'Đến ngày'],
      [7, 'Số giấy'],
      [7, 'Khu vực'],
    ];
    for (const [line, column] of expected) {
      expect(err.vi).toContain(`dòng ${line}, cột "${column}"`);
      expect(err.en).toContain(`line ${line}, column "${column}"`);
    }
    expect(err.vi).toMatch(/^Tệp CSV có 9 lỗi; chưa cấp giấy nào/);
    expect(err.en).toMatch(/^The CSV file has 9 problem\(s\); nothing was issued/);
    expect(err.vi).toContain('bỏ số 0 ở đầu');
    expect(err.en).toContain('leading zeros');
    expect(err.vi).toContain('01-006-00214, 01-268-09550, 01-269-09583'); // every "Phường Quang Trung"
    expect(err.vi).toContain('đã hết hạn');
    // A serial repeated with no other problem on its line is named as a repeat of line 2.
    const dup = csvProblem('serial,name,idn,purpose,areas\nX,A,123456789,work,01\nX,B,123456788,work,01\n');
    expect(dup.en).toContain('line 3, column "serial": serial X repeats line 2');
  });

  it('refuses a row kiosks would refuse under the value rules, naming the rule', () => {
    // More than 64 areas, and a validity beyond 400 days: each field alone parses, the permit does not.
    const areas = Array.from({ length: 65 }, (_, i) => `01-${String(i + 1).padStart(3, '0')}`).join(';');
    const err = csvProblem(
      [
        'Họ và tên,Số CCCD,Mục đích,Khu vực,Đến ngày',
        `Nguyễn Thị Hằng,001185004321,work,"${areas}",24/09/2021`,
        'Trần Văn Đức,001090001111,work,01-009,500',
      ].join('\n'),
    );
    expect(err.vi).toContain('dòng 2: máy ở chốt sẽ từ chối giấy này: areas must hold 1–64 codes');
    expect(err.en).toContain('line 3: kiosks would refuse this permit: valid for more than 400 days');
  });

  it('refuses a bad header: unknown, missing and repeated columns', () => {
    const err = csvProblem('Họ và tên,Họ tên,Ngày sinhh,Khu vực\nA,B,01/01/1990,01\n');
    expect(err.vi).toContain('cột "Ngày sinhh": không biết cột này');
    expect(err.vi).toContain('cột "Họ tên": trùng nghĩa với cột "Họ và tên"');
    expect(err.vi).toContain('thiếu cột "Số CCCD"');
    expect(err.vi).toContain('thiếu cột "Mục đích"');
    expect(err.en).toContain('missing column "idn"');
  });

  it('refuses files that are not UTF-8, empty, or have rows wider than the header', () => {
    const latin1 = Uint8Array.from([...utf8('name,idn,purpose,areas\n'), 0x4e, 0x67, 0xe3, 0x0a]);
    expect(csvProblem(latin1).vi).toContain('UTF-8');
    expect(csvProblem('name,idn,purpose,areas\n').en).toContain('no data rows');
    expect(csvProblem('').en).toContain('no data rows');
    const wide = csvProblem('name,idn,purpose,areas\nA,123456789,work,01-009,01-006\n');
    expect(wide.en).toContain('line 2: has 5 cells');
    expect(csvProblem('name,idn\n"unclosed,1\n').en).toContain('malformed');
  });
});

describe('issuer fields', () => {
  it('parses times as Vietnam wall-clock whatever the machine zone', () => {
    expect(parseDateTime('10/09/2021', 'start')).toBe(vn('2021-09-10T00:00:00'));
    expect(parseDateTime('10/9/2021 7:05', 'end')).toBe(vn('2021-09-10T07:05:00'));
    expect(parseDateTime('2021-09-10', 'end')).toBe(vn('2021-09-10T23:59:00'));
    expect(parseDateTime('2021-09-10T08:00:00Z', 'start')).toBe(Date.parse('2021-09-10T08:00:00Z') / 1000);
    for (const bad of ['31/04/2021', '10/13/2021', '10/09/2021 24:00', 'mai', '2021-09-10T08:00']) {
      expect(() => parseDateTime(bad, 'start'), bad).toThrow();
    }
    expect(formatVnDateTime(vn('2021-09-24T23:59:00'))).toBe('24/09/2021 23:59');
  });

  it('parses hours and ID numbers strictly', () => {
    expect(parseHours('22:00-05:00')).toEqual(['22:00', '05:00']);
    expect(() => parseHours('6-18')).toThrow();
    expect(() => parseHours('06:00-24:00')).toThrow();
    expect(parseIdNumber('001.185.004.321')).toBe('001185004321');
    expect(() => parseIdNumber('00118500432X')).toThrow();
  });
});
