// THE QR decoder (src/hardware/qr-read.ts, qr-decoder.ts, camera-worker.ts): generated permit images,
// camera-like frames, the camera's schedule of views, and every way a file can be unusable. Real-life
// photos: photo-set.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it, vi } from 'vitest';
import { KioskError } from '../../src/contract/errors.js';
import { verifyPermit } from '../../src/formats/vnp1.js';
import { cameraView, decodeFrame } from '../../src/hardware/camera-worker.js';
import {
  decodeImageBuffer,
  decodeImageFile,
  downscaleLuminance,
  loadNodeQrEngine,
  MAX_IMAGE_PIXELS,
  rgbaToLuminance,
} from '../../src/hardware/qr-decoder.js';
import { boxBlur, enlarge, readQr, STILL_VIEWS, sharpen } from '../../src/hardware/qr-read.js';
import { syntheticFrame } from '../../src/hardware/qr-synthetic.js';
import { fixedPermit, permitClaims } from '../fixtures/permits.js';

// The decoder never reaches the network: zxing-wasm's own default would fetch its WebAssembly from a CDN.
const fetched: string[] = [];
vi.stubGlobal('fetch', (url: unknown) => {
  fetched.push(String(url));
  return Promise.reject(new Error('no network in a kiosk'));
});

const permit = (i: number) =>
  fixedPermit(
    permitClaims(
      { cti: `TX-2021-${String(i).padStart(6, '0')}` },
      { nam: `Nguyễn Thị Hằng ${i}`, route: i % 2 ? 'Nguyễn Trãi – Trường Chinh' : undefined },
    ),
    `qr-decoder test permit ${i}`,
  );

function pngOf(lum: Uint8ClampedArray, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[i * 4] = png.data[i * 4 + 1] = png.data[i * 4 + 2] = lum[i] as number;
    png.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

function rgbaOf(lum: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(lum.length * 4);
  for (let i = 0; i < lum.length; i++) {
    out.fill(lum[i] as number, i * 4, i * 4 + 3);
    out[i * 4 + 3] = 255;
  }
  return out;
}

async function expectUnreadable(p: Promise<unknown>): Promise<KioskError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KioskError);
  expect((err as KioskError).code).toBe('IMAGE_UNREADABLE');
  expect((err as KioskError).vi).toMatch(/Không đọc được ảnh/);
  return err as KioskError;
}

describe('the engine', () => {
  it('refuses to decode before its WebAssembly is loaded, rather than fetch it from the internet', async () => {
    const frame = syntheticFrame(permit(0), { moduleSize: 4 });
    await expect(readQr(frame)).rejects.toThrow(/not loaded/);
    expect(fetched).toEqual([]);
  });

  it('loads from the installed package, once', async () => {
    await loadNodeQrEngine();
    await loadNodeQrEngine();
    expect(await readQr(syntheticFrame(permit(0), { moduleSize: 4 }))).toBe(permit(0));
    expect(fetched).toEqual([]);
  });
});

describe('the fixed permit texts', () => {
  it('are the same on every run, and well-formed up to the issuer look-up', () => {
    expect(permit(7)).toBe(permit(7));
    expect(verifyPermit(permit(1), { issuers: new Map() })).toMatchObject({
      ok: false,
      reason: 'UNKNOWN_ISSUER',
    });
  });
});

describe('decodeImageBuffer on generated permit PNGs', () => {
  it('reads 200 of 200 generated permits exactly', async () => {
    const misread: number[] = [];
    for (let i = 0; i < 200; i++) {
      const text = permit(i);
      const png = await QRCode.toBuffer([{ data: text, mode: 'alphanumeric' }], {
        errorCorrectionLevel: 'M',
        type: 'png',
      });
      if ((await decodeImageBuffer(png)) !== text) misread.push(i);
    }
    expect(misread).toEqual([]);
  }, 60_000);

  it('reads JPEG, light-on-dark, transparent and large images', async () => {
    const text = permit(1);
    const frame = syntheticFrame(text, { moduleSize: 4 });
    const rgba = rgbaOf(frame.lum);
    const jpg = jpeg.encode({ data: rgba, width: frame.width, height: frame.height }, 80).data;
    expect(await decodeImageBuffer(jpg)).toBe(text);

    const dark = syntheticFrame(text, { inverted: true });
    expect(await decodeImageBuffer(pngOf(dark.lum, dark.width, dark.height))).toBe(text);

    // qrcode draws black on a transparent ground: transparency must read as paper, not as ink.
    const clear = await QRCode.toBuffer(text, {
      type: 'png',
      color: { dark: '#000000ff', light: '#00000000' },
    });
    expect(await decodeImageBuffer(clear)).toBe(text);

    // Above 4 Mpx (a 300 dpi scan) the image is box-filtered down before decoding.
    const big = syntheticFrame(text, { width: 2200, height: 2000, moduleSize: 10 });
    expect(await decodeImageBuffer(pngOf(big.lum, big.width, big.height))).toBe(text);
  }, 30_000);

  it('returns null for an image without a code', async () => {
    const blank = new Uint8ClampedArray(320 * 240).fill(200);
    expect(await decodeImageBuffer(pngOf(blank, 320, 240))).toBeNull();
  });

  it('refuses what is not a usable image, naming why', async () => {
    await expectUnreadable(decodeImageBuffer(Buffer.from('%PDF-1.7 not an image')));
    await expectUnreadable(decodeImageBuffer(Buffer.alloc(0)));
    const png = pngOf(new Uint8ClampedArray(16).fill(255), 4, 4);
    await expectUnreadable(decodeImageBuffer(png.subarray(0, png.length - 20))); // truncated
    const jpg = jpeg.encode({ data: new Uint8Array(64 * 4).fill(255), width: 8, height: 8 }, 90).data;
    await expectUnreadable(decodeImageBuffer(jpg.subarray(0, 40)));
    // A PNG header claiming 100000×100000 pixels is refused before anything is allocated.
    const bomb = Buffer.from(png);
    bomb.writeUInt32BE(100_000, 16);
    bomb.writeUInt32BE(100_000, 20);
    const err = await expectUnreadable(decodeImageBuffer(bomb));
    expect(err.en).toContain(String(MAX_IMAGE_PIXELS));
  });

  it('decodeImageFile: a missing file or a directory is unreadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-qr-'));
    await expectUnreadable(decodeImageFile(join(dir, 'missing.png')));
    await expectUnreadable(decodeImageFile(dir));
    const file = join(dir, 'permit.png');
    const text = permit(2);
    writeFileSync(file, await QRCode.toBuffer([{ data: text, mode: 'alphanumeric' }], { type: 'png' }));
    expect(await decodeImageFile(file)).toBe(text);
  });
});

