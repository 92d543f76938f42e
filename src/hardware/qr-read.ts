// THE QR decoder, shared by the camera's worker (renderer) and `kiosk decode-image` (Node): zxing-cpp
// compiled to WebAssembly (zxing-wasm) over a few views of a grey image. Pure: no DOM, no Node. Where the
// WebAssembly comes from is the caller's to say (loadQrEngine): the library's default is a CDN, and a
// kiosk has no internet.
import { prepareZXingModule, type ReaderOptions, readBarcodes } from 'zxing-wasm/reader';

export type GreyImage = { lum: Uint8ClampedArray; width: number; height: number };

/** The WebAssembly module: its bytes (Node reads them from node_modules) or its URL (a bundled asset). */
export type QrEngineSource = { wasmBinary: ArrayBuffer } | { wasmUrl: string };

let engine: Promise<void> | null = null;

/**
 * Loads zxing-cpp's WebAssembly from the given source, once per process or worker (a second call gets
 * the first load, unless it failed). Resolves when it is compiled; rejects if it cannot be.
 */
export function loadQrEngine(source: QrEngineSource): Promise<void> {
  if (engine) return engine;
  const overrides =
    'wasmBinary' in source
      ? { wasmBinary: source.wasmBinary }
      : {
          locateFile: (path: string, prefix: string) =>
            path.endsWith('.wasm') ? source.wasmUrl : prefix + path,
        };
  const loading = prepareZXingModule({ overrides, fireImmediately: true }).then(() => undefined);
  engine = loading;
  // A load that failed may be tried again (the next call starts afresh).
  loading.catch(() => {
    if (engine === loading) engine = null;
  });
  return loading;
}

// zxing-cpp's defaults, written out because they are the decision: look hard, in every orientation,
// light-on-dark too (phones in dark mode), at reduced sizes for large images. Plain text: the code's
// characters as they are (its "human readable" form would add brackets to GS1 data).
const OPTIONS: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 1,
  textMode: 'Plain',
};

/**
 * The same picture made easier in one way, each tried only if the ones before it read nothing.
 * Measured on a tuning photo set (bench/make-photo-set.ts with another seed), each reads codes the
 * others miss: enlarged for small modules (far codes, low-resolution cameras), sharpened for defocus
 * and shake, smoothed for sensor noise at night.
 */
export type View = 'frame' | 'enlarged' | 'sharpened' | 'smoothed';
export const STILL_VIEWS: readonly View[] = ['frame', 'enlarged', 'sharpened', 'smoothed'];

/** An enlarged view stops here: a larger picture already has modules big enough, and costs memory. */
const MAX_ENLARGED_PIXELS = 4_000_000;

/**
 * Finds and decodes one QR code in a grey image (one byte per pixel, row-major), trying the views in
 * order. Resolves to its text, or null when none reads it; rejects only when the engine was not
 * loaded or failed to load, or for a malformed image (RangeError).
 */
export async function readQr(img: GreyImage, views: readonly View[] = STILL_VIEWS): Promise<string | null> {
  checkImage(img);
  if (!engine) throw new Error('QR engine not loaded: call loadQrEngine first');
  await engine;
  for (const view of views) {
    const seen = viewOf(img, view);
    if (seen === null) continue;
    // Looking at an enlarged picture at reduced sizes again would only undo the enlargement.
    const options = view === 'enlarged' ? { ...OPTIONS, tryDownscale: false } : OPTIONS;
    const results = await readBarcodes(toImageData(seen), options);
    const found = results.find((r) => r.isValid && r.text.length > 0);
    if (found) return found.text;
  }
  return null;
}

function checkImage(img: GreyImage): void {
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`bad image size ${width}×${height}`);
  }
  if (img.lum.length < width * height) {
    throw new RangeError(`image has ${img.lum.length} bytes, expected ${width * height}`);
  }
}

function viewOf(img: GreyImage, view: View): GreyImage | null {
  switch (view) {
    case 'frame':
      return img;
    case 'enlarged':
      return img.width * img.height * 2.25 > MAX_ENLARGED_PIXELS ? null : enlarge(img, 1.5);
    case 'sharpened':
      return sharpen(img, 3, 1.5);
    case 'smoothed':
      return boxBlur(img, 1);
  }
}

