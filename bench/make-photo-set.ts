// Makes the QR photo set (test/fixtures/photos/): permits printed on the issuer's A4 sheet (rendered by
// pdftoppm) or shown on a phone, photographed by the simulated camera (test/fixtures/camera-sim.ts) in
// the ways a lane sees them: tilted, blurred, shaken, over-compressed, with glare, curled, at night,
// faded, and on dark-mode screens. Seeded: a second run writes the same bytes. Run it once and commit
// its output; the tests and the bench only read the photos and manifest.json.
//
//   node --import tsx bench/make-photo-set.ts [out-folder [salt]]

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { seededRandom } from '../src/base/prng.js';
import type { PermitToIssue } from '../src/formats/vnp1-issue.js';
import {
  expose,
  GOOD_SENSOR,
  gaussianBlur,
  glare,
  motionBlur,
  toJpeg,
} from '../test/fixtures/camera-effects.js';
import {
  BRIGHT_ROOM,
  imageSurface,
  type Light,
  type Pose,
  photograph,
  type Surface,
} from '../test/fixtures/camera-sim.js';
import { SHEET_DPI, sheetOf } from '../test/fixtures/permit-sheet.js';
import { fixedPermit, permitClaims } from '../test/fixtures/permits.js';

const OUT = process.argv[2] ?? new URL('../test/fixtures/photos/', import.meta.url).pathname;
/** Another salt makes another set of the same kinds (to tune a decoder on photos it is not judged by). */
const SALT = process.argv[3] ?? '';

/** Permits of every size: a short one, typical ones, crowded ones (more modules, smaller). */
function permits(): { claims: PermitToIssue; text: string }[] {
  const bodies: Parameters<typeof permitClaims>[1][] = [
    {},
    { nam: 'Lê Văn Tám', home: undefined, areas: ['01-009'] },
    { nam: 'Trần Thị Mai Anh', pur: 'medical', areas: ['01-009', '01-006', '01-005'] },
    { k: 'goods', pur: 'goods', nam: 'Phạm Quốc Hùng', veh: { plate: '29C-123.45', type: 'truck' } },
    { nam: 'Đỗ Minh Châu', org: 'Bệnh viện Bạch Mai', pur: 'medical', hours: ['06:00', '22:00'] },
    {
      nam: 'Tôn Nữ Thị Phương Thảo',
      dob: '1990-12-31',
      org: 'Công ty TNHH Vận tải và Thương mại Dịch vụ Hàng hoá Thiết yếu Đồng Xuân',
      route: 'Nguyễn Trãi – Trường Chinh – Giải Phóng – Vành đai 3 – cầu Thanh Trì – Quốc lộ 5',
      areas: ['01-009', '01-006', '01-005', '01-004', '01-008'],
      veh: { plate: '30H-678.90', type: 'car' },
      hours: ['22:00', '05:00'],
    },
    { nam: 'Vũ Đức Long', pur: 'work', areas: ['01-001', '01-002'], dob: '1978-03-08' },
    { nam: 'Ngô Thị Lan', pur: 'essential', route: 'Khuất Duy Tiến – Lê Văn Lương' },
  ];
  return bodies.map((body, i) => {
    const claims = permitClaims({ cti: `PH-2021-${String(i + 1).padStart(6, '0')}` }, body);
    return { claims, text: fixedPermit(claims, `photo set permit ${i + 1}`) };
  });
}

/**
 * A phone showing the permit's QR code: dark mode draws it light on dark, light mode on a white card.
 * Without the code: the same screen before the permit is opened.
 */
