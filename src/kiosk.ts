// The composition root: builds the parts, wires them through the event bus, starts and stops them in
// order. It holds no use case: a scan is the scan service's (lane/scan-service.ts). The store and the
// accounts are needed by everything, so their failure stops the start; any other part that fails is
// reported and the rest go on (a kiosk with a dead scanner still serves manual entry and audit).
import { Dispatcher, type EventListener } from './api/dispatch.js';
import { EventBus } from './base/bus.js';
import { log } from './base/log.js';
import { RENDERER_DIR, VERSION } from './base/package-root.js';
import { systemTimers } from './base/timers.js';
import type { KioskOptions } from './config/options.js';
import { kioskOptionsFromSettings } from './config/options.js';
import { loadSettings } from './config/settings.js';
import type { DemoSample, KioskStatus, Verdict } from './contract/api.js';
import { KioskError } from './contract/errors.js';
import type { KioskEvents } from './contract/events.js';
import { defaultKioskId } from './contract/mqtt-topics.js';
import type { ScanSource } from './contract/reasons.js';
import { clockSkewMs } from './documents/clock.js';
import { openDocuments } from './documents/open.js';
import type { DocumentStore } from './documents/store.js';
import { SerialScanner } from './hardware/serial-scanner.js';
import { BrowserHost } from './host/server.js';
import { lanTlsRequired } from './host/tls-files.js';
import { laneMethods } from './lane/methods.js';
import { type ScanOptions, ScanService } from './lane/scan-service.js';
import { StatusBoard } from './lane/status.js';
import { idnKeyLocation, openIdnKey } from './store/idn-key-file.js';
import { PeerPassages } from './store/peer-passages.js';
import { openStore, type Store } from './store/store.js';
import { SummaryScheduler } from './store/summary-scheduler.js';
import { Supervision, supervisionOptions } from './supervision/supervision.js';
import { AlertWatch } from './uplink/alerts.js';
import { Downlink } from './uplink/downlink.js';
import { PeerWatch } from './uplink/peers.js';
import { Uplink } from './uplink/uplink.js';

export type { KioskOptions } from './config/options.js';
export { kioskOptionsFromSettings } from './config/options.js';

interface Part {
  name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

export class Kiosk {
  readonly bus = new EventBus<KioskEvents>();
  readonly supervision: Supervision;
  readonly dispatcher: Dispatcher;
  private readonly startedAt: number;
  private store: Store | null = null;
  private documents: DocumentStore | null = null;
  private scanService: ScanService | null = null;
  private board: StatusBoard | null = null;
  private peers: PeerWatch | null = null;
  private parts: Part[] = [];
  private url: string | null = null;

