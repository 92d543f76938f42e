// The printable shift report (A4, Vietnamese first with English under the headings), drawn with PDFKit
// in the bundled Be Vietnam Pro: totals, flow by hour (chart and table), by direction, by vehicle type,
// reasons, the denials and the overrides with their reasons, the sealed chain head, and room for the
// guard's and the commander's signatures.
import PDFDocument from 'pdfkit';
import { registerVietnameseFonts, type TextStyle, textWidth, writeText } from '../base/pdf-fonts.js';
import type { AuditPassage } from '../contract/api-audit.js';
import { CHAIN_PROBLEM_TEXT, label, TABLE_TEXT, VEHICLE_TEXT } from '../contract/audit-words.js';
import { DECISION_TEXT, REASON_TEXT } from '../contract/reason-words.js';
import { formatVnDateTime, formatVnHour } from '../contract/time.js';
import { MAX_LISTED, type ShiftReportData } from './shift-report.js';

const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const LEFT = PAGE.margin;
const WIDTH = PAGE.width - 2 * PAGE.margin;
const BOTTOM = PAGE.height - PAGE.margin - 24;
const INK = '#111111';
/** Width of the label column of the shift's details. */
const LABEL_W = 185;
const GREY = '#666666';
const COLORS = { allowed: '#2e7d32', denied: '#c62828', review: '#b7791f' };

type Doc = InstanceType<typeof PDFDocument>;

interface Col {
  title: string;
  width: number;
  align?: 'left' | 'right';
}

class Writer {
  y = PAGE.margin;
  constructor(readonly doc: Doc) {}

  text(text: string, style: TextStyle, x: number, y: number, color = INK): void {
    this.doc.fillColor(color);
    writeText(this.doc as never, text, style, x, y, { lineBreak: false });
  }