function phoneOf(text: string, dark: boolean, withCode = true): Surface {
  const qr = QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const body = { w: 72, h: 152 };
  const screen = { x: 3, y: 9, w: 66, h: 134 };
  const pxPerMm = 15; // ≈ 380 ppi
  const side = 52; // the modules, without the quiet zone
  const qx = body.w / 2 - side / 2;
  const qy = 48;
  const card = 4; // the white card's margin around the code in light mode
  const [bg, fg] = dark ? [0.07, 0.88] : [0.95, 0.05];
  return {
    widthMm: body.w,
    heightMm: body.h,
    emissive: true,
    qr: { u: body.w / 2, v: qy + side / 2, side },
    sample: (u, v) => {
      const sx = u - screen.x;
      const sy = v - screen.y;
      if (sx < 0 || sy < 0 || sx >= screen.w || sy >= screen.h) return 0.02; // black glass around it
      // The screen's pixel grid: a thin dark gap between pixels, which a camera turns into moiré.
      const gx = (sx * pxPerMm) % 1;
      const gy = (sy * pxPerMm) % 1;
      const grid = gx > 0.85 || gy > 0.85 ? 0.55 : 1;
      let value = bg;
      if (sy > 6 && sy < 14 && sx > 8 && sx < 50) value = dark ? 0.75 : 0.2; // the app's title
      if (sy > 106 && sy < 110 && sx > 8 && sx < 58) value = dark ? 0.5 : 0.45; // a line of text
      const col = Math.floor(((u - qx) / side) * n);
      const row = Math.floor(((v - qy) / side) * n);
      const inCard = u > qx - card && u < qx + side + card && v > qy - card && v < qy + side + card;
      if (!dark && inCard) value = 1;
      const module = col >= 0 && row >= 0 && col < n && row < n && qr.modules.get(row, col) === 1;
      if (withCode && module) value = fg;
      return value * grid;
    },
  };
}

