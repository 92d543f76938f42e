// The shared history's other half (spec/policy.md "Shared history"): which kiosks share this kiosk's area
// and whether each has been heard from lately. A kiosk subscribes to its district's statuses and
// passages, keeps the let-through passages of its own area (store/peer-passages.ts), and judges the
// history complete only while it is connected and every peer of the area was heard within
// peerStaleSeconds. The scan never waits for any of this: it reads what has been heard so far.
import type { EventBus } from '../base/bus.js';
import { log } from '../base/log.js';
import type { TimerHandle, Timers } from '../base/timers.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import type { KioskEvents, PeersState, SilentPeer } from '../contract/events.js';
import { AnyStatusPayload, PassagePayload } from '../contract/mqtt.js';
import { districtKioskFilter, parseKioskTopic, type TopicScope } from '../contract/mqtt-topics.js';
import type { LetThrough, SharedHistory } from '../lane/types.js';
import type { PeerPassages } from '../store/peer-passages.js';
import { parseJson } from './uplink.js';

export interface PeerWatchOptions {
  scope: TopicScope;
  /** This kiosk's instance: its own messages come back through the district subscription. */
  instance: string;
  /** The checkpoint in effect (signed policy applied): area, peerStaleSeconds, antiPassbackHours. */
  checkpoint: () => CheckpointConfig;
  store: PeerPassages;
  bus: EventBus<KioskEvents>;
  now: () => number;
  timers: Timers;
  /** How often heard passages are written (one transaction each time). */
  flushMs?: number;
}

export interface Peer {
  checkpoint: string;
  kiosk: string;
  instance: string;
  lane: string | null;
  /** The area it protects, once its status or a passage said so. */
  area: string | null;
  online: boolean;
  lastHeardMs: number;
  /** The time its newest status carried (its clock, not ours). */
  saidMs: number;
}

const PRUNE_EVERY_MS = 60_000;

export class PeerWatch implements SharedHistory {
  private readonly peers = new Map<string, Peer>();
  private connected = false;
  private flushTimer: TimerHandle | null = null;
  private checkTimer: TimerHandle | null = null;
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  private running = false;
  private state: PeersState = { complete: false, watched: 0, silent: [] };

  constructor(private readonly o: PeerWatchOptions) {}

  /** The district's statuses and passages. */
  topics(): string[] {
    return [
      districtKioskFilter(this.o.scope.district, 'status'),
      districtKioskFilter(this.o.scope.district, 'passage'),
    ];
  }

  /** Whether a topic is one of this watch's (the caller routes messages by it). */
  owns(topic: string): boolean {
    const t = parseKioskTopic(topic);
    return (
      t !== null && t.district === this.o.scope.district && (t.kind === 'status' || t.kind === 'passage')
    );
  }

  start(): void {
    this.o.bus.on(
      'uplink.state',
      (u) => {
        this.connected = u.connected && u.subscribed;
        this.refresh();
      },
      this,
    );
    this.running = true;
    this.every('flushTimer', this.o.flushMs ?? 250, () => this.flush());
    this.every('checkTimer', 1000, () => this.refresh());
    this.refresh();
  }

  stop(): void {
    this.running = false;
    this.o.bus.removeOwner(this);
    if (this.flushTimer) this.o.timers.clearTimeout(this.flushTimer);
    if (this.checkTimer) this.o.timers.clearTimeout(this.checkTimer);
    this.flushTimer = this.checkTimer = null;
    this.flush();
  }

  private every(slot: 'flushTimer' | 'checkTimer', ms: number, fn: () => void): void {
    this[slot] = this.o.timers.setTimeout(() => {
      if (!this.running) return;
      fn();
      this.every(slot, ms, fn);
    }, ms);
    this[slot]?.unref?.();
  }

  /** A message on the district's status or passage topics. Never throws; bad input changes nothing. */
  handle(topic: string, payload: Buffer, retained: boolean): void {
    const t = parseKioskTopic(topic);
    if (!t || t.district !== this.o.scope.district) return;
    if (t.checkpoint === this.o.scope.checkpoint && t.kiosk === this.o.scope.kiosk) return;
    if (payload.byteLength === 0) {
      // A retained status cleared by an operator: that kiosk is gone.
      if (t.kind === 'status') this.peers.delete(`${t.checkpoint}/${t.kiosk}`);
      this.refresh();
      return;
    }
    const json = parseJson(payload);
    if (t.kind === 'status') this.onStatus(t, json, retained);
    else if (t.kind === 'passage') this.onPassage(t, json);
    this.refresh();
  }