  constructor(private readonly options: KioskOptions) {
    this.startedAt = this.now();
    this.supervision = new Supervision(
      supervisionOptions(options, {
        lane: () => this.scanService?.lane ?? options.lane ?? '1',
        now: () => this.now(),
        onShiftChange: () => this.bus.emit('shift.changed', this.supervision.shiftStatus()),
        ...(options.timers ? { timers: options.timers } : {}),
        onPurgeProgress: (p) => this.bus.emit('retention.progress', p),
      }),
    );
    // Every call is checked against the caller's role (contract/access.ts); parts resolve at call time.
    this.dispatcher = new Dispatcher(
      {
        'status.get': async () => this.status(),
        'demo.samples': async () => options.demoSamples ?? [],
        ...this.supervision.methods(),
        ...laneMethods({
          scan: () => this.requireScan(),
          duty: { current: () => this.supervision.duty() },
          status: () => this.status(),
          overrideRequiresSupervisor: () =>
            this.judgeDocuments().checkpoint.policy.overrideRequiresSupervisor,
          approveAsSupervisor: (name, pin, peer) =>
            this.supervision.auth.approveAsSupervisor(name, pin, peer),
        }),
      },
      this.supervision,
    );
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** This kiosk's MQTT identity within its checkpoint: kiosk.json's `kioskId`, or `L` + its lane. */
  get kioskId(): string {
    const o = this.options;
    return o.kioskId ?? defaultKioskId(o.lane ?? o.checkpoint.checkpoint.lanes[0] ?? '1');
  }

  async start(): Promise<void> {
    const o = this.options;
    // Before anything is opened: a LAN host without TLS is refused, never served in clear.
    if (o.http !== false && o.http.lan === true && !o.http.tls) throw lanTlsRequired();
    const now = () => this.now();
    const bus = this.bus;
    const store = openStore(o.database, o.checkpoint, {
      windowMs: (o.mqtt?.summaryWindowSeconds ?? 60) * 1000,
      bus,
      kioskId: this.kioskId,
      ...(o.timers ? { timers: o.timers } : {}),
    });
    this.store = store;
    try {
      // Before any other part opens the database: a migration from the old in-database key rebuilds it.
      store.attachIdn(openIdnKey(store.db, idnKeyLocation(o)).key);
    } catch (err) {
      store.close();
      this.store = null;
      throw err;
    }
    await this.supervision.start(store);
    this.documents = await openDocuments(store.db, {
      root: o.root,
      checkpoint: o.checkpoint,
      kioskId: this.kioskId,
      now,
      trustFile: o.trustFile,
      audit: (e) => store.chain.append(e),
    });
    this.documents.onChange(() => bus.emit('documents.changed', undefined));
    // The area's other kiosks' passages, over MQTT: without it, anti-passback knows this kiosk only.
    const peers = o.mqtt
      ? new PeerWatch({
          scope: store.scope,
          instance: store.outboxStats().instance,
          checkpoint: () => this.judgeDocuments().checkpoint,
          store: new PeerPassages(store.db),
          bus,
          now,
          timers: o.timers ?? systemTimers,
        })
      : null;
    this.peers = peers;
    const scan = new ScanService({
      documents: () => this.judgeDocuments(),
      log: store,
      shared: peers,
      duty: { current: () => this.supervision.duty() },
      bus,
      now,
      lane: o.lane,
      direction: o.direction,
    });
    this.scanService = scan;
    const board = new StatusBoard({
      bus,
      scan,
      checkpoint: () => this.judgeDocuments().checkpoint,
      shift: () => this.supervision.shiftStatus(),
      purge: () => this.supervision.purgeStatus(),
      version: VERSION,
      startedAtMs: this.startedAt,
      demo: (o.demoSamples?.length ?? 0) > 0,
      serialScanner: o.serial !== null,
      uplinkEnabled: o.mqtt !== null,
      peers: peers ? () => peers.status() : null,
      now,
    });
    this.board = board;
    const alerts = new AlertWatch({
      enqueue: (k, p, at) => store.enqueue(k, p, at),
      now,
      outbox: () => store.outboxStats(),
    });
    const scheduler = new SummaryScheduler(store, { now, bus, timers: o.timers });
    this.parts = [
      { name: 'scan', start: () => scan.start(), stop: () => scan.stop() },
      { name: 'status', start: () => board.start(), stop: () => board.stop() },
      { name: 'alerts', start: () => alerts.start(bus, () => scan.lane), stop: () => alerts.stop(bus) },
      { name: 'summaries', start: () => scheduler.start(), stop: () => scheduler.stop() },
      ...(peers ? [{ name: 'peers', start: () => peers.start(), stop: () => peers.stop() }] : []),
      ...this.uplinkPart(store),
      ...this.scannerPart(scan),
      ...this.hostPart(),
    ];
    for (const part of this.parts) {
      try {
        await part.start();
      } catch (err) {
        log.error(`kiosk: ${part.name} failed to start:`, err instanceof Error ? err.message : err);
      }
    }
    if (o.http && !this.url)
      throw new KioskError('HTTP_FAILED', 'Không mở được cổng giao diện', 'Could not open the UI port');
  }

  private uplinkPart(store: Store): Part[] {
    const { mqtt, checkpoint } = this.options;
    const documents = this.documents;
    if (!mqtt || !documents) return [];
    const c = checkpoint.checkpoint;
    const scope = { district: c.district, checkpoint: c.id, kiosk: this.kioskId };
    const scan = this.scanService;
    const peers = this.peers;
    const downlink = new Downlink({
      scope,
      documents,
      acks: store,
      now: () => this.now(),
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      onFault: (fault) => this.bus.emit('documents.fault', fault),
      refetch: (topic) => uplink.refetch(topic),
    });
    const uplink: Uplink = new Uplink({
      ...mqtt,
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      scope,
      clientId: `kiosk-${c.id}-${this.kioskId}`,
      lane: () => scan?.lane ?? this.options.lane ?? c.lanes[0] ?? '1',
      direction: () => scan?.direction ?? this.options.direction ?? 'in',
      scannerConfigured: this.options.serial !== null,
      receiptTimeoutMs: (mqtt.receiptTimeoutSeconds ?? 60) * 1000,
      outbox: store,
      version: VERSION,
      startedAtMs: this.startedAt,
      bus: this.bus,
      clockSkew: () => clockSkewMs(this.now(), documents.current().newestIssuedMs),
      area: () => {
        const cp = this.judgeDocuments().checkpoint.checkpoint;
        return { area: cp.area, checkpointKind: cp.kind };
      },
      downlink: {
        topics: [...downlink.topics(), ...(peers?.topics() ?? [])],
        onMessage: (t, p, retained) => {
          if (peers?.owns(t)) peers.handle(t, p, retained);
          else void downlink.handle(t, p);
        },
      },
      now: () => this.now(),
    });
    return [
      {
        name: 'uplink',
        start: () => uplink.start(),
        stop: async () => {
          downlink.stop();
          await uplink.stop();
        },
      },
    ];
  }

  private scannerPart(scan: ScanService): Part[] {
    const serial = this.options.serial;
    if (!serial) return [];
    const scanner = new SerialScanner({
      path: serial.path,
      usb: serial.usb,
      baudRate: serial.baudRate,
      suffix: serial.suffix,
    });
    scanner.onScan((text) => scan.scan(text, 'serial'));
    scanner.onState((s) => this.bus.emit('scanner.state', s));
    scanner.onDiagnostic((d) => {
      log.warn(`scanner: ${d.code}: ${d.en}`);
      this.bus.emit('scanner.diagnostic', { ...d, at: new Date(this.now()).toISOString() });
    });
    return [{ name: 'scanner', start: () => scanner.start(), stop: () => scanner.stop() }];
  }

  private hostPart(): Part[] {
    const http = this.options.http;
    if (!http) return [];
    const host = new BrowserHost({
      host: http.host,
      port: http.port,
      staticDir: this.options.staticDir ?? RENDERER_DIR,
      dispatcher: this.dispatcher,
      subscribe: (l) => this.subscribe(l),
      tls: http.tls,
    });
    return [
      {
        name: 'http',
        start: async () => {
          this.url = (await host.start()).url;
        },
        stop: () => host.stop(),
      },
    ];
  }

  async stop(): Promise<void> {
    this.supervision.stop();
    for (const part of [...this.parts].reverse()) {
      try {
        await part.stop();
      } catch (err) {
        log.error(`kiosk: ${part.name} failed to stop:`, err);
      }
    }
    this.parts = [];
    await this.documents?.stop();
    this.documents = null;
    this.store?.close();
    this.store = null;
    this.scanService = null;
  }

  /** The kiosk API's events (verdicts, status) for a transport; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    const offVerdict = this.bus.on('verdict', (v) => listener('verdict', v));
    const offStatus = this.bus.on('status.changed', () => {
      if (this.board) listener('status', this.board.status());
    });
    return () => {
      offVerdict();
      offStatus();
    };
  }

  /** One scan through the scan service, as a scanner would hand it over. */
  /** The shared history of the area (null without MQTT): what has been heard of the area's peers. */
  get sharedHistory(): PeerWatch | null {
    return this.peers;
  }

  scan(text: string, source: ScanSource, opts: ScanOptions = {}): Verdict {
    return this.requireScan().scan(text, source, opts);
  }

  status(): KioskStatus {
    if (!this.board) throw notStarted();
    return this.board.status();
  }

  get baseUrl(): string | null {
    return this.url;
  }

  /** The open store (null before start and after stop), for the Electron backend's incident audit. */
  currentStore(): Store | null {
    return this.store;
  }

  /** The signed documents held (null before start and after stop). */
  currentDocuments(): DocumentStore | null {
    return this.documents;
  }

  /** What a scan is judged against: the document store's snapshot, or the options when it holds no trust list. */
  private judgeDocuments() {
    const d = this.documents?.current();
    return {
      checkpoint: d?.checkpoint ?? this.options.checkpoint,
      trust: d?.trust ?? this.options.trust,
      revocations: d?.revocations ?? null,
      zones: d?.zones ?? null,
      newestDocumentMs: d?.newestIssuedMs ?? null,
    };
  }

  private requireScan(): ScanService {
    if (!this.scanService) throw notStarted();
    return this.scanService;
  }
}

function notStarted(): KioskError {
  return new KioskError('NOT_STARTED', 'Máy chưa sẵn sàng', 'The kiosk is not started');
}

export interface RunningKiosk {
  kiosk: Kiosk;
  dispatcher: Dispatcher;
  url: string | null;
  subscribe(listener: EventListener): () => void;
  stop(): Promise<void>;
}

export async function openKioskFromConfig(
  configPath: string,
  opts: { http?: boolean; demoSamples?: DemoSample[] } = {},
): Promise<RunningKiosk> {
  const options = await kioskOptionsFromSettings(loadSettings(configPath));
  if (opts.http === false) options.http = false;
  if (opts.demoSamples) options.demoSamples = opts.demoSamples;
  const kiosk = new Kiosk(options);
  await kiosk.start();
  return {
    kiosk,
    dispatcher: kiosk.dispatcher,
    url: kiosk.baseUrl,
    subscribe: (l) => kiosk.subscribe(l),
    stop: () => kiosk.stop(),
  };
}
