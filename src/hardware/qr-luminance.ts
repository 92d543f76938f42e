// The QR decoding core shared by the camera (renderer), `kiosk decode-image` and the DCC conformance
// test. Pure: no DOM, no Node, only @zxing/library, so the renderer can bundle it as it is.
import {
  type Binarizer,
  BinaryBitmap,
  DecodeHintType,
  GlobalHistogramBinarizer,
  HybridBinarizer,
  InvertedLuminanceSource,
  type LuminanceSource,
  QRCodeReader,
  RGBLuminanceSource,
} from '@zxing/library';

type Hints = Map<DecodeHintType, unknown>;

const PURE: Hints = new Map<DecodeHintType, unknown>([[DecodeHintType.PURE_BARCODE, true]]);
const HARDER: Hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);
const PLAIN: Hints = new Map<DecodeHintType, unknown>();

/** The same frame seen differently; zxing's finder fails on some symbols at one scale or scan
 * direction and reads them at another (measured: 14 of 400 clean generated codes at 4 px/module
 * fail every binarizer, and all 14 read at half size; 12 of them also read transposed). */
type View = 'frame' | 'half' | 'transposed' | 'smoothed';

type Attempt = {
  view: View;
  binarizer: (source: LuminanceSource) => Binarizer;
  hints: Hints;
  inverted: boolean;
};

const hybrid = (s: LuminanceSource): Binarizer => new HybridBinarizer(s);
const histogram = (s: LuminanceSource): Binarizer => new GlobalHistogramBinarizer(s);

// Order (measured on camera-like frames and generated images): the camera-grade finder with local
// thresholds, then a global threshold (cheaper, and better under smooth light fall-off), the exact
// read of a generated image, other scales and scan directions, then light-on-dark codes (phone
// screens in dark mode), and last a smoothed frame for sensor noise on small modules.
const ATTEMPTS: readonly Attempt[] = [
  { view: 'frame', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'frame', binarizer: histogram, hints: HARDER, inverted: false },
  // Early, and cheap: light-on-dark phone screens are common at a lane.
  { view: 'frame', binarizer: histogram, hints: HARDER, inverted: true },
  { view: 'frame', binarizer: hybrid, hints: PURE, inverted: false },
  { view: 'half', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'frame', binarizer: hybrid, hints: PLAIN, inverted: false },
  { view: 'transposed', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'frame', binarizer: hybrid, hints: HARDER, inverted: true },
  { view: 'half', binarizer: hybrid, hints: HARDER, inverted: true },
  { view: 'transposed', binarizer: hybrid, hints: HARDER, inverted: true },
  { view: 'smoothed', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'smoothed', binarizer: hybrid, hints: HARDER, inverted: true },
];
/** For a live camera: the attempts that read nearly every frame, at a fraction of the cost. */
const FAST_ATTEMPTS: readonly Attempt[] = [
  { view: 'frame', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'frame', binarizer: histogram, hints: HARDER, inverted: false },
  { view: 'half', binarizer: hybrid, hints: HARDER, inverted: false },
  { view: 'frame', binarizer: histogram, hints: HARDER, inverted: true },
  { view: 'half', binarizer: hybrid, hints: HARDER, inverted: true },
];

export interface DecodeOptions {
  /** Only the cheap attempts: for camera frames, where the next frame comes in 33 ms anyway. */
  fast?: boolean;
  /**
   * The live camera (src/hardware/camera-worker.ts): only the cycle-th of the fast attempts
   * (mod their number), so each frame costs one attempt and consecutive frames, which show the same
   * code, try every way in turn.
   */
  cycle?: number;
}

/** Below this, a half-size view has modules too small to read. */
const MIN_HALF_SIDE = 160;

/**
 * Finds and decodes one QR code in a grey-level image (one byte per pixel, row-major, 0 = black).
 * Returns its text, or null when no code could be read. Throws RangeError only for a malformed frame.
 */
