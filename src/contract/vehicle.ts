// The vehicle the guard records with a passage: type, plate and passengers, checked and normalised.
// No Node imports: the renderer bundles this file to check the form as the guard fills it.
import { KioskError } from './errors.js';
import { PLATE_HINT, parsePlate } from './plate.js';
import { VEHICLE_TYPES } from './reasons.js';

export type VehicleType = (typeof VEHICLE_TYPES)[number];

/** People in a vehicle besides the person scanned; a bus is `other`. */
export const MAX_PASSENGERS = 60;

export interface VehicleEntry {
  plate?: string | undefined;
  vehicleType?: VehicleType | undefined;
  passengers?: number | undefined;
}

export interface LaneVehicle {
  /** As printed (`29A-123.45`), or null. */
  plate: string | null;
  /** What the guard typed, for VEHICLE_MISMATCH (null when nothing was typed). */
  typedPlate: string | null;
  type: VehicleType | null;
  passengers: number;
  /** Persons in this passage: the holder and the passengers. */
  people: number;
  /** The vehicle came from the permit because the guard typed none. */
  fromPermit: boolean;
}

/**
 * Checks what the guard entered. Without a plate or a type, the permit's vehicle (if any) is recorded,
 * as the kiosk did before vehicle entry existed. Throws a bilingual KioskError on a bad plate.
 */
export function resolveVehicle(
  entry: VehicleEntry,
  permitVehicle: { plate: string; type: string } | null = null,
): LaneVehicle {
  const passengers = entry.passengers ?? 0;
  if (!Number.isInteger(passengers) || passengers < 0 || passengers > MAX_PASSENGERS) {
    throw new KioskError(
      'PASSENGERS_INVALID',
      `Số người đi cùng phải từ 0 đến ${MAX_PASSENGERS}`,
      `Passengers must be 0 to ${MAX_PASSENGERS}`,
    );
  }
  const people = 1 + passengers;
  const typed = (entry.plate ?? '').trim();
  const type = entry.vehicleType ?? null;
  if (typed === '' && type === null) {
    if (permitVehicle) {
      const known = (VEHICLE_TYPES as readonly string[]).includes(permitVehicle.type);
      const plate = parsePlate(permitVehicle.plate, permitVehicle.type)?.display ?? permitVehicle.plate;
      return {
        plate: plate.slice(0, 20),
        typedPlate: null,
        type: known ? (permitVehicle.type as VehicleType) : 'other',
        passengers,
        people,
        fromPermit: true,
      };
    }
    return { plate: null, typedPlate: null, type: null, passengers, people, fromPermit: false };
  }
  if (typed === '') return { plate: null, typedPlate: null, type, passengers, people, fromPermit: false };
  if (type === 'bicycle') {
    throw new KioskError(
      'PLATE_NOT_EXPECTED',
      'Xe đạp không có biển số: hãy xoá biển số hoặc chọn loại xe khác',
      'Bicycles have no plate: clear the plate or choose another vehicle type',
    );
  }
  const parsed = parsePlate(typed, type);
  if (!parsed) throw new KioskError('PLATE_INVALID', PLATE_HINT.vi, PLATE_HINT.en);
  return {
    plate: parsed.display,
    typedPlate: parsed.display,
    type: type ?? parsed.impliedType ?? 'other',
    passengers,
    people,
    fromPermit: false,
  };
}
