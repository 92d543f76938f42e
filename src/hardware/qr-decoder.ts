// The Node side of THE QR decoder: still images (PNG, JPEG) from files or buffers, decoded through the
// same core the camera uses (qr-read.ts), with zxing-cpp's WebAssembly read from node_modules.
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { KioskError } from '../contract/errors.js';
import { downscaleLuminance, type GreyImage, loadQrEngine, readQr, rgbaToLuminance } from './qr-read.js';

export { downscaleLuminance, type GreyImage, rgbaToLuminance } from './qr-read.js';

/** Larger images are refused before decoding: a 40 MP photo is already far beyond any scanner's. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Larger files are refused before reading. */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** Above this, the image is box-filtered down first: zxing gains nothing from 300 dpi scans. */
const COMFORTABLE_PIXELS = 4_000_000;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function unreadable(en: string, vi: string): KioskError {
  return new KioskError('IMAGE_UNREADABLE', `Không đọc được ảnh: ${vi}`, `Cannot read image: ${en}`);
}

/** PNG or JPEG bytes to grey levels. Throws KioskError IMAGE_UNREADABLE for anything else. */
export function imageToLuminance(buf: Buffer): GreyImage {
  if (buf.length >= 24 && buf.subarray(0, 8).equals(PNG_MAGIC)) {
    // IHDR sits at a fixed place: check the size before pngjs allocates it (decompression bombs).
    checkSize(buf.readUInt32BE(16), buf.readUInt32BE(20));
    let png: PNG;
    try {
      png = PNG.sync.read(buf);
    } catch (err) {
      throw unreadable(`broken PNG (${(err as Error).message})`, 'tệp PNG bị hỏng');
    }
    return {
      lum: rgbaToLuminance(png.data, png.width, png.height),
      width: png.width,
      height: png.height,
    };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(buf, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_IMAGE_PIXELS / 1_000_000,
        maxMemoryUsageInMB: 512,
      });
    } catch (err) {
      throw unreadable(`broken JPEG (${(err as Error).message})`, 'tệp JPEG bị hỏng');
    }
    checkSize(img.width, img.height);
    return { lum: rgbaToLuminance(img.data, img.width, img.height), width: img.width, height: img.height };
  }
  throw unreadable('not a PNG or JPEG image', 'không phải ảnh PNG hoặc JPEG');
}

function checkSize(width: number, height: number): void {
  if (width === 0 || height === 0 || width * height > MAX_IMAGE_PIXELS) {
    throw unreadable(
      `${width}×${height} pixels is outside 1…${MAX_IMAGE_PIXELS} pixels`,
      `kích thước ${width}×${height} điểm ảnh không hợp lệ hoặc quá lớn`,
    );
  }
}

let nodeEngine: Promise<void> | null = null;

/**
 * zxing-cpp's WebAssembly, from the installed package (in the packaged app, from its archive): read
 * once per process, never fetched. Rejects with KioskError QR_ENGINE when it cannot be loaded (and
 * tries again on the next call).
 */
export function loadNodeQrEngine(): Promise<void> {
  nodeEngine ??= (async () => {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bytes = await readFile(path);
    await loadQrEngine({
      wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    });
  })().catch((err: unknown) => {
    nodeEngine = null;
    throw new KioskError(
      'QR_ENGINE',
      `Không nạp được bộ giải mã QR: ${(err as Error).message}`,
      `Cannot load the QR decoder: ${(err as Error).message}`,
    );
  });
  return nodeEngine;
}

/** Decodes a grey image at a sensible size (zxing gains nothing from 300 dpi scans), in every view. */
export async function decodeGrey(img: GreyImage): Promise<string | null> {
  await loadNodeQrEngine();
  const pixels = img.width * img.height;
  const factor = pixels > COMFORTABLE_PIXELS ? Math.ceil(Math.sqrt(pixels / COMFORTABLE_PIXELS)) : 1;
  return readQr(downscaleLuminance(img, factor));
}

/**
 * Decodes the QR code in a PNG or JPEG image. Resolves to its text, or null when the image holds no
 * readable code; rejects with KioskError IMAGE_UNREADABLE when the bytes are not a usable image.
 */
export async function decodeImageBuffer(buf: Buffer): Promise<string | null> {
  if (buf.length > MAX_IMAGE_BYTES) {
    throw unreadable(`file larger than ${MAX_IMAGE_BYTES} bytes`, 'tệp quá lớn');
  }
  return decodeGrey(imageToLuminance(buf));
}

/** decodeImageBuffer on a file; a missing or unreadable file is KioskError IMAGE_UNREADABLE. */
export async function decodeImageFile(path: string): Promise<string | null> {
  let buf: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_IMAGE_BYTES) throw new Error(`larger than ${MAX_IMAGE_BYTES} bytes`);
    buf = await readFile(path);
  } catch (err) {
    throw unreadable(`${path}: ${(err as Error).message}`, `${path}: không mở được tệp`);
  }
  return decodeImageBuffer(buf);
}
