// The lane's scan service: the one place that turns a scan into a verdict on the guard's screen. It
// judges (formats → documents → policy, lane/judge.ts), records (the LaneLog port, src/store/), and
// announces (the event bus), and it owns what lives between scans: the vehicle the guard entered, the
// health-proof pairing, duplicates, the shift's counts and the recent list.
//
// Every scan ends in exactly one verdict, whatever its bytes and whatever the disk does: a verdict is
// shown only after its passage is committed, and a scan the log refused says so ("not recorded").
import type { EventBus } from '../base/bus.js';
import type { ApiError, KioskStatus, Verdict } from '../contract/api.js';
import { PersonView } from '../contract/api-lane.js';
import type { CheckpointConfig } from '../contract/checkpoint.js';
import { KioskError } from '../contract/errors.js';
import type { KioskEvents } from '../contract/events.js';
import { checkManualPerson } from '../contract/manual-entry.js';
import type { Decision, Direction, ScanSource } from '../contract/reasons.js';
import { resolveVehicle, type VehicleEntry } from '../contract/vehicle.js';
import { stripTrailingNewlines } from '../formats/vnp1.js';
import { LaneDesk, vehicleView } from './desk.js';
import { HealthPairing } from './health-pairing.js';
import { healthFields, proofView } from './health-verdict.js';
import { HC1_PREFIX, type JudgeDocuments, judgeScan, previewOf } from './judge.js';
import { manualPassage, permitPassage } from './passage.js';
import { maskIdNumber, toPermitView } from './permit-view.js';
import { storeFault } from './store-fault.js';
import {
  type Attribution,
  type Duty,
  isUnreadable,
  type LaneLog,
  type OverrideRecorded,
  type SharedHistory,
} from './types.js';

export interface ScanServiceOptions {
  /** The signed documents in effect (checkpoint with its signed policy, trust list, revocations, zones). */
  documents: () => JudgeDocuments;
  log: LaneLog;
  /** The passages of the area's other kiosks (anti-passback across lanes and checkpoints), if shared. */
  shared?: SharedHistory | null | undefined;
  duty: Duty;
  bus: EventBus<KioskEvents>;
  now: () => number;
  lane?: string | undefined;
  direction?: Direction | undefined;
  recentLimit?: number;
}

export interface ScanOptions {
  direction?: Direction | undefined;
  lane?: string | undefined;
  vehicle?: VehicleEntry | undefined;
}

export interface ManualEntry extends VehicleEntry {
  name: string;
  idNumber: string;
  purpose: string;
  reason: string;
  letThrough: boolean;
  direction?: Direction | undefined;
  lane?: string | undefined;
}

type Counts = KioskStatus['counts'];

