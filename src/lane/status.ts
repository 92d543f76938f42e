// What the guard's status bar shows, and the `status` event: the lane (from the scan service) and what
// the other parts report on the event bus (scanner, uplink, shift, the log's health). A part: start()
// subscribes, stop() lets go; every change becomes one `status.changed`.
import type { EventBus } from '../base/bus.js';
import type { ApiError, KioskStatus, PurgeStatus, ScannerDiagnostic } from '../contract/api.js';
import { areaName } from '../contract/areas.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import type {
  KioskEvents,
  PeersState,
  ScannerStatusEvent,
  ShiftEvent,
  UplinkStateEvent,
} from '../contract/events.js';
import type { ScanService } from './scan-service.js';

export interface StatusBoardOptions {
  bus: EventBus<KioskEvents>;
  scan: ScanService;
  checkpoint: () => CheckpointConfig;
  shift: () => ShiftEvent | null;
  /** The retention purge under way, read at each status (its events only say when to send one). */
  purge?: () => PurgeStatus | null;
  version: string;
  startedAtMs: number;
  demo: boolean;
  /** A serial scanner is configured; without one the scanner is `none` (wedge or camera only). */
  serialScanner: boolean;
  uplinkEnabled: boolean;
  /** The shared history's peers (uplink/peers.ts), read at each status; null without MQTT. */
  peers?: (() => PeersState) | null;
  now: () => number;
}

export class StatusBoard {
  private scanner: ScannerStatusEvent;
  private diagnostic: ScannerDiagnostic | null = null;
  private noShiftScan: { at: string; lane: string } | null = null;
  private documentsFault: { error: ApiError; since: string } | null = null;
  private uplink: UplinkStateEvent = {
    connected: false,
    subscribed: false,
    url: null,
    backlog: 0,
    oldestMs: null,
    commandCentre: 'unknown',
    lastError: null,
  };

  constructor(private readonly o: StatusBoardOptions) {
    this.scanner = { state: o.serialScanner ? 'off' : 'none', path: null, detail: null, problem: null };
  }

  start(): void {
    const { bus } = this.o;
    const changed = () => bus.emit('status.changed', undefined);
    bus.on(
      'scanner.state',
      (s) => {
        this.scanner = s;
        changed();
      },
      this,
    );
    bus.on(
      'scanner.diagnostic',
      (d) => {
        this.diagnostic = d;
        changed();
      },
      this,
    );
    bus.on(
      'uplink.state',
      (u) => {
        this.uplink = u;
        changed();
      },
      this,
    );
    bus.on(
      'verdict',
      (v) => {
        if (v.kind !== 'no-shift') return;
        this.noShiftScan = { at: v.at, lane: v.lane };
        changed();
      },
      this,
    );
    bus.on(
      'shift.changed',
      (shift) => {
        if (shift) this.noShiftScan = null;
        changed();
      },
      this,
    );
    for (const name of ['store.fault', 'documents.changed', 'peers.changed'] as const)
      bus.on(name, changed, this);
    bus.on('retention.progress', changed, this);
    bus.on(
      'documents.fault',
      (fault) => {
        if (fault && this.documentsFault?.error.code === fault.code) return;
        this.documentsFault = fault && { error: fault, since: new Date(this.o.now()).toISOString() };
        changed();
      },
      this,
    );
  }

  stop(): void {
    this.o.bus.removeOwner(this);
  }

  status(): KioskStatus {
    const c = this.o.checkpoint();
    const cp = c.checkpoint;
    const scan = this.o.scan;
    return {
      version: this.o.version,
      startedAt: new Date(this.o.startedAtMs).toISOString(),
      now: new Date(this.o.now()).toISOString(),
      demo: this.o.demo,
      checkpoint: {
        id: cp.id,
        name: cp.name ?? null,
        district: cp.district,
        districtName: areaName(cp.district),
        area: cp.area,
        areaName: areaName(cp.area),
        kind: cp.kind,
        lanes: cp.lanes,
      },
      lane: scan.lane,
      direction: scan.direction,
      scanner: { ...this.scanner, diagnostic: this.diagnostic },
      uplink: {
        enabled: this.o.uplinkEnabled,
        connected: this.uplink.connected,
        subscribed: this.uplink.subscribed,
        backlog: this.uplink.backlog,
        oldestAt: this.uplink.oldestMs === null ? null : new Date(this.uplink.oldestMs).toISOString(),
        commandCentre: this.uplink.commandCentre,
        ...(this.o.peers ? { peers: peersView(this.o.peers()) } : {}),
      },
      counts: scan.counts(),
      vehicle: scan.vehicle(),
      shift: this.o.shift(),
      overrideRequiresSupervisor: c.policy.overrideRequiresSupervisor,
      store: scan.storeHealth(),
      documents: this.documentsFault
        ? { ok: false, fault: this.documentsFault.error, since: this.documentsFault.since }
        : { ok: true, fault: null, since: null },
      purge: this.o.purge?.() ?? null,
      noShiftScan: this.noShiftScan,
    };
  }
}

function peersView(p: PeersState): NonNullable<KioskStatus['uplink']['peers']> {
  return {
    complete: p.complete,
    watched: p.watched,
    silent: p.silent.map((s) => ({
      checkpoint: s.checkpoint,
      kiosk: s.kiosk,
      lane: s.lane,
      lastHeardAt: s.lastHeardMs === null ? null : new Date(s.lastHeardMs).toISOString(),
    })),
  };
}
