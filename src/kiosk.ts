// The composition root: wires scanner → scan pipeline → store → uplink, and serves the kiosk API.
// Parts are constructed here and started in order; a part that fails to start is reported and the
// rest go on (a kiosk with a dead scanner still serves manual entry and audit).

import type { KeyObject } from 'node:crypto';
import { type ScannerStatus, SerialScanner } from '../hardware/serial-scanner.js';
import { Dispatcher, type EventListener, type Implementation } from './api/dispatch.js';
import { KioskError } from './api/errors.js';
import type { Direction, ScanSource } from './api/reasons.js';
import type { DemoSample, EventName, KioskStatus, ScannerState, Verdict } from './api/schema.js';
import { areaName } from './areas/index.js';
import { Supervision } from './audit/supervision.js';
import { sessionPolicyOf } from './auth/settings.js';
import { CheckpointConfig } from './config/checkpoint.js';
import { readTextFile } from './config/files.js';
import { loadSettings, type Settings } from './config/settings.js';
import { isHc1 } from './dcc/cose.js';
import { HealthPairing } from './dcc/pairing.js';
import { healthFields, proofVerdict } from './dcc/verdict.js';
import { clockSkewMs } from './documents/clock.js';
import { judgeDocuments, openDocuments } from './documents/open.js';
import type { DocumentStore } from './documents/store.js';
import { loadTrustList, type TrustList } from './documents/trust-list.js';
import { BrowserHost } from './host/server.js';
import { shiftCounts } from './lane/counts.js';
import { LaneDesk, vehicleView } from './lane/desk.js';
import { laneHost } from './lane/host.js';
import { laneImplementation } from './lane/service.js';
import type { VehicleEntry } from './lane/vehicle.js';
import { RENDERER_DIR, VERSION } from './package-root.js';
import { loadPublicKey } from './permit/keys.js';
import { judgementPermitView } from './permit/view.js';
import { judgeScan } from './scan/judge.js';
import { openStore, type Store } from './store/store.js';
import { SummaryScheduler } from './store/summary-scheduler.js';
import { AlertWatch } from './uplink/alerts.js';
import { Downlink } from './uplink/downlink.js';
import { Uplink } from './uplink/uplink.js';

export interface KioskOptions {
  checkpoint: CheckpointConfig;
  root: KeyObject;
  trust: TrustList;
  /** The trust list file as read (raw JWS): imported into the document store when newer. */
  trustFile?: { jws: string; path: string } | undefined;
  database: string;
  lane?: string | undefined;
  direction?: Direction;
  serial: Settings['serial'];
  mqtt: (NonNullable<Settings['mqtt']> & { ca?: string; cert?: string; key?: string }) | null;
  http: { host: string; port: number; lan?: boolean } | false;
  /** Accounts, lockout, sessions (kiosk.json `auth`) and retention days (issue 5). */
  auth?: Settings['auth'];
  retentionDays?: number;
  /** The configuration in effect, PINs removed: changes between starts are audited (issue 5). */
  configSections?: Record<string, unknown>;
  /** scrypt cost for new PINs; tests lower it. */
  pinCost?: number;
  staticDir?: string;
  demoSamples?: DemoSample[];
  now?: () => number;
}

const RECENT_LIMIT = 100;

export class Kiosk {
  readonly dispatcher: Dispatcher;
  /** Accounts, shifts, the audit chain, search, reports and retention (src/audit/supervision.ts). */
  readonly supervision: Supervision;
  private readonly listeners = new Set<EventListener>();
  private readonly startedAt: number;
  private store: Store | null = null;
  /** Signed documents (trust, revocations, zones, config) as held now; see src/documents/store.ts. */
  private documents: DocumentStore | null = null;
  private scheduler: SummaryScheduler | null = null;
  private scanner: SerialScanner | null = null;
  private uplink: Uplink | null = null;
  /** Scanner lost and repeated failures, queued as events for the command centre. */
  private alerts: AlertWatch | null = null;
  private host: BrowserHost | null = null;
  private lane: string;
  private direction: Direction;
  private scannerStatus: ScannerStatus = { state: 'off', path: null, detail: null };
  private recent: Verdict[] = [];
  /** Health certificates waiting for, or shown with, a permit at each lane (src/dcc/pairing.ts). */
  private readonly healthPairing = new HealthPairing<Verdict>();
  /** Today's counts (Vietnam day), kept in memory: counting rows on every scan would grow with the log. */
  private counts = { dayStart: -1, allowed: 0, denied: 0, review: 0 };
  private url: string | null = null;
  /** The vehicle entered for the next scan (src/lane/desk.ts). */
  private readonly desk = new LaneDesk();