/** Grey to the RGBA ImageData shape zxing-wasm takes (it makes grey of it again, in its own way). */
/** What readBarcodes takes as an image: a DOM ImageData in the renderer; the same shape in Node. */
type ZxingImage = Extract<Parameters<typeof readBarcodes>[0], { width: number }>;

function toImageData(img: GreyImage): ZxingImage {
  const n = img.width * img.height;
  const data = new Uint8ClampedArray(n * 4);
  // One 32-bit store a pixel (R = G = B = grey, opaque): the same bytes in either byte order but alpha's,
  // which is 255 in both.
  const words = new Uint32Array(data.buffer);
  const lum = img.lum;
  for (let i = 0; i < n; i++) words[i] = ((lum[i] as number) * 0x010101) | 0xff000000;
  // The shape of a DOM ImageData (zxing-wasm reads only these fields), so Node needs no canvas.
  return { data, width: img.width, height: img.height, colorSpace: 'srgb' } as ZxingImage;
}

/** Bilinear enlargement by `factor`. */
export function enlarge(img: GreyImage, factor: number): GreyImage {
  const { width: w, height: h, lum } = img;
  const W = Math.round(w * factor);
  const H = Math.round(h * factor);
  const out = new Uint8ClampedArray(W * H);
  // Where each output column samples, worked out once for all rows (weights in 1/256).
  const xs = new Int32Array(W);
  const xn = new Int32Array(W);
  const fx = new Int32Array(W);
  for (let x = 0; x < W; x++) {
    const sx = Math.min(w - 1, Math.max(0, (x + 0.5) / factor - 0.5));
    xs[x] = Math.floor(sx);
    xn[x] = Math.min(w - 1, (xs[x] as number) + 1);
    fx[x] = Math.round((sx - (xs[x] as number)) * 256);
  }
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) / factor - 0.5));
    const y0 = Math.floor(sy);
    const fy = Math.round((sy - y0) * 256);
    const r0 = y0 * w;
    const r1 = Math.min(h - 1, y0 + 1) * w;
    const o = y * W;
    for (let x = 0; x < W; x++) {
      const a = xs[x] as number;
      const b = xn[x] as number;
      const f = fx[x] as number;
      const top = (lum[r0 + a] as number) * (256 - f) + (lum[r0 + b] as number) * f;
      const bottom = (lum[r1 + a] as number) * (256 - f) + (lum[r1 + b] as number) * f;
      out[o + x] = (top * (256 - fy) + bottom * fy + 32768) >> 16;
    }
  }
  return { lum: out, width: W, height: H };
}

/** Mean over a (2r+1)² box, by running sums (cost independent of r), edges clamped. */
export function boxBlur(img: GreyImage, r: number): GreyImage {
  const { width: w, height: h, lum } = img;
  const n = 2 * r + 1;
  const rows = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += lum[o + Math.min(w - 1, Math.max(0, i))] as number;
    for (let x = 0; x < w; x++) {
      rows[o + x] = sum / n;
      sum += (lum[o + Math.min(w - 1, x + r + 1)] as number) - (lum[o + Math.max(0, x - r)] as number);
    }
  }
  const out = new Uint8ClampedArray(w * h);
  for (let x = 0; x < w; x++) {
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += rows[Math.min(h - 1, Math.max(0, i)) * w + x] as number;
    for (let y = 0; y < h; y++) {
      out[y * w + x] = sum / n;
      sum +=
        (rows[Math.min(h - 1, y + r + 1) * w + x] as number) - (rows[Math.max(0, y - r) * w + x] as number);
    }
  }
  return { lum: out, width: w, height: h };
}

/** Unsharp mask: the image plus `amount` times its difference from a (2r+1)² box blur. */
export function sharpen(img: GreyImage, r: number, amount: number): GreyImage {
  const blurred = boxBlur(img, r).lum;
  const out = new Uint8ClampedArray(img.lum.length);
  for (let i = 0; i < out.length; i++) {
    const v = img.lum[i] as number;
    out[i] = v + amount * (v - (blurred[i] as number));
  }
  return { lum: out, width: img.width, height: img.height };
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
export function downscaleLuminance(img: GreyImage, factor: number): GreyImage {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`bad factor ${factor}`);
  if (factor === 1) return img;
  const { width, height, lum } = img;
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