describe('camera-like 640×480 frames', () => {
  it('reads rotated, unevenly lit, noisy and light-on-dark codes, and never a wrong text', async () => {
    const failed: string[] = [];
    for (let i = 0; i < 40; i++) {
      const text = permit(100 + i);
      const opts = {
        seed: i,
        angle: ((i * 7) % 31) - 15,
        noise: (i * 3) % 16,
        falloff: ((i * 13) % 6) / 10,
        inverted: i % 4 === 3,
        moduleSize: 4 + (i % 2),
        offset: [((i * 17) % 61) - 30, ((i * 11) % 41) - 20] as [number, number],
      };
      const got = await readQr(syntheticFrame(text, opts));
      // Wrong text would be worse than none: a code is read exactly or not at all.
      expect(got === null || got === text).toBe(true);
      if (got === null) failed.push(JSON.stringify(opts));
    }
    expect(failed, failed.join('\n')).toEqual([]);
  }, 30_000);

  it('the camera: the frame itself every other frame, the other views in turn between', async () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(cameraView)).toEqual([
      'frame',
      'enlarged',
      'frame',
      'sharpened',
      'frame',
      'smoothed',
      'frame',
      'enlarged',
    ]);
    expect(new Set(Array.from({ length: 6 }, (_, i) => cameraView(i)))).toEqual(new Set(STILL_VIEWS));
    const text = permit(4);
    const dark = syntheticFrame(text, { moduleSize: 4, inverted: true, angle: 9, noise: 8 });
    const rgba = rgbaOf(dark.lum);
    for (let frame = 0; frame < 6; frame++) expect(await decodeFrame(rgba, 640, 480, frame)).toBe(text);
    const empty = rgbaOf(new Uint8ClampedArray(640 * 480).fill(128));
    for (let frame = 0; frame < 6; frame++) expect(await decodeFrame(empty, 640, 480, frame)).toBeNull();
  });

  it('refuses a malformed frame with RangeError', async () => {
    await expect(readQr({ lum: new Uint8ClampedArray(10), width: 640, height: 480 })).rejects.toThrow(
      RangeError,
    );
    await expect(readQr({ lum: new Uint8ClampedArray(10), width: 0, height: 10 })).rejects.toThrow(
      RangeError,
    );
    await expect(readQr({ lum: new Uint8ClampedArray(10), width: 2.5, height: 2 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('pixel helpers', () => {
  it('rgbaToLuminance weighs green most and composites alpha over white', () => {
    const lum = rgbaToLuminance(
      Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 128]),
      5,
      1,
    );
    expect([...lum]).toEqual([76, 149, 28, 255, 127]);
    expect(() => rgbaToLuminance(new Uint8Array(4), 2, 1)).toThrow(RangeError);
  });

  it('downscaleLuminance averages blocks', () => {
    const src = Uint8ClampedArray.from([0, 100, 200, 0, 100, 200, 0, 0]);
    const half = downscaleLuminance({ lum: src, width: 4, height: 2 }, 2);
    expect(half).toMatchObject({ width: 2, height: 1 });
    expect([...half.lum]).toEqual([100, 50]);
    expect(() => downscaleLuminance({ lum: src, width: 4, height: 2 }, 1.5)).toThrow(RangeError);
  });

  it('enlarge interpolates; boxBlur averages; sharpen steepens an edge', () => {
    const edge = { lum: Uint8ClampedArray.from([0, 0, 200, 200]), width: 4, height: 1 };
    const row = [0, 0, 0, 50, 150, 200, 200, 200];
    expect(enlarge(edge, 2)).toMatchObject({ width: 8, height: 2 });
    expect([...enlarge(edge, 2).lum]).toEqual([...row, ...row]);
    expect([...boxBlur(edge, 1).lum]).toEqual([0, 67, 133, 200]);
    // Unsharp mask: the dark side of the edge darker (clamped at 0), the light side lighter.
    expect([...sharpen(edge, 1, 1).lum]).toEqual([0, 0, 255, 200]);
  });
});
