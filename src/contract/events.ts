// The kiosk's internal events: what its parts tell each other through the one event bus
// (src/base/bus.ts). The composition root wires the bus; each part subscribes to what it needs.
import type { ApiError, PurgeStatus, ScannerDiagnostic, ScannerState, Verdict } from './api.js';

export interface ScannerStatusEvent {
  state: ScannerState;
  path: string | null;
  /** The driver's own message (English, for logs). */
  detail: string | null;
  /** While `missing` or `error`: why, in words. */
  problem: { vi: string; en: string } | null;
}

export interface ShiftEvent {
  id: number;
  guard: string;
  openedAt: string;
}

/** A peer kiosk of this kiosk's area that has not been heard from for `peerStaleSeconds`, or went away. */
export interface SilentPeer {
  checkpoint: string;
  kiosk: string;
  lane: string | null;
  lastHeardMs: number | null;
}

/** Whether the shared history of the area may be relied on (spec/policy.md "Shared history"). */
export interface PeersState {
  complete: boolean;
  watched: number;
  silent: SilentPeer[];
}

export interface UplinkStateEvent {
  connected: boolean;
  /** The broker acknowledged the downlink subscriptions of this connection. */
  subscribed: boolean;
  url: string | null;
  /** Messages not yet covered by a receipt from the command centre, and when the oldest was written. */
  backlog: number;
  oldestMs: number | null;
  /** Whether an aggregator of the command centre is online, as its retained presence says. */
  commandCentre: 'online' | 'offline' | 'unknown';
  lastError: string | null;
}

export interface KioskEvents {
  /** A verdict was shown to the guard (a scan, a manual entry, an amendment). */
  verdict: Verdict;
  /** A passage was committed (not a duplicate, an unreadable scan or a health proof). */
  'passage.recorded': { passageId: number; at: string };
  /** Something the status shows changed: the status board re-sends it. */
  'status.changed': undefined;
  'scanner.state': ScannerStatusEvent;
  'scanner.diagnostic': ScannerDiagnostic;
  'shift.changed': ShiftEvent | null;
  /** Rows were added to the outbox (after their commit). */
  'outbox.changed': undefined;
  /** The signed documents in effect changed (after their commit). */
  'documents.changed': undefined;
  /** A write to the log failed (the fault), or succeeded again after one (null). */
  'store.fault': ApiError | null;
  /**
   * A signed document's decision could not be recorded (its audit event or ack failed to write; nothing
   * changed and it is tried again): the fault, or null once decisions are recorded again.
   */
  'documents.fault': ApiError | null;
  /** The retention purge under way (at its start, about every second, after a restart), or null at its end. */
  'retention.progress': PurgeStatus | null;
  'uplink.state': UplinkStateEvent;
  /** The shared history's peers: who is out of contact (uplink/peers.ts). */
  'peers.changed': PeersState;
}
