// A hand-written stand-in for the `electron` module, for unit tests of electron/ (the real binary cannot
// be downloaded on our build machines). It records what the shell asks of Electron (window options,
// handlers, switches) and lets a test play Electron's part: fire navigation events, send IPC from a
// frame, crash the renderer, exit the backend. Use with:
//   vi.mock('electron', async () => (await import('../helpers/fake-electron.js')).electronModule);
import { type ChildProcess, fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  [key: string]: unknown;
}

export function fakeEvent(extra: Record<string, unknown> = {}): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...extra,
  };
}

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

type Handler = (...args: never[]) => unknown;

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  destroyed = false;
  readonly mainFrame = new FakeFrame('');
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  readonly loads: string[] = [];
  reloads = 0;
  crashes = 0;
  devToolsClosed = 0;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  reload(): void {
    this.reloads++;
  }
  forcefullyCrashRenderer(): void {
    this.crashes++;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
  async loadURL(url: string): Promise<void> {
    this.loads.push(url);
    this.mainFrame.url = url;
  }
  /** Emits a preventable event as Electron would; returns whether a handler prevented it. */
  fire(name: string, extra: Record<string, unknown> = {}, ...args: unknown[]): boolean {
    const event = fakeEvent(extra);
    this.emit(name, event, ...args);
    return event.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  focused = 0;
  restored = 0;

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
    // Electron announces every new web contents on the app, which is where the shell hardens them.
    fakeApp.emit('web-contents-created', fakeEvent(), this.webContents);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.restored++;
    this.minimized = false;
  }
  focus(): void {
    this.focused++;
  }
  /** What the window manager does on Alt+F4 or the close button. Returns whether it closed. */
  close(): boolean {
    const event = fakeEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
    return true;
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.instances.filter((w) => !w.destroyed);
  }
}

