// The supervisor's search, hourly flow and exports on a real kiosk: every search kind, paging, the CSV
// parsed back (BOM, Vietnamese, formulas defused), the PDF shift report turned into an image.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/api/dispatch.js';
import { nameQuery } from '../../src/audit/search.js';
import { defuse } from '../../src/reports/csv.js';
import { T0S } from '../fixtures/permits.js';
import { type AuditKiosk, codeOf, PINS, startAuditKiosk } from './audit-fixtures.js';

const SHOTS = '/tmp/shots';
let k: AuditKiosk;
let guard: CallContext;
let sup: CallContext;
let shiftId: number;
const ids: Record<string, number> = {};

beforeAll(async () => {
  k = await startAuditKiosk();
  guard = await k.login('canbo', PINS.guard);
  shiftId = (await k.call('shift.open', {}, guard)).id;
  const scan = async (key: string, text: string, extra: Record<string, unknown> = {}) => {
    k.clock.now += 7 * 60_000;
    const v = await k.call('scan.submit', { text, ...extra }, guard);
    ids[key] = v.passageId!;
    return v;
  };
  await scan('hang', k.permit('TX-1', { nam: 'Nguyễn Thị Hằng', idn: '001185004321' }), {
    plate: '29A-123.45',
    vehicleType: 'car',
  });
  await scan('duc', k.permit('TX-2', { nam: 'Đặng Văn Đức', idn: '001090001111' }), {
    plate: '30E-555.66',
    vehicleType: 'car',
  });
  await scan('expired', k.permit('TX-3', { nam: 'Trần Thị Hồng', idn: '001190002222' }, { exp: T0S - 3600 }));
  await scan('hang2', k.permit('TX-4', { nam: 'Nguyễn Thị Hằng', idn: '001185004321', pur: 'medical' }), {
    direction: 'out',
  });
  await scan('area', k.permit('TX-5', { nam: 'Lê Minh Tuấn', idn: '036095003333', areas: ['01-001'] }));
  // The guard lets the area denial through, with a reason (the lane's override).
  k.clock.now += 60_000;
  await k.call(
    'passage.override',
    { passageId: ids.area!, reason: 'Đưa con đi cấp cứu, có giấy viện' },
    guard,
  );
  // A formula smuggled into a signed permit's name must not run in Excel.
  await scan('junk', k.permit('TX-6', { nam: '=HYPERLINK("http://x")', idn: '001090007777' }));
  // An unreadable scan is not a passage: nothing of it is searched or exported.
  await k.call('scan.submit', { text: '=HYPERLINK("http://y")' }, guard);
  // After the scans: the simulated 45 minutes would outlast a supervisor's 30 idle minutes.
  sup = await k.login('giamsat', PINS.supervisor);
});

afterAll(async () => {
  await k?.close();
});

const idsOf = (rows: { id: number }[]) => rows.map((r) => r.id);