export class ScanService {
  private laneNow: string;
  private directionNow: Direction;
  private readonly desk = new LaneDesk();
  private readonly pairing = new HealthPairing<Verdict>();
  private recentList: Verdict[] = [];
  private counted: { shiftId: number | null; counts: Counts } | null = null;
  private fault: { error: ApiError; since: string } | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly o: ScanServiceOptions) {
    const lanes = this.checkpoint().checkpoint.lanes;
    this.laneNow = o.lane ?? lanes[0] ?? '1';
    this.directionNow = o.direction ?? 'in';
  }

  /** A new guard on duty: the vehicle entered by the one who left is not theirs, nor are the counts. */
  start(): void {
    this.unsubscribe = this.o.bus.on(
      'shift.changed',
      () => {
        this.desk.clear();
        this.counted = null;
      },
      this,
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  get lane(): string {
    return this.laneNow;
  }

  get direction(): Direction {
    return this.directionNow;
  }

  setPosition(p: { lane?: string | undefined; direction?: Direction | undefined }): void {
    if (p.lane) this.laneNow = this.checkLane(p.lane);
    if (p.direction) this.directionNow = p.direction;
    this.changed();
  }

  /**
   * One scan, start to finish. Synchronous on purpose: scans are serialised, and nothing is shown before
   * its commit. Throws only for a caller's bad parameters (an unknown lane, a malformed plate).
   */
  scan(text: string, source: ScanSource, opts: ScanOptions = {}): Verdict {
    const now = this.o.now();
    const lane = opts.lane ? this.checkLane(opts.lane) : this.laneNow;
    const direction = opts.direction ?? this.directionNow;
    const vehicle = this.desk.choose(opts.vehicle, now);
    const docs = this.o.documents();
    const body = stripTrailingNewlines(text);
    const base = { at: new Date(now).toISOString(), source, direction, lane };
    const hc1 = body.startsWith(HC1_PREFIX);
    const pairMs = docs.checkpoint.policy.health.pairSeconds * 1000;
    const j = judgeScan(
      { text: body, now, direction, ...(vehicle.typedPlate ? { plate: vehicle.typedPlate } : {}) },
      {
        ...docs,
        history: this.o.log,
        shared: this.o.shared,
        healthProof: hc1 ? null : this.pairing.pendingProof(lane, now, pairMs),
      },
    );

    if (isUnreadable(j)) {
      // Not a passage: the vehicle entered waits for the readable re-scan, a pending proof too.
      const preview = j.preview ?? previewOf(body);
      this.write(() =>
        this.o.log.recordUnreadable({
          atMs: now,
          lane,
          direction,
          source,
          decision: j.decision,
          reasons: j.reasons,
          preview,
          who: this.o.duty.current(),
        }),
      );
      if (!hc1) this.pairing.endPermit(lane);
      return this.show({
        ...base,
        kind: 'unreadable',
        passageId: null,
        decision: j.decision,
        reasons: j.reasons,
        duplicate: false,
        permit: null,
        preview,
        dcc: null,
        health: null,
        vehicle: null,
      });
    }
    if (hc1) return this.healthProof(j, base, now, pairMs);

    // A permit that failed verification (forged, unknown issuer) is still a person turned back.
    const permit = j.permit;
    const view = permit && toPermitView(permit);
    if (j.duplicateOf) {
      // The earlier verdict again; nothing recorded, the entered vehicle stays for the next scan.
      return this.show({
        ...base,
        kind: 'duplicate',
        passageId: j.duplicateOf.passageId,
        decision: j.decision,
        reasons: j.reasons,
        duplicate: true,
        permit: view,
        preview: null,
        ...healthFields(j),
        vehicle: null,
      });
    }
    const who = this.o.duty.current();
    if (!who) {
      this.write(() =>
        this.o.log.recordNoShift({ atMs: now, lane, direction, source, permitHash: permit?.hash ?? null }),
      );
      this.pairing.endPermit(lane);
      return this.show({
        ...base,
        kind: 'no-shift',
        passageId: null,
        decision: j.decision,
        reasons: j.reasons,
        duplicate: false,
        permit: view,
        preview: null,
        dcc: null,
        health: null,
        vehicle: null,
      });
    }
    const recorded = this.desk.resolve(vehicle, permit?.permit.veh ?? null);
    let passageId: number;
    try {
      passageId = this.o.log.recordPassage(
        permitPassage(j, permit, recorded, {
          atMs: now,
          lane,
          direction,
          source,
          preview: j.preview,
          who,
        }),
      ).id;
      this.healthy();
    } catch (err) {
      // Never shown as allowed: the guard writes it on the paper log; the vehicle stays for a re-scan.
      const fault = this.failed(err);
      return this.show({
        ...base,
        kind: 'not-recorded',
        passageId: null,
        decision: j.decision,
        reasons: j.reasons,
        duplicate: false,
        permit: view,
        preview: null,
        ...healthFields(j),
        vehicle: null,
        fault,
      });
    }
    this.desk.taken(vehicle);
    this.count(who, j.decision, 1);
    const verdict: Verdict = {
      ...base,
      kind: 'passage',
      passageId,
      decision: j.decision,
      reasons: j.reasons,
      duplicate: false,
      permit: view,
      preview: permit ? null : j.preview,
      ...healthFields(j),
      vehicle: vehicleView(recorded),
    };
    if (permit) this.pairing.notePermit(lane, now, permit, j.dcc != null, verdict);
    else this.pairing.endPermit(lane);
    this.o.bus.emit('passage.recorded', { passageId, at: verdict.at });
    return this.show(verdict);
  }

  /**
   * A health certificate (spec/policy.md "What is counted"): never a passage of its own. Shown beside
   * the lane's last permit; it completes that passage (an amendment) when the passage waits only for
   * it; otherwise it waits for the next permit scanned at this lane.
   */
  private healthProof(
    j: ReturnType<typeof judgeScan>,
    base: Pick<Verdict, 'at' | 'source' | 'direction' | 'lane'>,
    now: number,
    pairMs: number,
  ): Verdict {
    const proof = j.dcc!;
    const offer = this.pairing.offerProof(base.lane, now, proof, pairMs);
    const last = offer.attachedTo?.ref ?? null;
    const shown = proofView(proof, offer.assessment);
    const completes =
      last !== null &&
      offer.assessment?.ok === true &&
      last.kind === 'passage' &&
      last.passageId !== null &&
      !last.override &&
      last.decision === 'REVIEW' &&
      last.reasons.length === 1 &&
      last.reasons[0] === 'HEALTH_PROOF_REQUIRED';
    if (completes && last.passageId !== null) {
      const who = this.o.duty.current();
      try {
        this.o.log.amendPassage({
          passageId: last.passageId,
          atMs: now,
          decision: 'ALLOW',
          reasons: [],
          proof: { country: shown.dcc?.country ?? '', type: shown.dcc?.type ?? '' },
          who,
        });
        this.healthy();
      } catch (err) {
        const fault = this.failed(err);
        return this.show({
          ...last,
          ...base,
          kind: 'not-recorded',
          passageId: last.passageId,
          ...shown,
          fault,
        });
      }
      if (who) {
        this.count(who, 'REVIEW', -1);
        this.count(who, 'ALLOW', 1);
      }
      const amended: Verdict = {
        ...last,
        ...base,
        kind: 'passage',
        decision: 'ALLOW',
        reasons: [],
        ...shown,
        health: { ...shown.health, recorded: true },
        amended: { from: last.decision, reasons: last.reasons, at: base.at },
      };
      this.recentList = this.recentList.map((v) =>
        v.kind === 'passage' && v.passageId === last.passageId ? amended : v,
      );
      return this.show(amended, false);
    }
    return this.show({
      ...base,
      kind: 'health-proof',
      passageId: last?.passageId ?? null,
      decision: j.decision,
      reasons: j.reasons,
      duplicate: false,
      permit: last?.permit ?? null,
      preview: null,
      ...shown,
      vehicle: null,
    });
  }

  /** A person with no QR code, recorded by hand (REVIEW: nothing was verified). */
  recordManual(p: ManualEntry, caller: Attribution): Verdict {
    const person = checkManualPerson(p);
    const vehicle = resolveVehicle(p);
    const who = this.o.duty.current();
    if (!who) throw noShift();
    const now = this.o.now();
    const lane = p.lane ? this.checkLane(p.lane) : this.laneNow;
    const direction = p.direction ?? this.directionNow;
    let id: number;
    try {
      id = this.o.log.recordPassage(
        manualPassage(person, vehicle, {
          atMs: now,
          lane,
          direction,
          letThrough: p.letThrough,
          who,
        }),
      ).id;
      this.healthy();
    } catch (err) {
      const fault = this.failed(err);
      throw new KioskError(fault.code, fault.vi, fault.en);
    }
    this.count(who, 'REVIEW', 1);
    const at = new Date(now).toISOString();
    const by = caller.userName ?? who.userName;
    this.o.bus.emit('passage.recorded', { passageId: id, at });
    return this.show({
      kind: 'passage',
      passageId: id,
      at,
      decision: 'REVIEW',
      reasons: [],
      duplicate: false,
      source: 'manual',
      direction,
      lane,
      permit: null,
      preview: null,
      vehicle: vehicleView(vehicle),
      person: PersonView.parse({
        name: person.name,
        idMasked: maskIdNumber(person.idNumber),
        purpose: person.purpose,
      }),
      override: p.letThrough ? { at, by, reason: person.reason } : null,
    });
  }

  /** A guard lets a DENY or REVIEW passage through (spec/policy.md "Overrides"). */
  override(
    passageId: number,
    reason: string,
    who: Attribution,
    approval: { userId: number; name: string; login: string } | null,
  ): OverrideRecorded {
    const o = this.o.log.recordOverride({ passageId, reason, atMs: this.o.now(), who, approval });
    const view = { at: new Date(o.atMs).toISOString(), by: o.by, reason: o.reason };
    this.recentList = this.recentList.map((v) =>
      v.passageId === passageId && v.kind === 'passage' ? { ...v, override: view } : v,
    );
    this.changed();
    return o;
  }

  /** The vehicle for the next scan, whichever scanner reads it. Throws on a malformed plate. */
  setVehicle(entry: VehicleEntry): void {
    this.desk.setVehicle(entry, this.o.now());
    this.changed();
  }

  vehicle(): KioskStatus['vehicle'] {
    return this.desk.view(this.o.now());
  }

  recent(limit: number): Verdict[] {
    return this.recentList.slice(0, limit);
  }

  /** The open shift's passages by decision as it stands now; zero with nobody on duty. */
  counts(): Counts {
    const shiftId = this.o.duty.current()?.shiftId ?? null;
    if (!this.counted || this.counted.shiftId !== shiftId) {
      const counts =
        shiftId === null ? { allowed: 0, denied: 0, review: 0 } : this.o.log.shiftCounts(shiftId);
      this.counted = { shiftId, counts };
    }
    return { ...this.counted.counts };
  }

  /** The log's health: ok, or the fault of the last write that failed. */
  storeHealth(): NonNullable<KioskStatus['store']> {
    return this.fault
      ? { ok: false, fault: this.fault.error, since: this.fault.since }
      : { ok: true, fault: null, since: null };
  }

  checkLane(lane: string): string {
    if (this.checkpoint().checkpoint.lanes.includes(lane)) return lane;
    throw new KioskError('LANE_UNKNOWN', `Chốt không có làn ${lane}`, `This checkpoint has no lane ${lane}`);
  }

  private checkpoint(): CheckpointConfig {
    return this.o.documents().checkpoint;
  }

  private count(who: Attribution, decision: Decision, by: number): void {
    // Loaded from the log on first use, which then already includes this passage.
    if (!this.counted || this.counted.shiftId !== who.shiftId) return;
    const c = this.counted.counts;
    if (decision === 'ALLOW') c.allowed += by;
    else if (decision === 'DENY') c.denied += by;
    else c.review += by;
  }

  /** An audit write that is not a passage: its failure is a store fault, never a lost verdict. */
  private write(fn: () => void): void {
    try {
      fn();
      this.healthy();
    } catch (err) {
      this.failed(err);
    }
  }

  private failed(err: unknown): ApiError {
    const error = storeFault(err);
    if (!this.fault || this.fault.error.code !== error.code) {
      this.fault = { error, since: new Date(this.o.now()).toISOString() };
      this.o.bus.emit('store.fault', error);
    }
    return error;
  }

  private healthy(): void {
    if (!this.fault) return;
    this.fault = null;
    this.o.bus.emit('store.fault', null);
  }

  private show(verdict: Verdict, addToRecent = true): Verdict {
    if (addToRecent) this.recentList = [verdict, ...this.recentList].slice(0, this.o.recentLimit ?? 100);
    this.o.bus.emit('verdict', verdict);
    this.changed();
    return verdict;
  }

  private changed(): void {
    this.o.bus.emit('status.changed', undefined);
  }
}

function noShift(): KioskError {
  return new KioskError(
    'NO_SHIFT',
    'Chưa mở ca trực: cán bộ hãy đăng nhập và mở ca trước',
    'No shift is open: a guard must log in and open a shift first',
  );
}