class FakeApp extends EventEmitter {
  singleInstance = true;
  quitCalls = 0;
  exitCode: number | null = null;
  sandboxed = false;
  switches: string[][] = [];
  readonly dataDir = mkdtempSync(join(tmpdir(), 'fake-electron-'));
  readonly commandLine = {
    appendSwitch: (...args: string[]) => {
      this.switches.push(args);
    },
  };
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  enableSandbox(): void {
    this.sandboxed = true;
  }
  readonly paths = new Map<string, string>();
  getPath(name: string): string {
    return this.paths.get(name) ?? join(this.dataDir, name);
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  setAppLogsPath(path: string): void {
    this.paths.set('logs', path);
  }
  /** Like Electron: 'before-quit' may be prevented; otherwise the app is done. */
  quit(): void {
    this.quitCalls++;
    const event = fakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.emit('quit');
  }
  exit(code: number): void {
    this.exitCode = code;
  }
}

class FakeSession extends EventEmitter {
  permissionRequestHandler: Handler | null = null;
  permissionCheckHandler: Handler | null = null;
  devicePermissionHandler: Handler | null = null;
  spellChecker = true;
  setPermissionRequestHandler(h: Handler | null): void {
    this.permissionRequestHandler = h;
  }
  setPermissionCheckHandler(h: Handler | null): void {
    this.permissionCheckHandler = h;
  }
  setDevicePermissionHandler(h: Handler | null): void {
    this.devicePermissionHandler = h;
  }
  setSpellCheckerEnabled(on: boolean): void {
    this.spellChecker = on;
  }
}

/** A backend utility process driven by the test: it posts messages and exits when told to. */
export class FakeChild extends EventEmitter {
  private static nextPid = 4000;
  readonly pid = FakeChild.nextPid++;
  readonly posted: unknown[] = [];
  kills = 0;
  constructor(
    readonly entry: string,
    readonly args: string[],
    readonly options: Record<string, unknown> = {},
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  /** The backend says something to main. */
  say(message: unknown): void {
    this.emit('message', message);
  }
  /** The backend process ends. */
  exit(code: number): void {
    this.emit('exit', code);
  }
}

type ForkImpl = (entry: string, args: string[], options: Record<string, unknown>) => unknown;

export const fakeApp = new FakeApp();
const defaultSession = new FakeSession();

export const fake = {
  app: fakeApp,
  session: { defaultSession },
  protocol: {
    privileged: [] as unknown[],
    handlers: new Map<string, (request: Request) => Promise<Response>>(),
    registerSchemesAsPrivileged(list: unknown[]): void {
      fake.protocol.privileged.push(...list);
    },
    handle(scheme: string, h: (request: Request) => Promise<Response>): void {
      fake.protocol.handlers.set(scheme, h);
    },
  },
  ipcMain: {
    handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
    handle(channel: string, fn: (event: unknown, ...args: unknown[]) => unknown): void {
      if (fake.ipcMain.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      fake.ipcMain.handlers.set(channel, fn);
    },
    removeHandler(channel: string): void {
      fake.ipcMain.handlers.delete(channel);
    },
    /** Plays a renderer's ipcRenderer.invoke from the given contents and frame. */
    async invoke(
      channel: string,
      sender: FakeWebContents,
      senderFrame: FakeFrame | null,
      ...args: unknown[]
    ) {
      const fn = fake.ipcMain.handlers.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      return fn({ sender, senderFrame, processId: 1, frameId: 1 }, ...args);
    },
  },
  Menu: {
    applicationMenu: undefined as unknown,
    setApplicationMenu(menu: unknown): void {
      fake.Menu.applicationMenu = menu;
    },
  },
  powerSaveBlocker: {
    started: new Map<number, string>(),
    nextId: 1,
    start(type: string): number {
      const id = fake.powerSaveBlocker.nextId++;
      fake.powerSaveBlocker.started.set(id, type);
      return id;
    },
    stop(id: number): void {
      fake.powerSaveBlocker.started.delete(id);
    },
    isStarted(id: number): boolean {
      return fake.powerSaveBlocker.started.has(id);
    },
  },
  utilityProcess: {
    forks: [] as FakeChild[],
    /** Replace to fork something real (see forkNodeBackend). */
    impl: null as ForkImpl | null,
    fork(entry: string, args: string[] = [], options: Record<string, unknown> = {}): unknown {
      if (fake.utilityProcess.impl) return fake.utilityProcess.impl(entry, args, options);
      const child = new FakeChild(entry, args, options);
      fake.utilityProcess.forks.push(child);
      return child;
    },
  },
  shell: {
    opened: [] as string[],
    async openExternal(url: string): Promise<void> {
      fake.shell.opened.push(url);
    },
  },
  // Renderer side, for the preload.
  contextBridge: {
    exposed: new Map<string, unknown>(),
    exposeInMainWorld(key: string, api: unknown): void {
      fake.contextBridge.exposed.set(key, api);
    },
  },
  ipcRenderer: Object.assign(new EventEmitter(), {
    invoked: [] as Array<{ channel: string; args: unknown[] }>,
    /** What main answers; a test sets it. */
    answer: (async () => undefined) as (channel: string, ...args: unknown[]) => Promise<unknown>,
    invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      fake.ipcRenderer.invoked.push({ channel, args });
      return fake.ipcRenderer.answer(channel, ...args);
    },
  }),

  /** Back to a freshly started Electron (objects keep their identity: modules hold them). */
  reset(): void {
    fakeApp.removeAllListeners();
    Object.assign(fakeApp, { singleInstance: true, quitCalls: 0, exitCode: null, sandboxed: false });
    fakeApp.switches = [];
    fakeApp.paths.clear();
    defaultSession.removeAllListeners();
    defaultSession.permissionRequestHandler = null;
    defaultSession.permissionCheckHandler = null;
    defaultSession.devicePermissionHandler = null;
    defaultSession.spellChecker = true;
    fake.protocol.privileged.length = 0;
    fake.protocol.handlers.clear();
    fake.ipcMain.handlers.clear();
    fake.Menu.applicationMenu = undefined;
    fake.powerSaveBlocker.started.clear();
    fake.utilityProcess.forks.length = 0;
    fake.utilityProcess.impl = null;
    fake.shell.opened.length = 0;
    fake.contextBridge.exposed.clear();
    fake.ipcRenderer.removeAllListeners();
    fake.ipcRenderer.invoked.length = 0;
    FakeBrowserWindow.instances.length = 0;
  },
};

/** The module object vi.mock('electron') returns. */
export const electronModule = {
  app: fake.app,
  BrowserWindow: FakeBrowserWindow,
  session: fake.session,
  protocol: fake.protocol,
  ipcMain: fake.ipcMain,
  Menu: fake.Menu,
  powerSaveBlocker: fake.powerSaveBlocker,
  utilityProcess: fake.utilityProcess,
  shell: fake.shell,
  contextBridge: fake.contextBridge,
  ipcRenderer: fake.ipcRenderer,
  get default() {
    return electronModule;
  },
};

// process.parentPort for a plain Node child: Electron's utility process API over Node's IPC channel.
const PARENT_PORT_SHIM = `data:text/javascript,${encodeURIComponent(`
import { EventEmitter } from 'node:events';
const port = new EventEmitter();
process.on('message', (data) => port.emit('message', { data }));
port.postMessage = (message) => { if (process.connected) process.send(message); };
process.parentPort = port;
`)}`;

/** A real backend process (Node + tsx, running electron/backend.ts) behind the utility process API. */
export class NodeBackendChild extends EventEmitter {
  readonly process: ChildProcess;
  output = '';
  /** tsx: run TypeScript sources (default); off for compiled files that must stand alone. */
  constructor(
    entry: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
    options: { tsx?: boolean; cwd?: string } = {},
  ) {
    super();
    const source = entry.endsWith('.js') && !existsSync(entry) ? entry.replace(/\.js$/, '.ts') : entry;
    const tsx = options.tsx ?? true;
    this.process = fork(source, args, {
      execArgv: [...(tsx ? ['--import', 'tsx'] : []), '--import', PARENT_PORT_SHIM],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env,
    });
    const collect = (d: Buffer) => {
      this.output += d.toString();
    };
    this.process.stdout?.on('data', collect);
    this.process.stderr?.on('data', collect);
    this.process.on('message', (m) => this.emit('message', m));
    this.process.on('exit', (code, signal) => this.emit('exit', code ?? (signal ? 128 + 9 : 1)));
  }
  get pid(): number | undefined {
    return this.process.pid;
  }
  postMessage(message: unknown): void {
    if (this.process.connected) this.process.send(message as never);
  }
  kill(): boolean {
    return this.process.kill('SIGTERM');
  }
}