  constructor(private readonly options: KioskOptions) {
    this.startedAt = this.now();
    this.lane = options.lane ?? options.checkpoint.checkpoint.lanes[0] ?? '1';
    this.direction = options.direction ?? 'in';
    const c = options.checkpoint.checkpoint;
    const auth = options.auth;
    this.supervision = new Supervision({
      checkpoint: {
        id: c.id,
        name: c.name ?? null,
        district: c.district,
        districtName: areaName(c.district),
        areaName: areaName(c.area),
      },
      ...(auth
        ? {
            users: auth.users,
            lockoutAttempts: auth.lockoutAttempts,
            lockoutMs: auth.lockoutMinutes * 60_000,
            sessions: sessionPolicyOf(auth),
          }
        : {}),
      ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
      ...(options.pinCost ? { pinCost: options.pinCost } : {}),
      ...(options.configSections ? { config: options.configSections } : {}),
      lane: () => this.lane,
      now: () => this.now(),
      onShiftChange: () => this.shiftChanged(),
    });
    // Every call is checked against the caller's role (src/auth/access.ts).
    this.dispatcher = new Dispatcher(this.implementation(), this.supervision);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
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

  /** The store is the one part without which nothing can be recorded: its failure stops the start. */
  async start(): Promise<void> {
    const o = this.options;
    const windowMs = (o.mqtt?.summaryWindowSeconds ?? 60) * 1000;
    this.store = openStore(o.database, o.checkpoint, { windowMs });
    // Accounts, shifts and the audit chain: without them nobody could log in, so a failure stops the start.
    await this.supervision.start(this.store);
    // Signed documents, each decision in the audit chain; loaded before the uplink brings new ones.
    this.documents = await openDocuments(this.store.db, {
      root: o.root,
      checkpoint: o.checkpoint,
      now: () => this.now(),
      trustFile: o.trustFile,
      audit: (e) => this.supervision.chain.append(e),
    });
    this.documents.onChange(() => this.emitStatus());
    const outbox = this.store;
    this.alerts = new AlertWatch({ enqueue: (k, p, at) => outbox.enqueue(k, p, at), now: () => this.now() });
    this.scheduler = new SummaryScheduler(this.store, { now: () => this.now() });
    this.scheduler.start();
    await this.startPart('uplink', () => this.startUplink());
    await this.startPart('scanner', () => this.startScanner());
    if (o.http) {
      const http = o.http;
      await this.startPart('http', async () => {
        this.host = new BrowserHost({
          host: http.host,
          port: http.port,
          staticDir: o.staticDir ?? RENDERER_DIR,
          dispatcher: this.dispatcher,
          subscribe: (l) => this.subscribe(l),
        });
        const { url } = await this.host.start();
        this.url = url;
      });
      if (!this.url)
        throw new KioskError('HTTP_FAILED', 'Không mở được cổng giao diện', 'Could not open the UI port');
    }
  }

  private async startPart(name: string, start: () => Promise<void> | void): Promise<void> {
    try {
      await start();
    } catch (err) {
      console.error(`kiosk: ${name} failed to start:`, err instanceof Error ? err.message : err);
    }
  }

  private startUplink(): void {
    const { mqtt, checkpoint } = this.options;
    if (!mqtt || !this.store) return;
    const c = checkpoint.checkpoint;
    const scope = { district: c.district, checkpoint: c.id };
    const documents = this.documents;
    const downlink = documents && new Downlink({ scope, documents, acks: this.store, now: () => this.now() });
    this.uplink = new Uplink({
      urls: mqtt.urls,
      scope,
      ...(downlink && {
        downlink: { topics: downlink.topics(), onMessage: (t, p) => void downlink.handle(t, p) },
      }),
      clientId: `kiosk-${c.id}-${this.lane}`,
      outbox: this.store,
      version: VERSION,
      startedAtMs: this.startedAt,
      ...(mqtt.username ? { username: mqtt.username } : {}),
      ...(mqtt.password ? { password: mqtt.password } : {}),
      ...(mqtt.ca ? { ca: mqtt.ca } : {}),
      ...(mqtt.cert ? { cert: mqtt.cert } : {}),
      ...(mqtt.key ? { key: mqtt.key } : {}),
      now: () => this.now(),
    });
    this.uplink.setStatus({ scanner: this.uplinkScannerState() });
    this.uplink.onChange(() => this.emitStatus());
    this.uplink.start();
    this.reportClock();
  }

  private async startScanner(): Promise<void> {
    const serial = this.options.serial;
    if (!serial) return;
    this.scanner = new SerialScanner({
      path: serial.path,
      usb: serial.usb,
      baudRate: serial.baudRate,
      suffix: serial.suffix,
    });
    this.scanner.onScan((text) => {
      this.scan(text, 'serial');
    });
    this.scanner.onState((s) => {
      this.alerts?.scannerState(this.scannerStatus.state, s.state, this.lane);
      this.scannerStatus = s;
      this.uplink?.setStatus({ scanner: this.uplinkScannerState() });
      this.emitStatus();
    });
    this.scanner.onDiagnostic((d) => console.warn(`scanner: ${d.code}: ${d.en}`));
    await this.scanner.start();
  }

  /** The MQTT status's clockSkewMs, from the newest signed document held (src/documents/clock.ts). */
  private reportClock(): void {
    const newest = this.documents?.current().newestIssuedMs;
    this.uplink?.setStatus({ clockSkewMs: clockSkewMs(this.now(), newest) });
  }

  private uplinkScannerState(): 'ok' | 'missing' | 'error' {
    const s = this.scannerStatus.state;
    return s === 'ok' ? 'ok' : s === 'error' ? 'error' : 'missing';
  }

  /** A shift opened or closed: the status bar and the command centre hear who is on duty. */
  private shiftChanged(): void {
    const s = this.supervision.shiftStatus();
    this.uplink?.setStatus({ shift: s && { id: String(s.id), startedAt: s.openedAt } });
    // A vehicle entered by the guard who left is not the next guard's.
    this.desk.clear();
    this.emitStatus();
  }

  async stop(): Promise<void> {
    this.supervision.stop();
    this.scheduler?.stop();
    await this.host?.stop();
    await this.scanner?.stop();
    await this.uplink?.stop();
    await this.documents?.stop();
    this.documents = null;
    this.store?.close();
    this.store = null;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private emit(name: EventName, data: unknown): void {
    for (const l of this.listeners) {
      try {
        l(name, data);
      } catch (err) {
        console.error('kiosk: event listener failed', err);
      }
    }
  }

  private emitStatus(): void {
    // Every status change (each scan included) refreshes the clock check the MQTT status carries.
    this.reportClock();
    if (this.store) this.emit('status', this.status());
  }

  /**
   * One scan, start to finish: judge, commit the passage (synchronous=FULL), then announce the
   * verdict. Synchronous on purpose: scans are serialised and nothing is shown before the commit.
   */
  scan(
    text: string,
    source: ScanSource,
    opts: { direction?: Direction; lane?: string; plate?: string; vehicle?: VehicleEntry } = {},
  ): Verdict {
    const store = this.requireStore();
    const now = this.now();
    const direction = opts.direction ?? this.direction;
    const lane = opts.lane ?? this.lane;
    const o = this.options;
    const hc1 = isHc1(text);
    // The vehicle given with the scan, else the one the guard entered for it (src/lane/desk.ts).
    const vehicle = this.desk.choose(opts.vehicle ?? (opts.plate ? { plate: opts.plate } : undefined), now);
    const judgement = judgeScan(
      { text, now, direction, ...(vehicle.typedPlate ? { plate: vehicle.typedPlate } : {}) },
      {
        ...judgeDocuments(this.documents, o),
        history: store,
        healthProof: hc1 ? null : this.healthPairing.pendingProof(lane, now),
      },
    );
    if (hc1) {
      // A health certificate is not a passage: shown, and paired with a permit of this lane.
      const shown = proofVerdict(
        this.healthPairing,
        judgement,
        { at: new Date(now).toISOString(), source, direction, lane },
        now,
      );
      this.recent = [shown, ...this.recent].slice(0, RECENT_LIMIT);
      this.uplink?.setStatus({ lastScanAt: shown.at });
      this.emit('verdict', shown);
      return shown;
    }
    const permit = judgement.permit;
    const recorded = this.desk.resolve(vehicle, permit?.permit.veh ?? null);
    let passageId: number | null;
    if (judgement.duplicateOf) {
      passageId = judgement.duplicateOf.passageId;
    } else {
      passageId = store.recordPassage({
        atMs: now,
        lane,
        direction,
        source,
        decision: judgement.decision,
        reasons: judgement.reasons,
        permit: permit && {
          hash: permit.hash,
          iss: permit.iss,
          cti: permit.cti,
          holderName: permit.permit.nam,
          idMasked: judgementPermitView(judgement)?.idnMasked ?? null,
          purpose: permit.permit.pur,
        },
        vehiclePlate: recorded.plate,
        vehicleType: recorded.type,
        people: recorded.people,
        passengers: recorded.passengers,
        rawPreview: permit ? null : judgement.preview,
        letThrough: judgement.decision === 'ALLOW',
        // The open shift's guard answers for the lane, whatever the source (src/audit/supervision.ts).
        userId: this.supervision.attribution().userId,
        shiftId: this.supervision.attribution().shiftId,
        idnHmac: this.supervision.idnHmac(permit?.permit.idn),
      }).id;
      this.desk.taken(vehicle);
      this.count(now, judgement.decision);
    }
    const verdict: Verdict = {
      passageId,
      at: new Date(now).toISOString(),
      decision: judgement.decision,
      reasons: judgement.reasons,
      duplicate: judgement.duplicateOf !== null,
      source,
      direction,
      lane,
      permit: judgementPermitView(judgement),
      preview: permit ? null : judgement.preview,
      ...healthFields(judgement),
      // A duplicate records nothing: the entered vehicle stays for the next scan.
      vehicle: judgement.duplicateOf ? null : vehicleView(recorded),
    };
    this.healthPairing.notePermit(lane, now, permit, judgement.dcc != null, verdict);
    this.recent = [verdict, ...this.recent].slice(0, RECENT_LIMIT);
    this.uplink?.setStatus({ lastScanAt: verdict.at });
    this.alerts?.verdict(verdict);
    this.emit('verdict', verdict);
    this.emitStatus();
    return verdict;
  }

  private todayCounts(now: number): { allowed: number; denied: number; review: number } {
    // With a shift open, the guard's shift's counts (keyed by -shift id); else the Vietnam day's.
    const shift = this.supervision.shiftStatus();
    const dayStart = shift ? -shift.id : startOfVietnamDay(now);
    if (this.counts.dayStart !== dayStart) {
      const store = this.requireStore();
      const counts = shift ? shiftCounts(store.db, shift.id) : store.countsSince(dayStart);
      this.counts = { dayStart, ...counts };
    }
    const { allowed, denied, review } = this.counts;
    return { allowed, denied, review };
  }

  /** Called after the passage is committed: a first load from the store already includes it. */
  private count(now: number, decision: Verdict['decision']): void {
    const shift = this.supervision.shiftStatus();
    if (this.counts.dayStart !== (shift ? -shift.id : startOfVietnamDay(now))) {
      this.todayCounts(now);
      return;
    }
    if (decision === 'ALLOW') this.counts.allowed++;
    else if (decision === 'DENY') this.counts.denied++;
    else this.counts.review++;
  }

  private requireStore(): Store {
    if (!this.store) throw new KioskError('NOT_STARTED', 'Máy chưa sẵn sàng', 'The kiosk is not started');
    return this.store;
  }

  status(): KioskStatus {
    const c = this.options.checkpoint.checkpoint;
    const uplink = this.uplink?.state();
    const scanner: ScannerState = this.scannerStatus.state;
    return {
      version: VERSION,
      startedAt: new Date(this.startedAt).toISOString(),
      now: new Date(this.now()).toISOString(),
      demo: (this.options.demoSamples?.length ?? 0) > 0,
      checkpoint: {
        id: c.id,
        name: c.name ?? null,
        district: c.district,
        districtName: areaName(c.district),
        area: c.area,
        areaName: areaName(c.area),
        kind: c.kind,
        lanes: c.lanes,
      },
      lane: this.lane,
      direction: this.direction,
      scanner: { state: scanner, path: this.scannerStatus.path, detail: this.scannerStatus.detail },
      uplink: {
        enabled: this.uplink !== null,
        connected: uplink?.connected ?? false,
        subscribed: uplink?.subscribed ?? false,
        backlog: uplink?.backlog ?? 0,
      },
      counts: this.todayCounts(this.now()),
      vehicle: this.desk.view(this.now()),
      shift: this.supervision.shiftStatus(),
      overrideRequiresSupervisor: this.overrideRequiresSupervisor(),
    };
  }

  private implementation(): Implementation {
    return {
      'status.get': async () => this.status(),
      'scan.submit': async (p) =>
        this.scan(p.text, p.source, {
          ...(p.direction ? { direction: p.direction } : {}),
          ...(p.lane ? { lane: this.checkLane(p.lane) } : {}),
          vehicle: { plate: p.plate, vehicleType: p.vehicleType, passengers: p.passengers },
        }),
      'verdicts.recent': async (p) => this.recent.slice(0, p.limit),
      'lane.set': async (p) => {
        if (p.lane) this.lane = this.checkLane(p.lane);
        if (p.direction) this.direction = p.direction;
        this.emitStatus();
        return this.status();
      },
      'demo.samples': async () => this.options.demoSamples ?? [],
      // Roles, shifts and the audit (issue 5): src/audit/supervision.ts.
      ...this.supervision.methods(),
      // The guard's lane (issue 4): manual entry, the next scan's vehicle, overrides, scanner ports.
      ...laneImplementation(
        laneHost({
          store: () => this.requireStore(),
          now: () => this.now(),
          lane: () => this.lane,
          direction: () => this.direction,
          checkLane: (l) => this.checkLane(l),
          desk: this.desk,
          shiftAttribution: () => this.supervision.attribution(),
          idnHmac: (n) => this.supervision.idnHmac(n),
          status: () => this.status(),
          emitStatus: () => this.emitStatus(),
          overrideRequiresSupervisor: () => this.overrideRequiresSupervisor(),
          approveAsSupervisor: (name, pin, peer) =>
            this.supervision.auth.approveAsSupervisor(name, pin, peer),
          announce: (v, counted) => {
            if (counted) this.count(Date.parse(v.at), counted);
            this.recent = [v, ...this.recent].slice(0, RECENT_LIMIT);
            this.emit('verdict', v);
            this.emitStatus();
          },
          overridden: (passageId, override) => {
            this.recent = this.recent.map((v) => (v.passageId === passageId ? { ...v, override } : v));
            this.emitStatus();
          },
        }),
      ),
    };
  }

  /** The policy in effect, signed config patches applied (spec/policy.md "Overrides"). */
  private overrideRequiresSupervisor(): boolean {
    return judgeDocuments(this.documents, this.options).checkpoint.policy.overrideRequiresSupervisor;
  }

  private checkLane(lane: string): string {
    if (this.options.checkpoint.checkpoint.lanes.includes(lane)) return lane;
    throw new KioskError('LANE_UNKNOWN', `Chốt không có làn ${lane}`, `This checkpoint has no lane ${lane}`);
  }
}

const VN_OFFSET_MS = 7 * 3600_000;
/** Midnight in Vietnam time (UTC+7) of the day containing epochMs: the day's counts start there. */
export function startOfVietnamDay(epochMs: number): number {
  return Math.floor((epochMs + VN_OFFSET_MS) / 86_400_000) * 86_400_000 - VN_OFFSET_MS;
}

/** Loads every file a settings object names, verifying the trust list against the pinned root. */
export async function kioskOptionsFromSettings(s: Settings): Promise<KioskOptions> {
  const raw = readTextFile(s.checkpoint, 'tệp chốt', 'checkpoint file');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new KioskError(
      'CHECKPOINT_INVALID',
      `Tệp chốt ${s.checkpoint} không phải JSON`,
      `${s.checkpoint} is not JSON`,
    );
  }
  const parsed = CheckpointConfig.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new KioskError(
      'CHECKPOINT_INVALID',
      `Tệp chốt không hợp lệ: ${lines}`,
      `Invalid checkpoint file: ${lines}`,
    );
  }
  let root: KeyObject;
  try {
    root = loadPublicKey(readTextFile(s.rootKey, 'khoá gốc', 'root key'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError(
      'ROOT_KEY_INVALID',
      `Khoá gốc ${s.rootKey} không hợp lệ`,
      `Root key ${s.rootKey} is not a valid public key`,
    );
  }
  const trustJws = readTextFile(s.trustList, 'danh sách tin cậy', 'trust list').trim();
  const trust = await loadTrustList(trustJws, root);
  const ca = s.mqtt?.caFile ? readTextFile(s.mqtt.caFile, 'chứng chỉ CA', 'CA certificate') : undefined;
  const cert = s.mqtt?.certFile
    ? readTextFile(s.mqtt.certFile, 'chứng chỉ máy', 'client certificate')
    : undefined;
  const key = s.mqtt?.keyFile ? readTextFile(s.mqtt.keyFile, 'khoá máy', 'client key') : undefined;
  return {
    checkpoint: parsed.data,
    root,
    trust,
    trustFile: { jws: trustJws, path: s.trustList },
    database: s.database,
    lane: s.lane,
    direction: s.direction,
    serial: s.serial,
    mqtt: s.mqtt && { ...s.mqtt, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    http: s.http,
    auth: s.auth,
    retentionDays: s.retention.days,
    configSections: {
      ...s,
      mqtt: s.mqtt && { ...s.mqtt, password: s.mqtt.password ? 'set' : null },
      auth: { ...s.auth, users: s.auth.users.map((u) => ({ name: u.name, role: u.role })) },
      checkpointFile: parsed.data,
    },
  };
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
  const settings = loadSettings(configPath);
  const options = await kioskOptionsFromSettings(settings);
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