  private onStatus(t: TopicScope, json: unknown, retained: boolean): void {
    const s = AnyStatusPayload.safeParse(json);
    if (!s.success || s.data.instance === this.o.instance) return;
    const now = this.o.now();
    const p = s.data;
    // A retained status was written some time ago: it says when, not now.
    const said = Date.parse(p.online ? p.at : p.since);
    const heard = retained && Number.isFinite(said) ? Math.min(now, said) : now;
    const peer = this.peer(t, p.instance, heard);
    peer.online = p.online;
    peer.lastHeardMs = Math.max(peer.lastHeardMs, heard);
    if (Number.isFinite(said)) peer.saidMs = Math.max(peer.saidMs, said);
    if (p.online) {
      peer.lane = p.lane;
      if (p.area) peer.area = p.area;
    }
  }

  private onPassage(t: TopicScope, json: unknown): void {
    const r = PassagePayload.safeParse(json);
    if (!r.success) {
      log.warn(`peers: a passage on ${t.checkpoint}/${t.kiosk} that is not one was ignored`);
      return;
    }
    const p = r.data;
    if (p.instance === this.o.instance) return;
    const now = this.o.now();
    const peer = this.peer(t, p.instance, now);
    peer.lastHeardMs = now;
    peer.area = p.area;
    const atMs = Date.parse(p.at);
    const area = this.o.checkpoint().checkpoint.area;
    if (p.area !== area || !p.letThrough || atMs < this.horizon(now)) return;
    this.o.store.add({ id: p.id, permit: p.permit, area: p.area, direction: p.direction, atMs });
  }

  private peer(t: TopicScope, instance: string, heardMs: number): Peer {
    const key = `${t.checkpoint}/${t.kiosk}`;
    let peer = this.peers.get(key);
    if (!peer || peer.instance !== instance) {
      peer = {
        checkpoint: t.checkpoint,
        kiosk: t.kiosk,
        instance,
        lane: peer?.lane ?? null,
        area: peer?.area ?? null,
        online: true,
        lastHeardMs: heardMs,
        saidMs: Number.NEGATIVE_INFINITY,
      };
      this.peers.set(key, peer);
    }
    return peer;
  }

  /** What was last heard of one kiosk of the district (diagnostics). */
  heardFrom(checkpoint: string, kiosk: string): Readonly<Peer> | null {
    return this.peers.get(`${checkpoint}/${kiosk}`) ?? null;
  }

  lastLetThrough(hash: string, area: string, sinceMs: number): LetThrough | null {
    return this.o.store.lastLetThrough(hash, area, sinceMs);
  }

  complete(): boolean {
    return this.status().complete;
  }

  /** What the guard's status bar shows: the peers of the area out of contact, by checkpoint and lane. */
  status(): PeersState {
    const now = this.o.now();
    const c = this.o.checkpoint();
    const staleMs = c.policy.peerStaleSeconds * 1000;
    const forgetBefore = this.horizon(now);
    const silent: SilentPeer[] = [];
    let watched = 0;
    for (const p of this.peers.values()) {
      // Silent for longer than anything it could have recorded still counts: it has left the area
      // (a lane closed for good) until it is heard again. Its area and lane are kept meanwhile.
      if (p.lastHeardMs < forgetBefore) continue;
      const sameArea = p.area === c.checkpoint.area || (p.area === null && p.checkpoint === c.checkpoint.id);
      if (!sameArea) continue;
      watched++;
      if (!p.online || now - p.lastHeardMs > staleMs) {
        silent.push({ checkpoint: p.checkpoint, kiosk: p.kiosk, lane: p.lane, lastHeardMs: p.lastHeardMs });
      }
    }
    silent.sort((a, b) => a.checkpoint.localeCompare(b.checkpoint) || a.kiosk.localeCompare(b.kiosk));
    return { complete: this.connected && silent.length === 0, watched, silent };
  }

  private horizon(now: number): number {
    return now - this.o.checkpoint().policy.antiPassbackHours * 3_600_000;
  }

  private flush(): void {
    try {
      this.o.store.flush();
      const now = this.o.now();
      if (now - this.lastPruneMs >= PRUNE_EVERY_MS) {
        this.lastPruneMs = now;
        this.o.store.prune(this.horizon(now));
      }
    } catch (err) {
      // A full disk or a locked database: the heard passages stay buffered and are looked up there.
      log.error('peers: the shared history could not be written', err);
    }
  }

  /** Tells the status bar when who is out of contact changes. */
  private refresh(): void {
    const next = this.status();
    const same =
      next.complete === this.state.complete &&
      next.watched === this.state.watched &&
      next.silent.length === this.state.silent.length &&
      next.silent.every(
        (s, i) =>
          s.checkpoint === this.state.silent[i]?.checkpoint && s.kiosk === this.state.silent[i]?.kiosk,
      );
    this.state = next;
    if (!same) this.o.bus.emit('peers.changed', next);
  }
}
