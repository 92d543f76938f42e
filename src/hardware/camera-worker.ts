// The camera's QR decoder, off the page's main thread: a Web Worker that takes RGBA frames from the
// video (transferred, not copied) and answers with the text of the QR code it sees, if any. The
// decoding is the shared core (qr-read.ts) that `kiosk decode-image` uses too; the page tells the
// worker where the bundled WebAssembly is (an asset of the built renderer, never a CDN).
import { loadQrEngine, readQr, rgbaToLuminance, STILL_VIEWS, type View } from './qr-read.js';

/** Page → worker, first: where the page's bundle put zxing-cpp's WebAssembly. */
export interface InitMessage {
  type: 'init';
  wasmUrl: string;
}

/** Page → worker: one frame. */
export interface FrameMessage {
  type: 'frame';
  id: number;
  width: number;
  height: number;
  rgba: ArrayBuffer;
}

/**
 * Worker → page: the frame's result; the buffer comes back so the page can reuse it. `failed`: the
 * decoder could not be loaded (the WebAssembly missing or refused), so no frame can ever be read.
 */
export interface ResultMessage {
  type: 'result';
  id: number;
  text: string | null;
  ms: number;
  rgba: ArrayBuffer;
  failed?: boolean;
}

const EXTRA_VIEWS = STILL_VIEWS.filter((v) => v !== 'frame');

/**
 * What frame number `frame` tries: the frame as it is on every other frame (most codes read there,
 * at once), and in between the other views in turn. A code held up is tried every way within a few
 * frames, and no frame costs more than one decoding.
 */
export function cameraView(frame: number): View {
  const n = Math.abs(Math.trunc(frame));
  return n % 2 === 0 ? 'frame' : (EXTRA_VIEWS[((n - 1) / 2) % EXTRA_VIEWS.length] as View);
}

/** Decodes one RGBA frame; exported for the bench, which runs it without a worker. */
export function decodeFrame(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  frame = 0,
): Promise<string | null> {
  return readQr({ lum: rgbaToLuminance(rgba, width, height), width, height }, [cameraView(frame)]);
}

// The worker scope, typed here: this file also compiles for Node (the bench), without the DOM lib.
interface WorkerScope {
  onmessage: ((ev: { data: InitMessage | FrameMessage }) => void) | null;
  postMessage(message: ResultMessage, transfer: ArrayBuffer[]): void;
}

// Only inside a worker (the bench imports this file in Node, where there is no worker scope).
if ('WorkerGlobalScope' in globalThis) {
  const worker = globalThis as unknown as WorkerScope;
  let failed = false;
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m?.type === 'init') {
      // A load that fails fails each frame's decoding too: that is where it is reported.
      loadQrEngine({ wasmUrl: m.wasmUrl }).catch(() => {});
      return;
    }
    if (m?.type !== 'frame') return;
    const started = performance.now();
    const answer = (text: string | null) =>
      worker.postMessage(
        { type: 'result', id: m.id, text, ms: performance.now() - started, rgba: m.rgba, failed },
        [m.rgba],
      );
    decodeFrame(new Uint8ClampedArray(m.rgba), m.width, m.height, m.id).then(answer, (err: unknown) => {
      // A malformed frame reads as no code; anything else means the decoder is not there.
      if (!(err instanceof RangeError)) failed = true;
      answer(null);
    });
  };
}