describe('search', () => {
  it('finds a name without its accents, đ included, newest first', async () => {
    const r = await k.call('audit.search', { name: 'nguyen hang' }, sup);
    expect(idsOf(r.rows)).toEqual([ids.hang2, ids.hang]);
    expect(r.rows[0]).toMatchObject({
      holderName: 'Nguyễn Thị Hằng',
      guard: 'Trung sĩ Lê Văn Tám',
      direction: 'out',
    });
    expect(idsOf((await k.call('audit.search', { name: 'dang duc' }, sup)).rows)).toEqual([ids.duc]);
    expect(idsOf((await k.call('audit.search', { name: 'Đặng' }, sup)).rows)).toEqual([ids.duc]);
    // The last word is a prefix: a supervisor may type only the start of a name.
    expect(idsOf((await k.call('audit.search', { name: 'tran thi ho' }, sup)).rows)).toEqual([ids.expired]);
    expect(nameQuery('  "Nguyễn"  OR *  ')).toBe('"nguyen" "or"*');
  });

  it('searches a typed prefix as the whole words of the index it begins', async () => {
    const words = (prefix: string) => ['ho', 'hoa', 'hong', 'hung'].filter((w) => w.startsWith(prefix));
    expect(nameQuery('Trần Thị Hồ', words)).toBe('"tran" AND "thi" AND ("ho" OR "hoa" OR "hong")');
    expect(nameQuery('hu', words)).toBe('"hung"');
    // Too many words to list, none at all, or a prefix that is not plain ASCII: FTS5's own prefix term.
    expect(nameQuery('tran h', () => null)).toBe('"tran" "h"*');
    expect(nameQuery('tran x', words)).toBe('"tran" "x"*');
    expect(nameQuery('Lý 李', words)).toBe('"ly" "李"*');
    // Through the kiosk: the word list holds what the follower indexed, accents folded as the index does.
    const list = k.kiosk
      .currentStore()
      ?.db.prepare('SELECT word FROM passage_name_words ORDER BY word')
      .pluck()
      .all();
    expect(list).toEqual(expect.arrayContaining(['dang', 'duc', 'hang', 'hong', 'nguyen', 'thi', 'tran']));
    const r = await k.call('audit.search', { name: 'tran thi ho' }, sup);
    expect(idsOf(r.rows)).toEqual([ids.expired]);
    expect(idsOf((await k.call('audit.search', { name: 'ng' }, sup)).rows)).toEqual([ids.hang2, ids.hang]);
  });

  it('finds a plate typed any way, an ID number in full or by its last 4 digits, a permit', async () => {
    expect(idsOf((await k.call('audit.search', { plate: '29a 123' }, sup)).rows)).toEqual([ids.hang]);
    expect(idsOf((await k.call('audit.search', { plate: '30E55566' }, sup)).rows)).toEqual([ids.duc]);
    expect(idsOf((await k.call('audit.search', { idn: '001185004321' }, sup)).rows)).toEqual([
      ids.hang2,
      ids.hang,
    ]);
    expect(idsOf((await k.call('audit.search', { idn: '4321' }, sup)).rows)).toEqual([ids.hang2, ids.hang]);
    expect((await k.call('audit.search', { idn: '001185004322' }, sup)).rows).toEqual([]);
    expect(idsOf((await k.call('audit.search', { permit: 'TX-3' }, sup)).rows)).toEqual([ids.expired]);
    const hash = (await k.call('audit.passage', { id: ids.duc! }, sup)).permitHash!;
    expect(idsOf((await k.call('audit.search', { permit: hash.toUpperCase() }, sup)).rows)).toEqual([
      ids.duc,
    ]);
  });

  it('filters by decision, reason, time range, shift and overrides, and combines filters', async () => {
    const denied = await k.call('audit.search', { decision: 'DENY' }, sup);
    expect(idsOf(denied.rows)).toEqual([ids.area, ids.expired]);
    expect(idsOf((await k.call('audit.search', { reason: 'EXPIRED' }, sup)).rows)).toEqual([ids.expired]);
    const overridden = await k.call('audit.search', { overridden: true }, sup);
    expect(idsOf(overridden.rows)).toEqual([ids.area]);
    expect(overridden.rows[0]).toMatchObject({
      decision: 'DENY',
      reasons: ['AREA_NOT_PERMITTED'],
      letThrough: true,
      override: { by: 'Trung sĩ Lê Văn Tám', reason: 'Đưa con đi cấp cứu, có giấy viện' },
    });
    const at = (await k.call('audit.passage', { id: ids.duc! }, sup)).at;
    const window = await k.call(
      'audit.search',
      { from: at, to: new Date(Date.parse(at) + 10 * 60_000).toISOString() },
      sup,
    );
    expect(idsOf(window.rows)).toEqual([ids.expired, ids.duc]);
    expect(
      idsOf((await k.call('audit.search', { shiftId, name: 'nguyen', decision: 'ALLOW' }, sup)).rows),
    ).toEqual([ids.hang2, ids.hang]);
    expect((await k.call('audit.search', { shiftId: shiftId + 1 }, sup)).rows).toEqual([]);
    expect(await codeOf(k.call('audit.search', { from: 'hôm qua' }, sup))).toBe('BAD_PARAMS');
    expect(await codeOf(k.call('audit.search', { idn: '12' }, sup))).toBe('BAD_PARAMS');
  });

  it('pages with a cursor without skipping or repeating a row', async () => {
    const all = await k.call('audit.search', { limit: 100 }, sup);
    const seen: number[] = [];
    let before: { at: number; id: number } | undefined;
    for (;;) {
      const page = await k.call('audit.search', { limit: 2, ...(before ? { before } : {}) }, sup);
      seen.push(...idsOf(page.rows));
      if (!page.next) break;
      before = page.next;
    }
    expect(seen).toEqual(idsOf(all.rows));
    expect(all.rows.length).toBe(6);
    expect(all.tookMs).toBeGreaterThanOrEqual(0);
  });

  it('pages a name search and an overrides list (record order) the same way', async () => {
    for (const filters of [
      { name: 'nguyen' },
      { name: 'thi' },
      { overridden: true },
      { name: 'nguyen', decision: 'ALLOW' as const },
    ]) {
      const all = await k.call('audit.search', { ...filters, limit: 100 }, sup);
      const seen: number[] = [];
      let before: { at: number; id: number } | undefined;
      for (;;) {
        const page = await k.call(
          'audit.search',
          { ...filters, limit: 1, ...(before ? { before } : {}) },
          sup,
        );
        seen.push(...idsOf(page.rows));
        if (!page.next) break;
        before = page.next;
      }
      expect(seen, JSON.stringify(filters)).toEqual(idsOf(all.rows));
      expect(all.partial).toBeUndefined();
    }
  });

  it('counts by hour and direction, overrides included', async () => {
    const flow = await k.call('audit.flow', { shiftId }, sup);
    const sum = flow.reduce(
      (a, h) => ({
        inAllowed: a.inAllowed + h.in.allowed,
        inDenied: a.inDenied + h.in.denied,
        out: a.out + h.out.allowed + h.out.denied + h.out.review,
        overridden: a.overridden + h.in.overridden + h.out.overridden,
      }),
      { inAllowed: 0, inDenied: 0, out: 0, overridden: 0 },
    );
    expect(sum).toEqual({ inAllowed: 3, inDenied: 2, out: 1, overridden: 1 });
    expect(new Set(flow.map((h) => h.hour)).size).toBe(flow.length);
  });
});

