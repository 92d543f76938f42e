// The decoder held to the photo set (test/fixtures/photos/: permits printed or on phones, photographed
// tilted, blurred, shaken, over-compressed, with glare, curled, at night, faded, on dark-mode screens):
// it reads at least what zxing-wasm alone reads, more than @zxing/library, and never a wrong text.
import { beforeAll, describe, expect, it } from 'vitest';
import { imageToLuminance } from '../../src/hardware/qr-decoder.js';
import { readQr, STILL_VIEWS } from '../../src/hardware/qr-read.js';
import { DECODERS, loadPhotoSet, type Photo, type Score, score } from '../fixtures/photo-set.js';

let photos: Photo[];
let product: Score;

beforeAll(async () => {
  photos = loadPhotoSet();
  product = await score(DECODERS.product.decode, photos);
}, 120_000);

describe('the photo set', () => {
  it('is what the manifest says: 70 JPEGs, 66 with a code, under 5 MB', () => {
    expect(photos).toHaveLength(70);
    expect(photos.filter((p) => p.text !== null)).toHaveLength(66);
    expect(photos.every((p) => p.bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])))).toBe(true);
    expect(photos.reduce((n, p) => n + p.bytes.length, 0)).toBeLessThan(5 * 1024 * 1024);
  });

  it('the kiosk reads 57 of 66, never a wrong text, and nothing where there is no code', () => {
    expect(product.wrong).toEqual([]);
    // Measured: 57. A change that reads fewer is a regression; one that reads more raises this.
    expect(product.read.length).toBeGreaterThanOrEqual(57);
  });

  it('at least as many as zxing-wasm alone, and every photo it reads', async () => {
    const wasm = await score(DECODERS.zxingWasm.decode, photos);
    expect(wasm.wrong).toEqual([]);
    expect(product.read.length).toBeGreaterThanOrEqual(wasm.read.length);
    expect(wasm.read.filter((f) => !product.read.includes(f))).toEqual([]);
  }, 60_000);

  it('more than @zxing/library alone', async () => {
    const js = await score(DECODERS.zxingLibrary.decode, photos);
    expect(product.read.length).toBeGreaterThan(js.read.length);
    // A fallback to it would gain nothing: it reads no photo the kiosk misses.
    expect(js.read.filter((f) => !product.read.includes(f))).toEqual([]);
  }, 120_000);

  it('each view of the image earns its place: it reads photos the frame itself does not', async () => {
    const missed = photos.filter((p) => p.text !== null);
    const gains = new Map<string, string[]>(STILL_VIEWS.map((v) => [v, []]));
    for (const p of missed) {
      const grey = imageToLuminance(p.bytes);
      if ((await readQr(grey, ['frame'])) === p.text) continue;
      for (const view of STILL_VIEWS.slice(1)) {
        if ((await readQr(grey, [view])) === p.text) gains.get(view)?.push(p.file);
      }
    }
    for (const view of STILL_VIEWS.slice(1)) expect(gains.get(view), view).not.toEqual([]);
  }, 120_000);
});
