// The CSV export written from pages of passages as the search reads them (newest first): the file is
// oldest first, byte for byte what one pass over every row wrote, and each page is turned into bytes
// before the next is read, so that an export of 100,000 rows never holds them all as objects.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { PassageSearch } from '../../src/audit/search.js';
import type { AuditPassage, SearchResult } from '../../src/contract/api-audit.js';
import { passageRecord, passagesCsvFromNewest } from '../../src/reports/csv.js';
import { reportPassage } from '../fixtures/largest-report.js';

/** Passages 1..n in pages of `size`, newest first, as PassageSearch.pages gives them. */
function* newestFirst(n: number, size: number, seen?: AuditPassage[][]): Generator<AuditPassage[]> {
  for (let top = n; top > 0; top -= size) {
    const page: AuditPassage[] = [];
    for (let id = top; id > Math.max(0, top - size); id--) page.push(reportPassage(id - 1, id % 7 === 0));
    seen?.push(page);
    yield page;
  }
}

describe('passagesCsvFromNewest', () => {
  it('writes every row oldest first, as one pass over all of them would', () => {
    const { bytes, rows } = passagesCsvFromNewest(newestFirst(1_234, 500), 'vi');
    expect(rows).toBe(1_234);
    const all = [...newestFirst(1_234, 1_234)][0]!.reverse();
    const header = parse(bytes, { bom: true, to_line: 1 })[0] as string[];
    const whole = stringify([header, ...all.map((p) => passageRecord(p, 'vi'))], {
      bom: true,
      record_delimiter: 'windows',
      quoted_match: /[",\r\n;]/,
    });
    expect(bytes.equals(Buffer.from(whole, 'utf8'))).toBe(true);
    const records = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((r) => Number(r['Mã lượt']))).toEqual(all.map((p) => p.id));
    expect(records[6]!['Cho qua thủ công']).toContain('bệnh viện Bạch Mai');
  });

  it('turns each page into bytes before it reads the next one', () => {
    const seen: AuditPassage[][] = [];
    const pages = (function* () {
      for (const page of newestFirst(1_500, 500, seen)) {
        yield page;
        // The page is done with once the next is asked for: what is written of it later comes from
        // passages that are no longer there.
        for (const p of page) p.holderName = 'ĐÃ TRẢ LẠI';
      }
    })();
    const { bytes, rows } = passagesCsvFromNewest(pages, 'en');
    expect(seen).toHaveLength(3);
    expect(rows).toBe(1_500);
    expect(bytes.toString('utf8')).not.toContain('ĐÃ TRẢ LẠI');
    expect(bytes.toString('utf8')).toContain('Nguyễn Thị Hoàng Phương Thảo Quỳnh Trang 1499');
  });

  it('writes the header alone when nothing matches', () => {
    const { bytes, rows } = passagesCsvFromNewest([], 'en');
    expect(rows).toBe(0);
    expect(bytes.toString('utf8')).toMatch(/^\uFEFFPassage,Time,.*\r\n$/);
  });
});

describe('PassageSearch.pages', () => {
  /** A search over passages 1..n, newest first, with the real cursor. */
  function fakeSearch(n: number) {
    const calls: number[] = [];
    const s = Object.create(PassageSearch.prototype) as PassageSearch;
    s.search = (_f, limit, before): SearchResult => {
      calls.push(limit);
      const top = before ? before.id - 1 : n;
      const rows: AuditPassage[] = [];
      for (let id = top; id > Math.max(0, top - limit); id--) rows.push(reportPassage(id - 1, false));
      const last = rows.at(-1);
      return {
        rows,
        next: last && last.id > 1 ? { at: Date.parse(last.at), id: last.id } : null,
        tookMs: 0,
      };
    };
    return { s, calls };
  }

  it('reads one page at a time, as the export asks for them', () => {
    const { s, calls } = fakeSearch(2_000);
    const pages = s.pages({}, 100_000);
    expect(pages.next().value).toHaveLength(200);
    expect(calls).toEqual([200]);
    expect([...pages].map((p) => p.length)).toEqual(Array(9).fill(200));
    expect(calls).toHaveLength(10);
  });

  it('stops at the newest `max` rows', () => {
    const { s, calls } = fakeSearch(2_000);
    const ids = [...s.pages({}, 1_100)].flat().map((p) => p.id);
    expect(ids).toHaveLength(1_100);
    expect(ids[0]).toBe(2_000);
    expect(ids.at(-1)).toBe(901);
    expect(calls).toEqual([200, 200, 200, 200, 200, 100]);
  });
});
