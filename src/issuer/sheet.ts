// The printable A4 sheet of one permit, in Vietnamese with English beneath: what the holder carries
// (on paper or as a PDF on a phone) and what a guard reads when the scanner is down.
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import {
  registerVietnameseFonts,
  type TextStyle,
  textWidth,
  writeLine,
  writeText,
} from '../base/pdf-fonts.js';
import { areaLabel } from '../contract/areas.js';
import type { PermitToIssue } from '../formats/vnp1-issue.js';
import { maskIdNumber } from '../lane/permit-view.js';
import {
  formatVnDate,
  formatVnDateTime,
  PURPOSE_VI,
  type Purpose,
  VEHICLE_VI,
  type VehicleType,
} from './fields.js';

export interface SheetInput {
  claims: PermitToIssue;
  /** The VNP1 text drawn as the QR code. */
  text: string;
  /** hex SHA-256 of iss/cti: printed so a supervisor can look the permit up or revoke it. */
  hash: string;
  issuerName: string;
}

const MM = 72 / 25.4;
/** 70 mm: a phone camera and a hand scanner both read a module of about 1 mm from paper or screen. */
export const QR_SIDE_MM = 70;
const PAGE_W = 595.28;
const MARGIN = 48;
const INK = '#111111';
const GREY = '#555555';
const RULE = '#bbbbbb';

type Doc = PDFKit.PDFDocument;

interface Layout {
  qrSide: number;
  label: number;
  value: number;
  strong: number;
  pad: number;
}
const ROOMY: Layout = { qrSide: QR_SIDE_MM * MM, label: 10.5, value: 11.5, strong: 13, pad: 5 };
/** For permits with long lists of areas or routes: still one page, the QR still ≥ 60 mm. */
const COMPACT: Layout = { qrSide: 60 * MM, label: 9.5, value: 10, strong: 11.5, pad: 3 };

/** Renders the sheet on one A4 page; resolves to the PDF bytes. Deterministic for the same input. */
export async function renderPermitSheet(input: SheetInput): Promise<Buffer> {
  const roomy = await render(input, ROOMY);
  return roomy.pages === 1 ? roomy.pdf : (await render(input, COMPACT)).pdf;
}

