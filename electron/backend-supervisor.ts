// Runs the kiosk core (scanner, SQLite, MQTT) in a child process and keeps it running. Why a child:
// a native crash in better-sqlite3 or serialport, an out-of-memory or a hang would otherwise take the
// window down with it; in a utility process it only costs a restart, and the screen says so meanwhile.
// Calls in flight when the backend dies are answered with an error, never re-sent (a scan must not be
// recorded twice); calls made before the very first start completes wait for it.
import { log } from '../src/base/log.js';
import { type EventName, events, isMethodName, type MethodName, methods } from '../src/contract/api.js';
import {
  type CallReply,
  FromBackend,
  type Incident,
  shellErrors,
  type ToBackend,
} from './backend-messages.js';

/** The part of Electron's UtilityProcess the supervisor uses (a fake one in unit tests). */
export interface ChildLike {
  readonly pid?: number | undefined;
  postMessage(message: unknown): void;
  kill(): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
}

export type ForkFn = (entry: string, args: string[]) => ChildLike;

export type BackendState = 'stopped' | 'starting' | 'ready' | 'down' | 'stopping';

export interface SupervisorOptions {
  entry: string;
  args: string[];
  fork: ForkFn;
  onEvent: (name: EventName, data: unknown) => void;
  /** restarted: true when this is a new backend after one that had been ready. */
  onReady?: (restarted: boolean) => void;
  /** A backend that had been running exited: the incident, also queued for the next backend. */
  onIncident?: (incident: Incident) => void;
  callTimeoutMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** A backend up this long is healthy again: the next restart starts from the shortest delay. */
  stableMs?: number;
  pingIntervalMs?: number;
  /** No pong for this long: the backend is hung; it is killed and restarted. */
  hangTimeoutMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

interface Pending {
  method: MethodName;
  resolve: (reply: CallReply) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiting extends Pending {
  params: unknown;
}

const MAX_QUEUED_INCIDENTS = 50;

export class BackendSupervisor {
  private child: ChildLike | null = null;
  private stateValue: BackendState = 'stopped';
  private everReady = false;
  private childWasReady = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private waiting: Waiting[] = [];
  private incidents: Incident[] = [];
  private attempts = 0;
  private lastError: CallReply & { ok: false } = { ok: false, error: shellErrors.starting };
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private stableTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastPongAt = 0;
  private hungKill = false;
  private stopWaiters: Array<() => void> = [];
  /** The window's login session: main keeps it so a restarted backend still knows who is logged in. */
  private sessionToken: string | null = null;
  private readonly o: Required<Omit<SupervisorOptions, 'onReady' | 'onIncident'>> &
    Pick<SupervisorOptions, 'onReady' | 'onIncident'>;

  constructor(options: SupervisorOptions) {
    this.o = {
      callTimeoutMs: 15_000,
      backoffMinMs: 500,
      backoffMaxMs: 30_000,
      stableMs: 60_000,
      pingIntervalMs: 5_000,
      hangTimeoutMs: 30_000,
      now: Date.now,
      log: (line) => log.error(`kiosk (electron): ${line}`),
      ...options,
    };
  }

  get state(): BackendState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stateValue !== 'stopped' && this.stateValue !== 'down') return;
    this.spawn();
  }

