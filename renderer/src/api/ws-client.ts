// KioskClient over the browser host's WebSocket (/api/ws). Reconnects with backoff; calls pending when
// the socket closes are rejected (the caller decides whether to retry: a scan must never be sent twice
// silently); event listeners survive reconnects because the server broadcasts to every socket.
// Every incoming message is validated with the shared schema before it reaches the UI.
import {
  type ApiError,
  type EventData,
  type EventName,
  events,
  type KioskClient,
  type MethodName,
  methods,
  type Params,
  type Result,
} from '../../../src/contract/api.js';

/** The part of a WebSocket this client uses: the browser's WebSocket and the `ws` package both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

export interface WsClientOptions {
  socketFactory?: SocketFactory;
  /** First reconnect delay; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A call with no answer after this long is rejected. */
  callTimeoutMs?: number;
}

/** A failed call: a stable code and both languages, like every kiosk error. */
export class KioskCallError extends Error implements ApiError {
  constructor(
    readonly code: string,
    readonly vi: string,
    readonly en: string,
  ) {
    super(`${code}: ${en}`);
    this.name = 'KioskCallError';
  }
}

const OPEN = 1;
const CONNECTING = 0;

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (err: KioskCallError) => void;
  timer: ReturnType<typeof setTimeout>;
  text: string;
  sent: boolean;
}

type AnyListener = (data: unknown) => void;

export class WsKioskClient implements KioskClient {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<AnyListener>>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private connected = false;
  private readonly factory: SocketFactory;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly callTimeout: number;

  constructor(
    private readonly url: string,
    options: WsClientOptions = {},
  ) {
    this.factory = options.socketFactory ?? defaultFactory;
    this.minDelay = options.minDelayMs ?? 500;
    this.maxDelay = options.maxDelayMs ?? 10_000;
    this.callTimeout = options.callTimeoutMs ?? 15_000;
    this.connect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Listens for connection changes: called at once with the current state (the socket may have
   * opened before the listener came), then true on every (re)connect and false on every drop.
   */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.connected);
    return () => this.connectionListeners.delete(listener);
  }

  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    return new Promise<Result<M>>((resolve, reject) => {
      const socket = this.socket;
      if (this.closed || !socket || (socket.readyState !== OPEN && socket.readyState !== CONNECTING)) {
        reject(disconnected());
        return;
      }
      const id = this.nextId++;
      const text = JSON.stringify({ type: 'call', id, method, params });
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new KioskCallError(
            'TIMEOUT',
            'Máy không trả lời kịp, thử lại',
            'The kiosk did not answer in time; retry',
          ),
        );
      }, this.callTimeout);
      this.pending.set(id, {
        method,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        text,
        sent: false,
      });
      // While connecting, the call waits in `pending` and is sent on open.
      if (socket.readyState === OPEN) this.send(id);
    });
  }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as AnyListener;
    set.add(l);
    return () => set.delete(l);
  }

  /** Stops for good: closes the socket, rejects pending calls, no more reconnects. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close(1000, 'client closing');
    this.dropped();
  }

  private send(id: number): void {
    const p = this.pending.get(id);
    if (!p || p.sent || !this.socket) return;
    p.sent = true;
    this.socket.send(p.text);
  }

  private connect(): void {
    if (this.closed) return;
    let socket: SocketLike;
    try {
      socket = this.factory(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.connected = true;
      for (const id of this.pending.keys()) this.send(id);
      for (const l of this.connectionListeners) l(true);
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.onMessage(ev.data);
    };
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropped();
      this.scheduleReconnect();
    };
  }

  private dropped(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(disconnected());
    }
    if (this.connected) {
      this.connected = false;
      for (const l of this.connectionListeners) l(false);
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const exp = Math.min(this.maxDelay, this.minDelay * 2 ** this.attempt);
    // Jitter so that many kiosk screens restarting together do not reconnect in lock-step.
    const delay = exp / 2 + Math.random() * (exp / 2);
    this.attempt = Math.min(this.attempt + 1, 20);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    const m = msg as Record<string, unknown>;
    if (m.type === 'event') this.onEvent(m.name, m.data);
    else if (m.type === 'result' && typeof m.id === 'number') this.onResult(m.id, m);
  }

  private onEvent(name: unknown, data: unknown): void {
    if (typeof name !== 'string' || !Object.hasOwn(events, name)) return;
    const eventName = name as EventName;
    const parsed = events[eventName].safeParse(data);
    if (!parsed.success) {
      console.warn(`kiosk client: dropped malformed ${eventName} event`);
      return;
    }
    for (const l of this.listeners.get(eventName) ?? []) {
      try {
        l(parsed.data);
      } catch (err) {
        console.error('kiosk client: event listener failed', err);
      }
    }
  }

  private onResult(id: number, m: Record<string, unknown>): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (m.ok === true) {
      const parsed = methods[p.method].result.safeParse(m.result);
      if (parsed.success) p.resolve(parsed.data);
      else
        p.reject(
          new KioskCallError('BAD_RESULT', 'Máy trả lời sai dạng', 'The kiosk sent a malformed answer'),
        );
      return;
    }
    const e = (m.error ?? {}) as Record<string, unknown>;
    const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v : fallback);
    p.reject(new KioskCallError(str(e.code, 'ERROR'), str(e.vi, 'Lỗi không rõ'), str(e.en, 'Unknown error')));
  }
}

function disconnected(): KioskCallError {
  return new KioskCallError('DISCONNECTED', 'Mất kết nối với máy kiểm soát', 'Lost connection to the kiosk');
}

const defaultFactory: SocketFactory = (url) => {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!Ctor) throw new Error('WebSocket is not available');
  return new Ctor(url);
};

/** The kiosk's WebSocket URL on the page's own host. */
export function defaultWsUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
}
