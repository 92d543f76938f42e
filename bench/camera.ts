// Camera decoding speed: 640×480 RGBA frames through exactly what the camera's Web Worker runs
// (src/hardware/camera-worker.ts decodeFrame: RGBA → grey → the shared zxing core, fast attempts),
// beside the budget of 30 frames per second. Frames are made with code (src/hardware/qr-synthetic.ts):
// codes at several angles, sizes and noise levels, and empty scenes, where every attempt fails and
// which is what the camera sees most of the time.

import { generateKeyPair } from '../src/contract/keys.js';
import { issuePermit } from '../src/formats/vnp1-issue.js';
import { decodeFrame } from '../src/hardware/camera-worker.js';
import { syntheticFrame } from '../src/hardware/qr-synthetic.js';

function toRgba(lum: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(lum.length * 4);
  for (let i = 0; i < lum.length; i++) {
    const v = lum[i] as number;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export async function benchCamera(seconds = 3): Promise<Record<string, string>> {
  const key = generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const text = issuePermit(
    {
      iss: '01-009',
      cti: 'CAM-1',
      iat: now,
      exp: now + 86_400,
      permit: {
        v: 1,
        k: 'travel',
        nam: 'Nguyễn Thị Hằng',
        idn: '001085001234',
        pur: 'work',
        areas: ['01-009'],
      },
    },
    key.privatePem,
  );
  const withCode = [0, 8, 17, 33].flatMap((angle, i) =>
    [3, 4].map((moduleSize) =>
      toRgba(syntheticFrame(text, { angle, moduleSize, noise: 12, falloff: 0.25, seed: i + 1 }).lum),
    ),
  );
  // An empty scene: the same clutter with no code in view.
  const empty = [1, 2, 3].map((seed) =>
    toRgba(syntheticFrame('X', { moduleSize: 0.01, noise: 12, seed }).lum),
  );

  // A code held in front of the camera stays in view for many frames: each scene is shown for 5
  // consecutive frames (one per attempt of the cycle), as a guard holds a phone up for a moment.
  const HOLD = 5;
  const run = (frames: Uint8ClampedArray[]) => {
    let n = 0;
    let held = 0;
    let read = 0;
    let readThisHold = false;
    const t0 = process.hrtime.bigint();
    const until = t0 + BigInt(Math.round(seconds * 1e9));
    while (process.hrtime.bigint() < until) {
      const f = frames[Math.floor(n / HOLD) % frames.length] as Uint8ClampedArray;
      if (decodeFrame(f, 640, 480, n) === text) readThisHold = true;
      n++;
      if (n % HOLD === 0) {
        held++;
        if (readThisHold) read++;
        readThisHold = false;
      }
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    return { fps: n / s, readRate: held > 0 ? read / held : 0 };
  };
  const code = run(withCode);
  const none = run(empty);
  console.log(
    `  640×480 frames with a permit QR (4 angles × 2 sizes, noise, uneven light): ${code.fps.toFixed(1)} frames/s; ${(code.readRate * 100).toFixed(0)} % of codes read within ${HOLD} frames`,
  );
  console.log(
    `  640×480 frames with no code (the usual case):                           ${none.fps.toFixed(1)} frames/s`,
  );
  const worst = Math.min(code.fps, none.fps);
  console.log(
    `  budget: ≥ 30 frames/s  →  ${worst >= 30 ? 'within' : 'UNDER'} budget (worst of the two: ${worst.toFixed(1)})`,
  );
  return {
    cameraFps: code.fps.toFixed(1),
    cameraEmptyFps: none.fps.toFixed(1),
    cameraRead: `${(code.readRate * 100).toFixed(0)}%`,
  };
}