export function decodeLuminance(
  lum: Uint8ClampedArray,
  width: number,
  height: number,
  options: DecodeOptions = {},
): string | null {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`bad frame size ${width}×${height}`);
  }
  if (lum.length < width * height) {
    throw new RangeError(`frame has ${lum.length} bytes, expected ${width * height}`);
  }
  const frame = lum.length === width * height ? lum : lum.subarray(0, width * height);
  const views = new Map<View, LuminanceSource | null>();
  const viewOf = (view: View): LuminanceSource | null => {
    // Made on first use: most frames read in the first attempt and never pay for the others.
    if (!views.has(view)) views.set(view, makeView(view, frame, width, height));
    return views.get(view) ?? null;
  };
  const reader = new QRCodeReader();
  const cycled =
    options.cycle === undefined
      ? null
      : FAST_ATTEMPTS[
          ((Math.trunc(options.cycle) % FAST_ATTEMPTS.length) + FAST_ATTEMPTS.length) % FAST_ATTEMPTS.length
        ];
  for (const attempt of cycled ? [cycled] : options.fast ? FAST_ATTEMPTS : ATTEMPTS) {
    const source = viewOf(attempt.view);
    if (source === null) continue;
    const text = tryDecode(reader, source, attempt);
    if (text !== null) return text;
  }
  return null;
}

function makeView(view: View, lum: Uint8ClampedArray, width: number, height: number): LuminanceSource | null {
  if (view === 'frame') return new RGBLuminanceSource(lum, width, height);
  if (view === 'half') {
    if (Math.min(width, height) < MIN_HALF_SIDE * 2) return null;
    const half = downscaleLuminance(lum, width, height, 2);
    return new RGBLuminanceSource(half.lum, half.width, half.height);
  }
  if (view === 'transposed') return new RGBLuminanceSource(transpose(lum, width, height), height, width);
  return new RGBLuminanceSource(boxBlur3(lum, width, height), width, height);
}

function transpose(lum: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) out[x * height + y] = lum[row + x] as number;
  }
  return out;
}

/** 3×3 mean filter, separable, edges clamped. */
export function boxBlur3(lum: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  const rows = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const l = lum[o + (x > 0 ? x - 1 : x)] as number;
      const r = lum[o + (x < width - 1 ? x + 1 : x)] as number;
      rows[o + x] = l + (lum[o + x] as number) + r;
    }
  }
  const out = new Uint8ClampedArray(width * height);
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : y) * width;
    const down = (y < height - 1 ? y + 1 : y) * width;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      out[o + x] = ((rows[up + x] as number) + (rows[o + x] as number) + (rows[down + x] as number)) / 9;
    }
  }
  return out;
}

function tryDecode(reader: QRCodeReader, source: LuminanceSource, attempt: Attempt): string | null {
  const input = attempt.inverted ? new InvertedLuminanceSource(source) : source;
  try {
    const result = reader.decode(new BinaryBitmap(attempt.binarizer(input)), attempt.hints);
    return result.getText();
  } catch {
    // zxing reports "no code here", checksum and format failures all as exceptions: try the next way.
    return null;
  } finally {
    reader.reset();
  }
}

/**
 * RGBA pixels (4 bytes each, as canvas ImageData, pngjs and jpeg-js give them) to grey levels,
 * composited over white so transparent backgrounds read as paper.
 */
export function rgbaToLuminance(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): Uint8ClampedArray {
  const n = width * height;
  if (rgba.length < n * 4) throw new RangeError(`RGBA buffer too short for ${width}×${height}`);
  const out = new Uint8ClampedArray(n);
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const r = rgba[p] as number;
    const g = rgba[p + 1] as number;
    const b = rgba[p + 2] as number;
    const a = rgba[p + 3] as number;
    // Integer BT.601 weights (77+150+29 = 256); alpha blends towards white.
    const y = (r * 77 + g * 150 + b * 29) >> 8;
    out[i] = a === 255 ? y : (y * a + 255 * (255 - a)) / 255;
  }
  return out;
}

/** Box-filter downscale by an integer factor: keeps module edges clean for the binarizer. */
export function downscaleLuminance(
  lum: Uint8ClampedArray,
  width: number,
  height: number,
  factor: number,
): { lum: Uint8ClampedArray; width: number; height: number } {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`bad factor ${factor}`);
  if (factor === 1) return { lum, width, height };
  const w = Math.floor(width / factor);
  const h = Math.floor(height / factor);
  const out = new Uint8ClampedArray(w * h);
  const area = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += lum[row + dx] as number;
      }
      out[y * w + x] = sum / area;
    }
  }
  return { lum: out, width: w, height: h };
}