  /** Cuts text to fit a width on one line, with an ellipsis. */
  fit(text: string, style: TextStyle, width: number): string {
    if (textWidth(this.doc as never, text, style) <= width) return text;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (textWidth(this.doc as never, `${text.slice(0, mid)}…`, style) <= width) lo = mid;
      else hi = mid - 1;
    }
    return `${text.slice(0, lo)}…`;
  }

  /** Word-wraps text into lines no wider than width (whole words; a single long word is cut). */
  wrap(text: string, style: TextStyle, width: number): string[] {
    const lines: string[] = [];
    for (const para of text.split(/\r?\n/)) {
      let line = '';
      for (const word of para.split(/\s+/).filter(Boolean)) {
        const next = line ? `${line} ${word}` : word;
        if (textWidth(this.doc as never, next, style) <= width) line = next;
        else {
          if (line) lines.push(line);
          line = this.fit(word, style, width);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /** Gives the event loop back, the page drawn so far compacted. */
  async pause(): Promise<void> {
    compactPage(this.doc);
    await yieldToScans();
  }

  ensure(height: number): boolean {
    if (this.y + height <= BOTTOM) return false;
    compactPage(this.doc);
    this.doc.addPage();
    this.y = PAGE.margin;
    return true;
  }

  heading(vi: string, en: string): void {
    this.ensure(60);
    this.y += 10;
    this.text(vi, { size: 12, weight: 700 }, LEFT, this.y);
    this.text(
      en,
      { size: 8 },
      LEFT + textWidth(this.doc as never, vi, { size: 12, weight: 700 }) + 8,
      this.y + 3.5,
      GREY,
    );
    this.y += 18;
    this.doc
      .moveTo(LEFT, this.y - 3)
      .lineTo(LEFT + WIDTH, this.y - 3)
      .lineWidth(0.5)
      .strokeColor('#999999')
      .stroke();
  }

  async table(cols: Col[], rows: string[][], size = 8.5): Promise<void> {
    const style = { size };
    const head = { size: 7.5, weight: 700 as const };
    const lineH = size + 5;
    const drawHead = () => {
      let x = LEFT;
      this.doc.rect(LEFT, this.y - 2, WIDTH, lineH + 1).fill('#eeeeee');
      for (const c of cols) {
        const t = this.fit(c.title, head, c.width - 4);
        const w = textWidth(this.doc as never, t, head);
        this.text(t, head, c.align === 'right' ? x + c.width - 4 - w : x + 2, this.y + 1);
        x += c.width;
      }
      this.y += lineH + 2;
    };
    this.ensure(lineH * 3);
    drawHead();
    for (const [i, row] of rows.entries()) {
      // PDFKit is synchronous: hand the event loop back now and then so that scans never wait long.
      if (i % 25 === 24) await this.pause();
      if (this.ensure(lineH)) drawHead();
      let x = LEFT;
      row.forEach((cell, i) => {
        const c = cols[i]!;
        const t = this.fit(cell, style, c.width - 4);
        const w = textWidth(this.doc as never, t, style);
        this.text(t, style, c.align === 'right' ? x + c.width - 4 - w : x + 2, this.y);
        x += c.width;
      });
      this.y += lineH;
    }
    this.y += 4;
  }
}

const yieldToScans = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * PDFKit holds each operator of a buffered page as its own small array until the document ends: a
 * Vietnamese line is cut into several font runs of several operators each, so a long report held
 * hundreds of thousands of them (over 256 MB of heap for 300 long override reasons). The operators
 * drawn since the last call are joined into one block (the blocks before it are not copied again);
 * what is drawn later, the footer, follows them.
 * `content.buffer` is PDFKit's own (0.20): were it renamed, the largest-report test runs out of heap.
 */
function compactPage(doc: Doc): void {
  const content = (doc.page as unknown as { content?: { buffer?: unknown } }).content;
  if (!content || !Array.isArray(content.buffer)) return;
  const parts = content.buffer as Uint8Array[];
  const joined = blocks.get(content) ?? 0;
  if (parts.length - joined < 2) return;
  parts.splice(joined, parts.length - joined, Buffer.concat(parts.slice(joined)));
  blocks.set(content, joined + 1);
}

/** How many leading blocks of a page's content are already joined. */
const blocks = new WeakMap<object, number>();

function pct(cols: [string, number, ('left' | 'right')?][]): Col[] {
  return cols.map(([title, share, align]) => ({ title, width: WIDTH * share, ...(align ? { align } : {}) }));
}

function header(w: Writer, r: ShiftReportData): void {
  const cp = r.checkpoint;
  w.text('BÁO CÁO CA TRỰC', { size: 18, weight: 700 }, LEFT, w.y);
  w.text('Shift report', { size: 9 }, LEFT, w.y + 22, GREY);
  const shiftNo = `Ca số ${r.shift.id}`;
  w.text(
    shiftNo,
    { size: 14, weight: 700 },
    LEFT + WIDTH - textWidth(w.doc as never, shiftNo, { size: 14, weight: 700 }),
    w.y + 2,
  );
  w.y += 38;
  const place = [cp.name ?? cp.id, cp.areaName ?? cp.district].filter(Boolean).join(' — ');
  w.text(
    w.fit(`${place} (${cp.id})`, { size: 11, weight: 700 }, WIDTH),
    { size: 11, weight: 700 },
    LEFT,
    w.y,
  );
  w.y += 20;
  const s = r.shift;
  const info: [string, string][] = [
    ['Cán bộ trực / Guard', s.guard],
    ['Làn / Lane', s.lane],
    ['Bắt đầu / Opened', formatVnDateTime(Date.parse(s.openedAt))],
    [
      'Kết thúc / Closed',
      s.closedAt
        ? `${formatVnDateTime(Date.parse(s.closedAt))}${s.closedBy ? ` (${s.closedBy})` : ''}`
        : 'Đang mở / still open',
    ],
    [
      'Ký xác nhận / Signed off',
      s.signedAt ? `${s.signedBy ?? ''}, ${formatVnDateTime(Date.parse(s.signedAt))}` : 'Chưa ký / not yet',
    ],
  ];
  for (const [k, v] of info) {
    w.text(k, { size: 9 }, LEFT, w.y, GREY);
    w.text(w.fit(v, { size: 10 }, WIDTH - LABEL_W), { size: 10 }, LEFT + LABEL_W, w.y - 0.5);
    w.y += 15;
  }
  if (s.handoverNotes) {
    w.text('Ghi chú bàn giao / Handover notes', { size: 9 }, LEFT, w.y, GREY);
    for (const line of w.wrap(s.handoverNotes, { size: 10 }, WIDTH - LABEL_W).slice(0, 8)) {
      w.text(line, { size: 10 }, LEFT + LABEL_W, w.y - 0.5);
      w.y += 13;
    }
    w.y += 2;
  }
}

function totals(w: Writer, r: ShiftReportData): void {
  const c = r.shift.counts;
  const boxes: [string, string, number, string][] = [
    ['Tổng lượt', 'Passages', c.allowed + c.denied + c.review, INK],
    ['Cho qua', 'Allowed', c.allowed, COLORS.allowed],
    ['Không cho qua', 'Denied', c.denied, COLORS.denied],
    ['Cần kiểm tra', 'Check', c.review, COLORS.review],
    ['Cho qua thủ công', 'Overridden', c.overridden, INK],
    ['Số người', 'People', c.people, INK],
    // Not passages: a damaged or foreign code, shown to the guard and re-scanned.
    ['Mã không đọc được', 'Unreadable', r.unreadable, GREY],
  ];
  w.heading('Tổng hợp', 'Totals');
  const bw = WIDTH / boxes.length;
  boxes.forEach(([vi, en, n, color], i) => {
    const x = LEFT + i * bw;
    w.doc
      .rect(x + 2, w.y, bw - 4, 46)
      .lineWidth(0.6)
      .strokeColor('#bbbbbb')
      .stroke();
    w.text(String(n), { size: 16, weight: 700 }, x + 8, w.y + 5, color);
    w.text(w.fit(vi, { size: 8, weight: 700 }, bw - 14), { size: 8, weight: 700 }, x + 8, w.y + 26);
    w.text(en, { size: 7 }, x + 8, w.y + 36, GREY);
  });
  w.y += 54;
}

async function hourChart(w: Writer, r: ShiftReportData): Promise<void> {
  const hours = r.byHour;
  w.heading('Lưu lượng theo giờ', 'Flow by hour');
  w.ensure(130);
  const h = 90;
  const top = w.y;
  const max = Math.max(1, ...hours.map((x) => total(x.in) + total(x.out)));
  const bw = Math.min(28, (WIDTH - 30) / Math.max(1, hours.length));
  hours.forEach((hour, i) => {
    const x = LEFT + 30 + i * bw;
    let base = top + h;
    for (const k of ['allowed', 'denied', 'review'] as const) {
      const n = hour.in[k] + hour.out[k];
      const bh = (n / max) * h;
      if (bh > 0) w.doc.rect(x + 1, base - bh, bw - 2, bh).fill(COLORS[k]);
      base -= bh;
    }
    if (hours.length <= 24 || i % 2 === 0)
      w.text(formatVnHour(Date.parse(hour.hour)).slice(0, 2), { size: 6.5 }, x + 1, top + h + 3, GREY);
  });
  w.text(String(max), { size: 7 }, LEFT, top - 2, GREY);
  w.text('0', { size: 7 }, LEFT, top + h - 8, GREY);
  w.y = top + h + 14;
  let x = LEFT + 30;
  for (const [k, vi, en] of [
    ['allowed', 'Cho qua', 'allowed'],
    ['denied', 'Không cho qua', 'denied'],
    ['review', 'Cần kiểm tra', 'check'],
  ] as const) {
    w.doc.rect(x, w.y + 1, 8, 8).fill(COLORS[k]);
    const t = `${vi} / ${en}`;
    w.text(t, { size: 8 }, x + 11, w.y);
    x += textWidth(w.doc as never, t, { size: 8 }) + 26;
  }
  w.y += 16;
  const rows = hours
    .filter((x) => total(x.in) + total(x.out) > 0)
    .map((x) => [
      `${formatVnHour(Date.parse(x.hour))}`,
      String(x.in.allowed),
      String(x.in.denied),
      String(x.in.review),
      String(x.out.allowed),
      String(x.out.denied),
      String(x.out.review),
      String(x.in.overridden + x.out.overridden),
      String(total(x.in) + total(x.out)),
    ]);
  await w.table(
    pct([
      ['Giờ / Hour', 0.12],
      ['Vào: qua', 0.11, 'right'],
      ['Vào: không', 0.11, 'right'],
      ['Vào: k.tra', 0.11, 'right'],
      ['Ra: qua', 0.11, 'right'],
      ['Ra: không', 0.11, 'right'],
      ['Ra: k.tra', 0.11, 'right'],
      ['Thủ công', 0.11, 'right'],
      ['Tổng / Total', 0.11, 'right'],
    ]),
    rows,
  );
}

function total(d: { allowed: number; denied: number; review: number }): number {
  return d.allowed + d.denied + d.review;
}

async function breakdowns(w: Writer, r: ShiftReportData): Promise<void> {
  w.heading('Theo hướng và loại phương tiện', 'By direction and vehicle type');
  const d = r.byDirection;
  await w.table(
    pct([
      ['Hướng / Direction', 0.28],
      ['Cho qua / Allowed', 0.18, 'right'],
      ['Không / Denied', 0.18, 'right'],
      ['Kiểm tra / Check', 0.18, 'right'],
      ['Thủ công / Overr.', 0.18, 'right'],
    ]),
    [
      ['Vào / In', String(d.in.allowed), String(d.in.denied), String(d.in.review), String(d.in.overridden)],
      [
        'Ra / Out',
        String(d.out.allowed),
        String(d.out.denied),
        String(d.out.review),
        String(d.out.overridden),
      ],
    ],
  );
  await w.table(
    pct([
      ['Loại phương tiện / Vehicle', 0.5],
      ['Số lượt / Passages', 0.5, 'right'],
    ]),
    r.byVehicle.map((v) => [
      `${label(VEHICLE_TEXT, v.type, 'vi')} / ${label(VEHICLE_TEXT, v.type, 'en')}`,
      String(v.n),
    ]),
  );
  if (r.byReason.length > 0) {
    w.heading('Lý do', 'Reasons');
    await w.table(
      pct([
        ['Lý do / Reason', 0.8],
        ['Số lượt', 0.2, 'right'],
      ]),
      r.byReason.map((x) => [`${REASON_TEXT[x.reason].vi} / ${REASON_TEXT[x.reason].en}`, String(x.n)]),
    );
  }
}

/** Lines of an override's reason in the PDF (2,000 characters would be about 22). */
const REASON_LINES = 8;
const REASON_CUT = '… (còn tiếp, xem bản CSV / continued in the CSV)';

function who(p: AuditPassage): string {
  return p.holderName ?? (p.purged ? '(đã xoá / purged)' : '—');
}

async function lists(w: Writer, r: ShiftReportData): Promise<void> {
  w.heading('Các lượt không cho qua', 'Denials');
  if (r.denials.length === 0) {
    w.text('Không có / None', { size: 9 }, LEFT, w.y, GREY);
    w.y += 16;
  } else {
    await w.table(
      pct([
        ['Giờ', 0.11],
        ['Họ tên / Name', 0.25],
        ['Số giấy / Permit', 0.18],
        ['Hướng', 0.07],
        ['Lý do / Reasons', 0.39],
      ]),
      r.denials.map((p) => [
        formatVnDateTime(Date.parse(p.at)).slice(11),
        who(p),
        p.cti ?? '—',
        p.direction === 'in' ? 'Vào' : 'Ra',
        p.reasons.map((x) => REASON_TEXT[x].vi).join('; '),
      ]),
    );
    if (r.denialsTotal > r.denials.length) {
      w.text(
        `… và ${r.denialsTotal - r.denials.length} lượt khác (xem bản CSV) / and ${r.denialsTotal - r.denials.length} more (see the CSV)`,
        { size: 8 },
        LEFT,
        w.y,
        GREY,
      );
      w.y += 14;
    }
  }
  w.heading('Các lượt cho qua thủ công', 'Overrides');
  if (r.overrides.length === 0) {
    w.text('Không có / None', { size: 9 }, LEFT, w.y, GREY);
    w.y += 16;
    return;
  }
  for (const [i, p] of r.overrides.entries()) {
    // A reason may run to 2,000 characters, thousands of operators: the page is compacted at each one.
    if (i % 10 === 9) await w.pause();
    else compactPage(w.doc);
    const reason = p.override?.reason ?? '';
    const lines = w.wrap(`Lý do cho qua / Reason: ${reason}`, { size: 9 }, WIDTH - 12);
    // As the handover notes: a reason longer than a paragraph is cut here, and is whole in the CSV.
    if (lines.length > REASON_LINES) lines.splice(REASON_LINES - 1, Infinity, REASON_CUT);
    w.ensure(30 + lines.length * 12);
    const head = `${formatVnDateTime(Date.parse(p.at)).slice(11)}  ${who(p)}  —  ${DECISION_TEXT[p.decision].vi}: ${p.reasons
      .map((x) => REASON_TEXT[x].vi)
      .join('; ')}`;
    w.text(w.fit(head, { size: 9, weight: 700 }, WIDTH), { size: 9, weight: 700 }, LEFT, w.y);
    w.y += 13;
    for (const line of lines) {
      w.text(line, { size: 9 }, LEFT + 12, w.y);
      w.y += 12;
    }
    w.text(
      `Người cho qua / By: ${p.override?.by ?? '—'}, ${p.override ? formatVnDateTime(Date.parse(p.override.at)) : ''}`,
      { size: 8 },
      LEFT + 12,
      w.y,
      GREY,
    );
    w.y += 15;
  }
  if (r.overrides.length >= MAX_LISTED) {
    w.text('… (xem bản CSV / see the CSV)', { size: 8 }, LEFT, w.y, GREY);
    w.y += 14;
  }
}

function integrity(w: Writer, r: ShiftReportData): void {
  w.heading('Tính toàn vẹn của sổ', 'Log integrity');
  w.ensure(60);
  const c = r.chain;
  const hash = r.shift.closeHash ?? c.head?.hash ?? '—';
  w.text('Mã niêm phong (hash cuối ca) / Chain head sealed at close:', { size: 9 }, LEFT, w.y, GREY);
  w.y += 13;
  w.text(hash, { size: 9, weight: 700 }, LEFT, w.y);
  w.y += 15;
  const range = `Dòng ${c.fromSeq}–${c.toSeq ?? c.head?.seq ?? '?'} của chuỗi, ${c.checked} dòng đã kiểm tra / chain rows ${c.fromSeq}–${c.toSeq ?? c.head?.seq ?? '?'}, ${c.checked} checked`;
  w.text(w.fit(range, { size: 9 }, WIDTH), { size: 9 }, LEFT, w.y, GREY);
  w.y += 14;
  if (c.ok) {
    w.text(
      'NGUYÊN VẸN: không dòng nào bị sửa hay xoá / INTACT: no row edited or deleted',
      { size: 10, weight: 700 },
      LEFT,
      w.y,
      COLORS.allowed,
    );
  } else if (c.broken) {
    const b = c.broken;
    w.text(
      w.fit(
        `BỊ SỬA: ${TABLE_TEXT[b.table].vi} số ${b.id} ${label(CHAIN_PROBLEM_TEXT, b.problem, 'vi')} / TAMPERED: ${TABLE_TEXT[b.table].en} ${b.id}`,
        { size: 10, weight: 700 },
        WIDTH,
      ),
      { size: 10, weight: 700 },
      LEFT,
      w.y,
      COLORS.denied,
    );
  }
  w.y += 18;
}

function signatures(w: Writer, r: ShiftReportData): void {
  w.ensure(150);
  w.y += 16;
  const half = WIDTH / 2;
  const boxes: [string, string, string | null][] = [
    ['CÁN BỘ TRỰC CA', 'Guard on duty', r.shift.guard],
    ['CHỈ HUY CHỐT / NGƯỜI KIỂM TRA', 'Commander / supervisor', r.shift.signedBy],
  ];
  boxes.forEach(([vi, en, name], i) => {
    const x = LEFT + i * half;
    const center = (t: string, style: TextStyle, y: number, color = INK) =>
      w.text(t, style, x + (half - textWidth(w.doc as never, t, style)) / 2, y, color);
    center(vi, { size: 10, weight: 700 }, w.y);
    center(en, { size: 8 }, w.y + 13, GREY);
    center('(Ký, ghi rõ họ tên / signature and full name)', { size: 8 }, w.y + 24, GREY);
    if (name) center(name, { size: 10 }, w.y + 100);
  });
  w.y += 120;
}

function footer(doc: Doc, r: ShiftReportData): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The footer sits in the bottom margin: without this PDFKit would start a new page for it.
    doc.page.margins.bottom = 0;
    const t = `Lập lúc / generated ${formatVnDateTime(r.generatedAtMs)} · ${r.checkpoint.id} · Ca số ${r.shift.id} · Trang ${i + 1}/${range.count}`;
    doc.fillColor(GREY);
    writeText(doc as never, t, { size: 7.5 }, LEFT, PAGE.height - PAGE.margin + 8, { lineBreak: false });
  }
}

/** Renders the report to PDF bytes. */
export async function renderShiftReportPdf(r: ShiftReportData): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    bufferPages: true,
    info: {
      Title: `Báo cáo ca trực số ${r.shift.id} — ${r.checkpoint.id}`,
      Author: 'checkpoint-kiosk',
      Subject: 'Shift report',
    },
  });
  registerVietnameseFonts(doc as never);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const w = new Writer(doc);
  header(w, r);
  totals(w, r);
  await hourChart(w, r);
  await breakdowns(w, r);
  await lists(w, r);
  integrity(w, r);
  signatures(w, r);
  footer(doc, r);
  doc.end();
  return done;
}