describe('exports', () => {
  it('writes a CSV with a BOM that parses back to the same rows, in Vietnamese', async () => {
    const file = await k.call('export.csv', { shiftId }, sup);
    expect(file).toMatchObject({ mime: 'text/csv; charset=utf-8', rows: 6 });
    expect(file.filename).toMatch(/^luot-qua_TX-01_\d{8}-\d{4}\.csv$/);
    const bytes = Buffer.from(file.base64, 'base64');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain('\r\n');
    const records = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(6);
    // Oldest first, as a paper register reads.
    expect(records[0]).toMatchObject({
      'Mã lượt': String(ids.hang),
      'Họ tên': 'Nguyễn Thị Hằng',
      'Số CCCD': '********4321',
      'Biển số': '29A-123.45',
      'Kết quả': 'CHO QUA',
      Hướng: 'Vào',
      'Cán bộ trực': 'Trung sĩ Lê Văn Tám',
    });
    expect(records[0]!['Thời gian']).toMatch(/^\d{2}\/\d{2}\/2021 \d{2}:\d{2}:\d{2}$/);
    const area = records.find((r) => r['Mã lượt'] === String(ids.area))!;
    expect(area).toMatchObject({
      'Kết quả': 'KHÔNG CHO QUA',
      'Lý do': 'Không được phép vào khu vực này',
      'Cho qua thủ công': 'Đưa con đi cấp cứu, có giấy viện',
    });
    expect(text).not.toContain(',=HYPERLINK');
    expect(text).toContain(`'=HYPERLINK(""http://x"")`);
    expect(text).not.toContain('http://y');
    expect(defuse('=1+1')).toBe("'=1+1");
    expect(defuse('-5')).toBe("'-5");
    expect(defuse('Nguyễn')).toBe('Nguyễn');
    const en = await k.call('export.csv', { shiftId, lang: 'en' }, sup);
    const enRows = parse(Buffer.from(en.base64, 'base64').toString('utf8'), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(enRows[0]).toMatchObject({ Decision: 'ALLOW', Direction: 'In' });
    // Exports are audited, without the filters' values.
    const ev = await k.call('audit.events', { kinds: ['export'] }, sup);
    expect(ev.events[0]?.details).toMatchObject({ format: 'csv', filters: ['shiftId'] });
  });

  it('renders a Vietnamese PDF shift report that pdftoppm turns into an image', async () => {
    await k.call(
      'shift.close',
      { notes: 'Bàn giao: 1 trường hợp cho qua thủ công (cấp cứu). Đèn làn 2 chập chờn.' },
      guard,
    );
    const file = await k.call('export.shiftReport', { shiftId }, sup);
    expect(file.mime).toBe('application/pdf');
    expect(file.filename).toBe(`bao-cao-ca-${shiftId}_TX-01.pdf`);
    const pdf = Buffer.from(file.base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    mkdirSync(SHOTS, { recursive: true });
    const pdfPath = join(SHOTS, 'shift-report.pdf');
    writeFileSync(pdfPath, pdf);
    execFileSync('pdftoppm', ['-r', '70', '-png', pdfPath, join(SHOTS, 'shift-report')]);
    const png = readFileSync(join(SHOTS, 'shift-report-1.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    // The text layer holds the Vietnamese words and the sealed hash.
    const text = execFileSync('pdftotext', ['-layout', pdfPath, '-']).toString();
    expect(text).toContain('BÁO CÁO CA TRỰC');
    expect(text).toContain('Trung sĩ Lê Văn Tám');
    expect(text).toContain('Đưa con đi cấp cứu, có giấy viện');
    expect(text).toContain('Không được phép vào khu vực này');
    expect(text).toContain('NGUYÊN VẸN');
    const shift = await k.call('shift.get', { id: shiftId }, sup);
    expect(text.replace(/\s/g, '')).toContain(shift.closeHash!);
    expect(text).toContain('CÁN BỘ TRỰC CA');
  });
});

describe('overridden only, over both kinds of override', () => {
  let o: AuditKiosk;
  afterAll(async () => {
    await o?.close();
  });

  it('pages newest first through overridden denials and manual entries let through, with filters', async () => {
    o = await startAuditKiosk();
    const g = await o.login('canbo', PINS.guard);
    await o.call('shift.open', {}, g);
    const overridden: { id: number; decision: string }[] = [];
    // Interleaved: denials overridden, denials left, manual entries let through and not, allowed scans.
    for (let i = 0; i < 12; i++) {
      o.clock.now += 60_000;
      if (i % 3 === 0) {
        const v = await o.call(
          'manual.record',
          {
            name: `Người ${i}`,
            idNumber: `00118500${String(1000 + i)}`,
            purpose: 'work',
            reason: 'Không mang điện thoại, đã gọi phường xác minh',
            letThrough: i % 2 === 0,
          },
          g,
        );
        if (i % 2 === 0) overridden.push({ id: v.passageId!, decision: 'REVIEW' });
      } else if (i % 3 === 1) {
        const v = await o.call(
          'scan.submit',
          { text: o.permit(`EX-${i}`, { nam: `Hết hạn ${i}` }, { exp: T0S - 3600 }) },
          g,
        );
        if (i % 4 !== 3) {
          await o.call('passage.override', { passageId: v.passageId!, reason: 'Cấp cứu, có giấy viện' }, g);
          overridden.push({ id: v.passageId!, decision: 'DENY' });
        }
      } else {
        await o.call('scan.submit', { text: o.permit(`OK-${i}`, { nam: `Hợp lệ ${i}` }) }, g);
      }
    }
    const s = await o.login('giamsat', PINS.supervisor);
    const newestFirst = (d?: string) =>
      overridden
        .filter((r) => !d || r.decision === d)
        .map((r) => r.id)
        .sort((a, b) => b - a);
    expect(newestFirst('DENY').length).toBeGreaterThan(1);
    expect(newestFirst('REVIEW').length).toBeGreaterThan(1);
    for (const decision of [undefined, 'DENY', 'REVIEW', 'ALLOW'] as const) {
      for (const limit of [1, 2, 3, 100]) {
        const seen: number[] = [];
        let before: { at: number; id: number } | undefined;
        for (let pages = 0; pages < 50; pages++) {
          const page = await o.call(
            'audit.search',
            { overridden: true, limit, ...(decision ? { decision } : {}), ...(before ? { before } : {}) },
            s,
          );
          expect(page.rows.length).toBeLessThanOrEqual(limit);
          seen.push(...idsOf(page.rows));
          if (!page.next) break;
          before = page.next;
        }
        expect(seen, `${decision} by ${limit}`).toEqual(newestFirst(decision));
      }
    }
  });
});

describe('a name within a time range', () => {
  let t: AuditKiosk;
  afterAll(async () => {
    await t?.close();
  });

  it('finds every passage of the range, where the kiosk clock was set back too', async () => {
    t = await startAuditKiosk();
    await t.call('shift.open', {}, await t.login('canbo', PINS.guard));
    // Logged in again each time: the clock's jumps outlast a session.
    const scan = async (cti: string, name: string) =>
      (
        await t.call(
          'scan.submit',
          { text: t.permit(cti, { nam: name }) },
          await t.login('canbo', PINS.guard),
        )
      ).passageId!;
    const day0 = t.clock.now;
    const a = await scan('A', 'Nguyễn Văn An');
    t.clock.now += 3_600_000;
    const b = await scan('B', 'Nguyễn Văn Anh');
    await scan('C', 'Trần Văn An');
    // The clock set back an hour and a half: a later record, an earlier time.
    t.clock.now -= 5_400_000;
    const c = await scan('D', 'Nguyễn Văn An');
    t.clock.now += 2 * 86_400_000;
    await scan('E', 'Nguyễn Văn An');
    const s = await t.login('giamsat', PINS.supervisor);
    const iso = (ms: number) => new Date(ms).toISOString();
    const within = async (from: number, to: number) =>
      idsOf((await t.call('audit.search', { name: 'nguyen van an', from: iso(from), to: iso(to) }, s)).rows);
    // Newest time first: B (+1 h), A (0), then D, set back to half an hour before A.
    expect(await within(day0 - 86_400_000, day0 + 86_400_000)).toEqual([b, a, c]);
    expect(await within(day0 - 3_600_000, day0 + 1)).toEqual([a, c]);
    expect(await within(day0 - 3_600_000, day0)).toEqual([c]);
    expect(await within(day0 + 3_600_001, day0 + 86_400_000)).toEqual([]);
    // One end only.
    const since = await t.call('audit.search', { name: 'nguyen van an', from: iso(day0) }, s);
    expect(since.rows).toHaveLength(3);
  });
});
