// The vehicle the guard is entering for the next scan. A scanner plugged into the kiosk sends its
// codes to the kiosk, not to the screen, so the screen hands the vehicle to the kiosk first
// (`lane.vehicle`) and whichever scan comes next, from any scanner, takes it.
import type { VehicleView } from '../contract/api-lane.js';
import { type LaneVehicle, resolveVehicle, type VehicleEntry } from '../contract/vehicle.js';

/** A vehicle entered but not scanned for this long is dropped: it belongs to someone who left. */
export const PENDING_VEHICLE_MS = 3 * 60_000;

export interface LaneVehicleChoice {
  entry: VehicleEntry;
  /** The plate to compare with the permit's (VEHICLE_MISMATCH); undefined when none was typed. */
  typedPlate: string | undefined;
  /** Came from the pending entry (taken when the passage is recorded). */
  pending: boolean;
}

export class LaneDesk {
  private pending: { entry: VehicleEntry; at: number } | null = null;

  constructor(private readonly holdMs = PENDING_VEHICLE_MS) {}

  /** Validates and keeps the vehicle for the next scan; an empty entry clears it. Throws on a bad plate. */
  setVehicle(entry: VehicleEntry, nowMs: number): void {
    const empty = !entry.plate?.trim() && !entry.vehicleType && !entry.passengers;
    if (empty) {
      this.pending = null;
      return;
    }
    resolveVehicle(entry);
    this.pending = { entry: { ...entry }, at: nowMs };
  }

  clear(): void {
    this.pending = null;
  }

  private live(nowMs: number): VehicleEntry | null {
    if (this.pending && nowMs - this.pending.at > this.holdMs) this.pending = null;
    return this.pending?.entry ?? null;
  }

  /** The vehicle of a scan: given with it (scan.submit), else the pending one. Throws on a bad plate. */
  choose(explicit: VehicleEntry | undefined, nowMs: number): LaneVehicleChoice {
    const given = explicit && (explicit.plate?.trim() || explicit.vehicleType || explicit.passengers);
    const entry = given ? explicit : (this.live(nowMs) ?? {});
    const typed = resolveVehicle(entry).typedPlate;
    return { entry, typedPlate: typed ?? undefined, pending: !given && this.pending !== null };
  }

  /** The vehicle recorded with the passage, the permit's filling in when nothing was entered. */
  resolve(choice: LaneVehicleChoice, permitVehicle: { plate: string; type: string } | null): LaneVehicle {
    return resolveVehicle(choice.entry, permitVehicle);
  }

  /** After the passage is recorded: the pending vehicle went with it. */
  taken(choice: LaneVehicleChoice): void {
    if (choice.pending) this.pending = null;
  }

  view(nowMs: number): VehicleView | null {
    const e = this.live(nowMs);
    if (!e) return null;
    const v = resolveVehicle(e);
    return { plate: v.plate, type: v.type, passengers: v.passengers };
  }
}

/** The vehicle part of a Verdict. */
export function vehicleView(v: LaneVehicle): VehicleView | null {
  if (v.plate === null && v.type === null && v.passengers === 0) return null;
  return { plate: v.plate, type: v.type, passengers: v.passengers };
}
