// Camera-like grey frames holding a QR code, made with code: rotated, unevenly lit, noisy, optionally
// light-on-dark. For the decoder's tests and the frames-per-second bench, where no camera exists.
import QRCode from 'qrcode';
import { seededRandom } from '../base/prng.js';

export interface FrameOptions {
  width?: number;
  height?: number;
  /** Pixels per QR module. */
  moduleSize?: number;
  /** Rotation of the code in degrees. */
  angle?: number;
  /** Uniform noise amplitude in grey levels (0–127). */
  noise?: number;
  /** Light falling off from left to right, 0 (even) to 1 (dark at the right edge). */
  falloff?: number;
  /** Light modules on a dark ground (a phone screen in dark mode). */
  inverted?: boolean;
  /** Offset of the code's centre from the frame's centre, pixels. */
  offset?: [number, number];
  seed?: number;
}

const BASE45 = /^[0-9A-Z $%*+\-./:]*$/;

export function syntheticFrame(
  text: string,
  opts: FrameOptions = {},
): { lum: Uint8ClampedArray; width: number; height: number } {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  const size = opts.moduleSize ?? 4;
  const angle = ((opts.angle ?? 0) * Math.PI) / 180;
  const noise = opts.noise ?? 0;
  const falloff = opts.falloff ?? 0;
  const random = seededRandom(opts.seed ?? 1);
  const segments = BASE45.test(text) ? [{ data: text, mode: 'alphanumeric' as const }] : text;
  const qr = QRCode.create(segments, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 4;
  const half = (n + 2 * quiet) / 2;
  const cx = width / 2 + (opts.offset?.[0] ?? 0);
  const cy = height / 2 + (opts.offset?.[1] ?? 0);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const [ink, paper] = opts.inverted ? [225, 35] : [35, 225];
  const lum = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse rotation: which module of the (upright) code does this pixel see?
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      const u = (dx * cos + dy * sin) / size + half;
      const v = (-dx * sin + dy * cos) / size + half;
      let value: number;
      if (u < 0 || v < 0 || u >= 2 * half || v >= 2 * half) {
        value = 120 + 40 * Math.sin(x / 37) * Math.cos(y / 23); // a cluttered scene around the code
      } else {
        const col = Math.floor(u) - quiet;
        const row = Math.floor(v) - quiet;
        const dark = col >= 0 && row >= 0 && col < n && row < n && qr.modules.get(row, col) === 1;
        value = dark ? ink : paper;
      }
      const light = 1 - (falloff * x) / width;
      lum[y * width + x] = value * light + (random() * 2 - 1) * noise;
    }
  }
  return { lum, width, height };
}
