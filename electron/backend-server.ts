// The backend side of the shell's protocol: opens the kiosk core (no HTTP: the window talks through
// IPC) and serves calls, events, incidents and pings over a message port. Knows nothing of Electron,
// so it runs and is tested under plain Node with any port-like object.

import type { CallContext } from '../src/api/dispatch.js';
import { log as logger } from '../src/base/log.js';
import type { ApiError } from '../src/contract/api.js';
import { readDemoSamples } from '../src/demo/setup.js';
import { openKioskFromConfig, type RunningKiosk } from '../src/kiosk.js';
import { type FromBackend, ToBackend } from './backend-messages.js';
import { recordIncident } from './incidents.js';

/** Electron's process.parentPort, or a stand-in with the same shape. */
export interface PortLike {
  on(event: 'message', listener: (messageEvent: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface BackendOptions {
  configPath: string;
  demoSamplesFile?: string | undefined;
  exit: (code: number) => void;
  open?: typeof openKioskFromConfig;
  log?: (line: string) => void;
}

/** Exit code of a backend that could not start; the supervisor restarts it with a growing delay. */
export const EXIT_START_FAILED = 3;

/** Turns a start failure into a bilingual message a technician can act on. */
export function startError(err: unknown): ApiError {
  if (err && typeof err === 'object' && 'code' in err && 'vi' in err && 'en' in err) {
    const e = err as { code: unknown; vi: unknown; en: unknown };
    if (typeof e.code === 'string' && typeof e.vi === 'string' && typeof e.en === 'string')
      return { code: e.code, vi: e.vi, en: e.en };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version/.test(message)) {
    return {
      code: 'NATIVE_MODULE_ABI',
      vi: 'Thư viện SQLite chưa được biên dịch cho Electron: chạy `bash scripts/rebuild-electron.sh` (xem README)',
      en: 'The SQLite module is not built for Electron: run `bash scripts/rebuild-electron.sh` (see the README)',
    };
  }
  return {
    code: 'START_FAILED',
    vi: `Máy không khởi động được: ${message}`,
    en: `The kiosk could not start: ${message}`,
  };
}

export async function serveBackend(port: PortLike, options: BackendOptions): Promise<void> {
  const log = options.log ?? ((line: string) => logger.error(`kiosk backend: ${line}`));
  const post = (message: FromBackend) => port.postMessage(message);
  let kiosk: RunningKiosk | null = null;
  let stopRequested = false;
  // One window, one session: the IPC transport keeps its token the way a browser keeps a cookie.
  const ctx: CallContext = {
    transport: 'ipc',
    token: null,
    setToken: (token) => {
      ctx.token = token;
      post({ type: 'session', token });
    },
  };

  const stop = async () => {
    try {
      await kiosk?.stop();
    } catch (err) {
      log(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    kiosk = null;
    post({ type: 'stopped' });
    options.exit(0);
  };

  port.on('message', ({ data }) => {
    const parsed = ToBackend.safeParse(data);
    if (!parsed.success) {
      log('dropped a malformed message from the main process');
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ping':
        post({ type: 'pong', id: msg.id });
        return;
      case 'session':
        ctx.token = msg.token;
        return;
      case 'stop':
        stopRequested = true;
        if (kiosk) void stop();
        return;
      case 'call': {
        const running = kiosk;
        if (!running) return;
        void running.dispatcher
          .call({ id: msg.id, method: msg.method, params: msg.params }, ctx)
          .then((reply) => post(reply));
        return;
      }
      case 'incident': {
        const store = kiosk?.kiosk.currentStore();
        if (!kiosk || !store) return;
        try {
          const done = recordIncident(store, msg.incident, kiosk.kiosk.status().lane);
          log(
            `incident ${msg.incident.kind} (${msg.incident.detail}) audited` +
              (done.reported ? ' and queued for the command centre' : `; not sent over MQTT: ${done.why}`),
          );
        } catch (err) {
          log(`could not record incident: ${err instanceof Error ? err.message : String(err)}`);
        }
        return;
      }
    }
  });

  try {
    const open = options.open ?? openKioskFromConfig;
    kiosk = await open(options.configPath, {
      http: false,
      ...(options.demoSamplesFile ? { demoSamples: readDemoSamples(options.demoSamplesFile) } : {}),
    });
  } catch (err) {
    const error = startError(err);
    log(`could not start: ${error.en}`);
    post({ type: 'fatal', error });
    options.exit(EXIT_START_FAILED);
    return;
  }
  const running = kiosk;
  running.subscribe((name, data) => {
    if (running.dispatcher.mayReceive(name, ctx)) post({ type: 'event', name, data });
  });
  if (stopRequested) return stop();
  post({ type: 'ready' });
}