interface Shot {
  kind: string;
  /** `…-no-code`: the same things with no code in view, which must read as nothing. */
  source: 'sheet' | 'dark-screen' | 'light-screen' | 'sheet-no-code' | 'screen-no-code';
  size: [number, number];
  pose: Partial<Pose>;
  light?: Partial<Light>;
  print?: { ink: number; paper: number };
  blur?: number;
  motion?: [number, number];
  glare?: Parameters<typeof glare>[1];
  exposure?: number;
  gamma?: number;
  quality: number;
  tint?: [number, number, number];
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const STILL: [number, number] = [960, 720];
const WEBCAM: [number, number] = [640, 480];

/** The set: per kind, a ramp from mild to harsh, each shot jittered by its own seed. */
function shots(): Shot[] {
  const out: Shot[] = [];
  const ramp = (kind: string, n: number, make: (t: number, r: () => number) => Omit<Shot, 'kind'>) => {
    for (let i = 0; i < n; i++) {
      const r = seededRandom(hash32(`${SALT}${kind} ${i}`));
      out.push({ kind, ...make(n === 1 ? 0 : i / (n - 1), r) });
    }
  };
  const side = (r: () => number) => (r() < 0.5 ? -1 : 1);
  ramp('tilt', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: {
      yaw: side(r) * lerp(30, 58, t),
      pitch: side(r) * lerp(10, 40, r()),
      roll: lerp(-40, 40, r()),
      qrPx: lerp(360, 260, t),
    },
    quality: 72,
  }));
  ramp('blur', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { yaw: lerp(-15, 15, r()), roll: lerp(-30, 30, r()), qrPx: 360 },
    blur: lerp(1.2, 3.4, t),
    quality: 72,
  }));
  ramp('motion', 5, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { pitch: lerp(-15, 15, r()), roll: lerp(-20, 20, r()), qrPx: 340 },
    motion: [lerp(3, 11, t), lerp(0, 180, r())],
    quality: 72,
  }));
  ramp('jpeg', 5, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { yaw: lerp(-20, 20, r()), roll: lerp(-45, 45, r()), qrPx: lerp(260, 200, t) },
    blur: 0.8,
    quality: Math.round(lerp(18, 4, t)),
  }));
  ramp('glare', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { yaw: lerp(-25, 25, r()), pitch: lerp(-20, 20, r()), roll: lerp(-30, 30, r()), qrPx: 340 },
    glare: {
      x: 0.5 + lerp(-0.12, 0.12, r()),
      y: 0.5 + lerp(-0.12, 0.12, r()),
      rx: lerp(0.08, 0.2, t),
      ry: lerp(0.05, 0.12, t),
      angle: lerp(0, 180, r()),
      strength: lerp(0.5, 1.2, t),
    },
    quality: 72,
  }));
  ramp('curl', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: {
      yaw: lerp(-30, 30, r()),
      pitch: lerp(-30, 30, r()),
      roll: lerp(-30, 30, r()),
      qrPx: 330,
      curl: side(r) * lerp(220, 70, t),
      curlAxis: r() < 0.5 ? 'u' : 'v',
      curlAt: lerp(-30, 30, r()),
    },
    light: { dir: [lerp(-0.6, 0.6, r()), 0.5, 0.7] },
    quality: 72,
  }));
  ramp('low-light', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { yaw: lerp(-20, 20, r()), roll: lerp(-30, 30, r()), qrPx: 320 },
    light: { spot: { x: lerp(0.2, 0.8, r()), y: lerp(0.2, 0.8, r()), radius: 0.25, gain: 1.5 } },
    exposure: lerp(0.08, 0.012, t),
    gamma: 0.7,
    blur: 1,
    quality: 60,
    tint: [1.08, 0.95, 0.72],
  }));
  ramp('low-contrast', 6, (t, r) => ({
    source: 'sheet',
    size: STILL,
    pose: { yaw: lerp(-20, 20, r()), roll: lerp(-30, 30, r()), qrPx: 300 },
    print: { ink: lerp(0.4, 0.66, t), paper: lerp(0.9, 0.82, t) },
    light: { spot: { x: lerp(0, 1, r()), y: lerp(0, 1, r()), radius: 0.35, gain: 0.8 } },
    blur: 1.2,
    quality: 70,
  }));
  ramp('dark-screen', 8, (t, r) => ({
    source: 'dark-screen',
    size: STILL,
    pose: {
      yaw: side(r) * lerp(0, 40, t),
      pitch: lerp(-20, 20, r()),
      roll: lerp(-40, 40, r()),
      qrPx: lerp(380, 260, t),
    },
    glare: {
      x: lerp(0.3, 0.7, r()),
      y: lerp(0.3, 0.7, r()),
      rx: 0.2,
      ry: 0.04,
      angle: lerp(0, 180, r()),
      strength: lerp(0.05, 0.3, t),
    },
    blur: lerp(0.6, 2, t),
    quality: 70,
    tint: [0.9, 0.97, 1.1],
  }));
  ramp('light-screen', 3, (t, r) => ({
    source: 'light-screen',
    size: STILL,
    pose: { yaw: lerp(0, 40, t), roll: lerp(-40, 40, r()), qrPx: 320 },
    glare: { x: 0.5, y: lerp(0.3, 0.7, r()), rx: 0.3, ry: 0.05, angle: 30, strength: lerp(0.1, 0.4, t) },
    blur: lerp(0.6, 1.8, t),
    quality: 70,
  }));
  ramp('far', 4, (t, r) => ({
    source: 'sheet',
    size: WEBCAM,
    pose: { yaw: lerp(-20, 20, r()), roll: lerp(-30, 30, r()), qrPx: lerp(200, 135, t) },
    blur: 0.7,
    quality: 70,
  }));
  ramp('lane-night', 5, (t, r) => ({
    source: r() < 0.3 ? 'dark-screen' : 'sheet',
    size: WEBCAM,
    pose: {
      yaw: lerp(-35, 35, r()),
      pitch: lerp(-25, 25, r()),
      roll: lerp(-60, 60, r()),
      qrPx: lerp(270, 200, t),
      curl: 300,
    },
    exposure: lerp(0.15, 0.05, t),
    gamma: 0.75,
    blur: lerp(0.8, 1.4, t),
    motion: [lerp(1, 4, t), lerp(0, 180, r())],
    quality: Math.round(lerp(70, 45, t)),
    tint: [1.05, 0.97, 0.8],
  }));
  ramp('no-code', 4, (t, r) => ({
    source: t < 0.5 ? 'sheet-no-code' : 'screen-no-code',
    size: WEBCAM,
    pose: { yaw: lerp(-30, 30, r()), roll: lerp(-40, 40, r()), qrPx: 250 },
    blur: 0.8,
    quality: 75,
  }));
  return out;
}