function render(input: SheetInput, layout: Layout): Promise<{ pdf: Buffer; pages: number }> {
  const { claims } = input;
  const issued = new Date(claims.iat * 1000);
  const doc = new PDFDocument({
    size: 'A4',
    bufferPages: true,
    margins: { top: MARGIN, bottom: 20, left: MARGIN, right: MARGIN },
    info: {
      Title: `Giấy đi đường ${claims.cti} – ${claims.permit.nam}`,
      Author: input.issuerName,
      Subject: 'Giấy đi đường VNP1 / VNP1 travel permit',
      Producer: 'checkpoint-kiosk',
      Creator: 'checkpoint-kiosk',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const chunks: Buffer[] = [];
  registerVietnameseFonts(doc);
  drawHeader(doc, input);
  const qrBottom = drawQr(doc, input.text, 176, layout.qrSide);
  drawFields(doc, input, qrBottom + 14, layout);
  drawFooter(doc, input);
  const pages = doc.bufferedPageRange().count;
  return new Promise((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve({ pdf: Buffer.concat(chunks), pages }));
    doc.on('error', reject);
    doc.end();
  });
}

function centered(doc: Doc, text: string, y: number, style: TextStyle, color = INK): void {
  doc.fillColor(color);
  writeLine(doc, text, style, MARGIN, y, { width: PAGE_W - 2 * MARGIN, align: 'center' });
}

function drawHeader(doc: Doc, input: SheetInput): void {
  const leftW = 230;
  const rightW = 270;
  const rightX = PAGE_W - MARGIN - rightW;
  doc.fillColor(INK);
  const issuer = input.issuerName.toLocaleUpperCase('vi');
  writeLine(doc, issuer, { size: 10, weight: 700 }, MARGIN, MARGIN, { width: leftW, align: 'center' });
  writeLine(doc, `Số / No.: ${input.claims.cti}`, { size: 9 }, MARGIN, MARGIN + 16, {
    width: leftW,
    align: 'center',
  });
  writeLine(doc, 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { size: 10, weight: 700 }, rightX, MARGIN, {
    width: rightW,
    align: 'center',
  });
  writeLine(doc, 'Độc lập – Tự do – Hạnh phúc', { size: 10, weight: 700 }, rightX, MARGIN + 15, {
    width: rightW,
    align: 'center',
  });
  const underline = MARGIN + 31;
  doc
    .moveTo(rightX + 70, underline)
    .lineTo(rightX + rightW - 70, underline)
    .lineWidth(0.8)
    .strokeColor(INK)
    .stroke();

  const goods = input.claims.permit.k === 'goods';
  centered(doc, goods ? 'GIẤY ĐI ĐƯỜNG – LUỒNG XANH' : 'GIẤY ĐI ĐƯỜNG', 112, { size: 26, weight: 700 });
  centered(
    doc,
    goods ? 'Travel permit – goods vehicle (green lane)' : 'Travel permit',
    146,
    { size: 11 },
    GREY,
  );
}

/** Draws the QR code as vector squares (crisp at any zoom or printer); returns its bottom edge. */
function drawQr(doc: Doc, text: string, top: number, side: number): number {
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const cell = side / (n + 2 * quiet);
  const x0 = (PAGE_W - side) / 2;
  for (let row = 0; row < n; row++) {
    let col = 0;
    while (col < n) {
      if (!qr.modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && qr.modules.get(row, col)) col++;
      // A hair of overlap so no white seam shows between adjacent squares when rasterised.
      doc.rect(
        x0 + (quiet + start) * cell,
        top + (quiet + row) * cell,
        (col - start) * cell + 0.05,
        cell + 0.05,
      );
    }
  }
  doc.fill('#000000');
  centered(
    doc,
    'Xuất trình mã này tại chốt kiểm soát · Show this code at the checkpoint',
    top + side + 2,
    { size: 9 },
    GREY,
  );
  return top + side + 14;
}

interface Row {
  vi: string;
  en: string;
  value: string;
  strong?: boolean;
}

function rows(input: SheetInput): Row[] {
  const { claims } = input;
  const p = claims.permit;
  const out: Row[] = [{ vi: 'Họ và tên', en: 'Name', value: p.nam, strong: true }];
  if (p.dob !== undefined) out.push({ vi: 'Ngày sinh', en: 'Born', value: formatVnDate(p.dob) });
  out.push({ vi: 'Số CCCD/CMND', en: 'ID no.', value: maskIdNumber(p.idn) });
  if (p.home !== undefined) out.push({ vi: 'Nơi ở', en: 'Residence', value: areaLabel(p.home) });
  if (p.org !== undefined) out.push({ vi: 'Cơ quan', en: 'Employer', value: p.org });
  out.push({ vi: 'Mục đích', en: 'Purpose', value: PURPOSE_VI[p.pur as Purpose] ?? p.pur, strong: true });
  out.push({ vi: 'Được đến', en: 'Areas', value: p.areas.map(areaLabel).join('; ') });
  if (p.route !== undefined) out.push({ vi: 'Lộ trình', en: 'Route', value: p.route });
  if (p.veh !== undefined) {
    const type = VEHICLE_VI[p.veh.type as VehicleType] ?? p.veh.type;
    out.push({ vi: 'Phương tiện', en: 'Vehicle', value: `${type}, biển số ${p.veh.plate}` });
  }
  if (p.hours !== undefined) {
    // A window that wraps midnight says so: "22:00 – 05:00" alone reads as a mistake.
    const overnight = p.hours[1] <= p.hours[0] ? ' hôm sau' : '';
    out.push({ vi: 'Khung giờ', en: 'Hours', value: `${p.hours[0]} – ${p.hours[1]}${overnight}, hằng ngày` });
  }
  const from = formatVnDateTime(claims.nbf ?? claims.iat);
  const to = formatVnDateTime(claims.exp);
  out.push({ vi: 'Hiệu lực', en: 'Valid', value: `từ ${from} đến ${to}`, strong: true });
  out.push({ vi: 'Đơn vị cấp', en: 'Issuer', value: `${input.issuerName} (${claims.iss})` });
  out.push({ vi: 'Ngày cấp', en: 'Issued', value: formatVnDateTime(claims.iat) });
  return out;
}

function drawFields(doc: Doc, input: SheetInput, top: number, layout: Layout): void {
  const labelX = MARGIN + 6;
  const labelW = 150;
  const valueX = labelX + labelW + 8;
  const valueW = PAGE_W - MARGIN - 6 - valueX;
  let y = top;
  const rule = (at: number) =>
    doc
      .moveTo(MARGIN, at)
      .lineTo(PAGE_W - MARGIN, at)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
  rule(y);
  for (const row of rows(input)) {
    y += layout.pad + 1;
    const labelStyle: TextStyle = { size: layout.label, weight: 700 };
    doc.fillColor(INK);
    writeLine(doc, row.vi, labelStyle, labelX, y + 1, { width: labelW });
    doc.fillColor(GREY);
    const viW = Math.min(labelW, textWidth(doc, row.vi, labelStyle));
    writeLine(doc, ` · ${row.en}`, { size: layout.label - 2 }, labelX + viW, y + 2.5, {
      width: labelW - viW,
    });
    doc.fillColor(INK);
    const size = row.strong ? layout.strong : layout.value;
    writeText(doc, row.value, { size, weight: row.strong ? 700 : 400 }, valueX, y, { width: valueW });
    y = Math.max(y + layout.label * 1.3, doc.y) + layout.pad;
    rule(y);
  }
}

function drawFooter(doc: Doc, input: SheetInput): void {
  const y = 841.89 - 70;
  centered(
    doc,
    'Giấy chỉ có giá trị khi mã QR được xác thực tại chốt kiểm soát; in đen trắng được.',
    y,
    { size: 8.5 },
    GREY,
  );
  centered(
    doc,
    'Valid only when its QR code verifies at a checkpoint; black-and-white printing is fine.',
    y + 12,
    { size: 8.5 },
    GREY,
  );
  centered(doc, `Mã tra cứu / Lookup code: ${input.hash.slice(0, 16)}`, y + 24, { size: 8.5 }, GREY);
}
