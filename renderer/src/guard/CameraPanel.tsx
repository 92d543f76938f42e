// Scanning with the tablet's camera when there is no scanner: the chosen camera (enumerateDevices),
// frames decoded in a Web Worker (src/hardware/camera-worker.ts) so the screen never stutters, and a pause
// after each read so one permit held up is one scan.
import { useCallback, useEffect, useRef, useState } from 'react';
// zxing-cpp's WebAssembly, emitted by Vite as an asset of the built renderer: no network at run time.
import zxingWasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import type { InitMessage, ResultMessage } from '../../../src/hardware/camera-worker.js';
import { useGuardText } from './texts.js';

/** After a read, the camera waits this long before looking again. */
export const CAMERA_PAUSE_MS = 2000;
const STORAGE_KEY = 'kiosk.camera';

/** `broken`: the camera works but the decoder could not load, so nothing would ever be read. */
type State = 'off' | 'starting' | 'looking' | 'read' | 'denied' | 'broken';

export function CameraPanel({ onScan }: { onScan: (text: string) => void }) {
  const { g } = useGuardText();
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>(() => localStorage.getItem(STORAGE_KEY) ?? '');
  const [state, setState] = useState<State>('off');
  const [fps, setFps] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const scanCb = useRef(onScan);
  scanCb.current = onScan;

  const listDevices = useCallback(async () => {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      setDevices(all.filter((d) => d.kind === 'videoinput'));
    } catch {
      setDevices([]);
    }
  }, []);

  useEffect(() => {
    void listDevices();
  }, [listDevices]);

  const stop = useCallback(() => {
    for (const t of stream.current?.getTracks() ?? []) t.stop();
    stream.current = null;
    setState('off');
  }, []);

  const start = useCallback(async () => {
    setState('starting');
    try {
      const s = await navigator.mediaDevices.getUserMedia({
        video: deviceId
          ? { deviceId: { exact: deviceId }, width: { ideal: 640 }, height: { ideal: 480 } }
          : { facingMode: 'environment', width: { ideal: 640 }, height: { ideal: 480 } },
        audio: false,
      });
      stream.current = s;
      if (video.current) {
        video.current.srcObject = s;
        await video.current.play().catch(() => {});
      }
      setState('looking');
      // Labels are only known once permission is granted.
      void listDevices();
    } catch {
      setState('denied');
    }
  }, [deviceId, listDevices]);

  useEffect(() => stop, [stop]);

  // The decode loop: one frame in flight at a time; after a read, a pause.
  useEffect(() => {
    if (state !== 'looking') return;
    const worker = new Worker(new URL('../../../src/hardware/camera-worker.ts', import.meta.url), {
      type: 'module',
    });
    // An absolute URL: the worker's own base is its script's, not the page's.
    const init: InitMessage = { type: 'init', wasmUrl: new URL(zxingWasmUrl, document.baseURI).href };
    worker.postMessage(init);
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    let busy = false;
    let stopped = false;
    let frames = 0;
    let since = performance.now();
    // Frame numbers from 0: the worker looks at frame 0 as it is, then in its other ways in turn.
    let id = -1;
    const next = () => {
      if (stopped || busy || !ctx) return;
      const v = video.current;
      if (!v || v.readyState < 2 || v.videoWidth === 0) return;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      ctx.drawImage(v, 0, 0);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      busy = true;
      worker.postMessage(
        { type: 'frame', id: ++id, width: img.width, height: img.height, rgba: img.data.buffer },
        [img.data.buffer],
      );
    };
    worker.onmessage = (ev: MessageEvent<ResultMessage>) => {
      busy = false;
      frames++;
      const now = performance.now();
      if (now - since >= 1000) {
        setFps(Math.round((frames * 1000) / (now - since)));
        frames = 0;
        since = now;
      }
      if (ev.data.failed && !stopped) {
        stopped = true;
        for (const t of stream.current?.getTracks() ?? []) t.stop();
        stream.current = null;
        setState('broken');
        return;
      }
      if (ev.data.text && !stopped) {
        stopped = true;
        setState('read');
        scanCb.current(ev.data.text);
      }
    };
    const timer = window.setInterval(next, 15);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      worker.terminate();
    };
  }, [state]);

  useEffect(() => {
    if (state !== 'read') return;
    const timer = setTimeout(() => setState((s) => (s === 'read' ? 'looking' : s)), CAMERA_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const on = state === 'looking' || state === 'read' || state === 'starting';
  return (
    <section className="card camera" data-testid="camera-panel" data-state={state}>
      <h2 className="card__title">{g('cameraTitle')}</h2>
      {devices.length > 1 ? (
        <label className="field">
          <span className="field__label">{g('cameraChoose')}</span>
          <select
            className="field__input"
            data-testid="camera-select"
            value={deviceId}
            onChange={(e) => {
              setDeviceId(e.target.value);
              localStorage.setItem(STORAGE_KEY, e.target.value);
              if (on) stop();
            }}
          >
            {devices.map((d, i) => (
              <option key={d.deviceId || i} value={d.deviceId}>
                {d.label || `Camera ${i + 1}`}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <div className={`camera__view${on ? '' : ' camera__view--off'}`}>
        <video ref={video} muted playsInline className="camera__video" />
        {state === 'read' ? <div className="camera__flash">{g('cameraRead')}</div> : null}
      </div>
      <p className="camera__state" data-testid="camera-state">
        {state === 'looking'
          ? `${g('cameraLooking')} · ${fps} fps`
          : state === 'read'
            ? g('cameraRead')
            : state === 'denied'
              ? g('cameraDenied')
              : state === 'broken'
                ? g('cameraBroken')
                : '\u00a0'}
      </p>
      <button
        type="button"
        className={`big ${on ? 'big--plain' : 'big--accent'}`}
        data-testid="camera-toggle"
        onClick={() => (on ? stop() : void start())}
      >
        {on ? g('cameraStop') : g('cameraStart')}
      </button>
    </section>
  );
}