/** The printed sheet with its code (and quiet zone) left blank. */
function withoutCode(surface: Surface): Surface {
  const half = surface.qr.side * 0.62;
  const paper = surface.sample(surface.qr.u - half * 1.2, surface.qr.v);
  return {
    ...surface,
    sample: (u, v) =>
      Math.abs(u - surface.qr.u) < half && Math.abs(v - surface.qr.v) < half ? paper : surface.sample(u, v),
  };
}

function hash32(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32LE(0);
}

const DEFAULT_POSE: Pose = {
  yaw: 0,
  pitch: 0,
  roll: 0,
  qrPx: 300,
  offset: [0, 0],
  focal: 0.9,
  curl: 0,
  curlAxis: 'v',
  curlAt: 0,
  barrel: 0.02,
};

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'photo-set-'));
  const all = permits();
  const sheets = [];
  for (const p of all) sheets.push(await sheetOf(p.claims, p.text, tmp));
  const manifest: { file: string; kind: string; source: string; text: string | null }[] = [];
  let bytes = 0;
  const list = shots();
  for (const [i, shot] of list.entries()) {
    const random = seededRandom(hash32(`${SALT}${shot.kind} ${i} scene`));
    const which = i % all.length;
    const permit = all[which] as (typeof all)[number];
    const sheet = sheets[which] as (typeof sheets)[number];
    const surface =
      shot.source === 'sheet'
        ? imageSurface(sheet.page, SHEET_DPI / 25.4, sheet.qr, shot.print)
        : shot.source === 'sheet-no-code'
          ? withoutCode(imageSurface(sheet.page, SHEET_DPI / 25.4, sheet.qr, shot.print))
          : phoneOf(permit.text, shot.source !== 'light-screen', shot.source !== 'screen-no-code');
    const [width, height] = shot.size;
    const pose: Pose = {
      ...DEFAULT_POSE,
      offset: [(random() - 0.5) * width * 0.2, (random() - 0.5) * height * 0.2],
      ...shot.pose,
    };
    // A phone's glass does not bend.
    if (!shot.source.startsWith('sheet')) pose.curl = 0;
    let img = photograph(surface, pose, { ...BRIGHT_ROOM, ...shot.light }, { width, height }, random);
    if (shot.glare) img = glare(img, shot.glare);
    if (shot.blur) img = gaussianBlur(img, shot.blur);
    if (shot.motion) img = motionBlur(img, shot.motion[0], shot.motion[1]);
    img = expose(
      img,
      {
        ...GOOD_SENSOR,
        exposure: shot.exposure ?? 1,
        gamma: shot.gamma ?? 1,
        target: shot.exposure ? 0.4 : 0.5,
      },
      random,
    );
    const jpg = toJpeg(img, shot.quality, shot.tint ?? [1, 1, 1], random);
    const file = `${String(i + 1).padStart(2, '0')}-${shot.kind}.jpg`;
    writeFileSync(join(OUT, file), jpg);
    bytes += jpg.length;
    manifest.push({
      file,
      kind: shot.kind,
      source: shot.source,
      text: shot.source.endsWith('no-code') ? null : permit.text,
    });
  }
  writeFileSync(
    join(OUT, 'manifest.json'),
    `${JSON.stringify(
      {
        about:
          'Permit QR codes photographed by the simulated camera (bench/make-photo-set.ts; seeded, so it makes the same files again). text: what each photo must read as (null: no code in view).',
        photos: manifest,
      },
      null,
      1,
    )}\n`,
  );
  rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`${manifest.length} photos, ${(bytes / 1024 / 1024).toFixed(2)} MiB in ${OUT}\n`);
}

await main();