  /** Calls a kiosk API method in the backend. Never rejects: failures are bilingual error replies. */
  call(method: string, params: unknown): Promise<CallReply> {
    if (!isMethodName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', vi: `Không có lệnh ${method}`, en: `No such method ${method}` },
      });
    }
    const state = this.stateValue;
    if (state === 'stopping' || state === 'stopped') {
      return Promise.resolve({ ok: false, error: shellErrors.stopping });
    }
    if (state === 'ready') return this.send(method, params);
    // Before the first start completes, wait for it (the window loads in parallel with the core).
    if (!this.everReady && this.lastError.error.code === shellErrors.starting.code) {
      return new Promise((resolve) => {
        const entry: Waiting = {
          method,
          params,
          resolve,
          timer: setTimeout(() => {
            this.waiting = this.waiting.filter((w) => w !== entry);
            resolve({ ok: false, error: shellErrors.timeout });
          }, this.o.callTimeoutMs),
        };
        this.waiting.push(entry);
      });
    }
    return Promise.resolve(this.everReady ? { ok: false, error: shellErrors.restarting } : this.lastError);
  }

  /** Queues an incident for the backend to audit and report; delivered as soon as one is ready. */
  report(incident: Incident): void {
    this.incidents.push(incident);
    if (this.incidents.length > MAX_QUEUED_INCIDENTS) this.incidents.shift();
    if (this.stateValue === 'ready') this.flushIncidents();
  }

  /** Asks the backend to stop cleanly (closing the database and the MQTT session); kills it if slow. */
  stop(timeoutMs = 5_000): Promise<void> {
    this.clearTimers();
    const child = this.child;
    this.stateValue = child ? 'stopping' : 'stopped';
    this.failAll(shellErrors.stopping);
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill(), timeoutMs);
      this.stopWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.post({ type: 'stop' });
    });
  }

  private spawn(): void {
    this.stateValue = 'starting';
    this.childWasReady = false;
    this.hungKill = false;
    let child: ChildLike;
    try {
      child = this.o.fork(this.o.entry, this.o.args);
    } catch (err) {
      this.o.log(`could not start the backend: ${err instanceof Error ? err.message : String(err)}`);
      this.stateValue = 'down';
      this.scheduleRestart();
      return;
    }
    this.child = child;
    child.on('message', (message) => {
      if (this.child === child) this.onMessage(message);
    });
    child.on('exit', (code) => {
      if (this.child === child) this.onExit(code);
    });
  }

  private onMessage(raw: unknown): void {
    const parsed = FromBackend.safeParse(raw);
    if (!parsed.success) {
      this.o.log('dropped a malformed message from the backend');
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        this.onReady();
        return;
      case 'fatal':
        this.lastError = { ok: false, error: msg.error };
        this.o.log(`backend could not start: ${msg.error.en}`);
        for (const w of this.waiting.splice(0)) {
          clearTimeout(w.timer);
          w.resolve(this.lastError);
        }
        return;
      case 'result':
        this.onResult(msg);
        return;
      case 'event': {
        if (!Object.hasOwn(events, msg.name)) return;
        const name = msg.name as EventName;
        const data = events[name].safeParse(msg.data);
        if (data.success) this.o.onEvent(name, data.data);
        else this.o.log(`dropped a malformed ${name} event from the backend`);
        return;
      }
      case 'pong':
        this.lastPongAt = this.o.now();
        return;
      case 'session':
        this.sessionToken = msg.token;
        return;
      case 'stopped':
        return;
    }
  }

  private onReady(): void {
    const restarted = this.everReady;
    this.stateValue = 'ready';
    this.everReady = true;
    this.childWasReady = true;
    this.lastError = { ok: false, error: shellErrors.restarting };
    this.lastPongAt = this.o.now();
    this.stableTimer = setTimeout(() => {
      this.attempts = 0;
    }, this.o.stableMs);
    this.pingTimer = setInterval(() => this.ping(), this.o.pingIntervalMs);
    if (this.sessionToken !== null) this.post({ type: 'session', token: this.sessionToken });
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      void this.send(w.method, w.params).then(w.resolve);
    }
    this.flushIncidents();
    this.o.onReady?.(restarted);
  }

  private onResult(msg: Extract<FromBackend, { type: 'result' }>): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (!msg.ok) {
      p.resolve({ ok: false, error: msg.error });
      return;
    }
    const result = methods[p.method].result.safeParse(msg.result);
    p.resolve(
      result.success ? { ok: true, result: result.data } : { ok: false, error: shellErrors.badResult },
    );
  }

  private onExit(code: number): void {
    const wasReady = this.childWasReady;
    const stopping = this.stateValue === 'stopping';
    this.child = null;
    this.clearTimers();
    this.failPending(stopping ? shellErrors.stopping : shellErrors.restarting);
    if (stopping) {
      this.stateValue = 'stopped';
      for (const done of this.stopWaiters.splice(0)) done();
      return;
    }
    this.stateValue = 'down';
    const detail = this.hungKill
      ? `hung: no answer for ${Math.round(this.o.hangTimeoutMs / 1000)} s, killed`
      : `exit code ${code}`;
    this.o.log(`backend ${wasReady ? 'stopped' : 'failed to start'} (${detail}); restarting`);
    // Only a backend that had been running is an incident; a start that keeps failing (bad config)
    // is on screen and in the log, and could not be recorded anyway.
    if (wasReady) {
      const incident: Incident = { kind: 'backend-exit', at: new Date(this.o.now()).toISOString(), detail };
      this.report(incident);
      this.o.onIncident?.(incident);
    }
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delay = Math.min(this.o.backoffMaxMs, this.o.backoffMinMs * 2 ** this.attempts);
    this.attempts = Math.min(this.attempts + 1, 16);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stateValue === 'down') this.spawn();
    }, delay);
  }

  private ping(): void {
    if (this.stateValue !== 'ready' || !this.child) return;
    if (this.o.now() - this.lastPongAt > this.o.hangTimeoutMs) {
      this.o.log('backend does not answer; killing it');
      this.hungKill = true;
      this.child.kill();
      return;
    }
    this.post({ type: 'ping', id: this.nextId++ });
  }

  private send(method: MethodName, params: unknown): Promise<CallReply> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: shellErrors.timeout });
      }, this.o.callTimeoutMs);
      this.pending.set(id, { method, resolve, timer });
      this.post({ type: 'call', id, method, params });
    });
  }

  private flushIncidents(): void {
    for (const incident of this.incidents.splice(0)) this.post({ type: 'incident', incident });
  }

  private post(message: ToBackend): void {
    try {
      this.child?.postMessage(message);
    } catch (err) {
      this.o.log(`could not post to the backend: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private failPending(error: { code: string; vi: string; en: string }): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ ok: false, error });
    }
  }

  private failAll(error: { code: string; vi: string; en: string }): void {
    this.failPending(error);
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.resolve({ ok: false, error });
    }
  }

  private clearTimers(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.restartTimer = this.stableTimer = this.pingTimer = null;
  }
}
