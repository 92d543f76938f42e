// The camera's QR decoder, off the page's main thread: a Web Worker that takes RGBA frames from the
// video (transferred, not copied) and answers with the text of the QR code it sees, if any. The
// decoding is the shared pure core (qr-luminance.ts) that `kiosk decode-image` uses too.
import { decodeLuminance, rgbaToLuminance } from './qr-luminance.js';

/** Page → worker: one frame. */
export interface FrameMessage {
  type: 'frame';
  id: number;
  width: number;
  height: number;
  rgba: ArrayBuffer;
}

/** Worker → page: the frame's result; the buffer comes back so the page can reuse it. */
export interface ResultMessage {
  type: 'result';
  id: number;
  text: string | null;
  ms: number;
  rgba: ArrayBuffer;
}

/**
 * Decodes one RGBA frame; exported for the bench, which runs it without a worker. One attempt per
 * frame, a different one on each (by frame number): a frame costs little, and a code held in view is
 * tried every way within a few frames.
 */
export function decodeFrame(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
  frame = 0,
): string | null {
  const lum = rgbaToLuminance(rgba, width, height);
  return decodeLuminance(lum, width, height, { fast: true, cycle: frame });
}

// The worker scope, typed here: this file also compiles for Node (the bench), without the DOM lib.
interface WorkerScope {
  onmessage: ((ev: { data: FrameMessage }) => void) | null;
  postMessage(message: ResultMessage, transfer: ArrayBuffer[]): void;
}

// Only inside a worker (the bench imports this file in Node, where there is no worker scope).
if ('WorkerGlobalScope' in globalThis) {
  const worker = globalThis as unknown as WorkerScope;
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m?.type !== 'frame') return;
    const started = performance.now();
    let text: string | null = null;
    try {
      text = decodeFrame(new Uint8ClampedArray(m.rgba), m.width, m.height, m.id);
    } catch {
      // A malformed frame reads as no code.
      text = null;
    }
    worker.postMessage({ type: 'result', id: m.id, text, ms: performance.now() - started, rgba: m.rgba }, [
      m.rgba,
    ]);
  };
}
