// The kiosk API of the guard's lane: manual entry and the scanner ports, spread into
// `methods` in src/contract/api.ts; the vehicle fields scan.submit takes. No Node imports: the renderer
// bundles this file. Checks that need bilingual errors (plate, ID number, reason) run in src/lane/.
import { z } from 'zod';
import { Direction, PURPOSES, VEHICLE_TYPES } from './reasons.js';

export const VehicleType = z.enum(VEHICLE_TYPES);

/** What the guard may add to a scan or a manual entry: the vehicle and who is in it. */
export const VehicleFields = {
  /** As typed; validated and normalised by src/contract/plate.ts (PLATE_INVALID otherwise). */
  plate: z.string().max(20).optional(),
  vehicleType: VehicleType.optional(),
  /** People in the vehicle besides the person checked. */
  passengers: z.number().int().min(0).max(60).optional(),
};

/** The vehicle recorded with a passage, as the screen shows it. */
export const VehicleView = z.object({
  plate: z.string().nullable(),
  type: z.string().nullable(),
  passengers: z.number().int(),
});
export type VehicleView = z.infer<typeof VehicleView>;

/** A person recorded by hand (no permit): the ID number is masked like a permit's. */
export const PersonView = z.object({ name: z.string(), idMasked: z.string(), purpose: z.string() });
export type PersonView = z.infer<typeof PersonView>;

/** A guard's override of a passage. */
export const LaneOverrideView = z.object({ at: z.string(), by: z.string().nullable(), reason: z.string() });
export type LaneOverrideView = z.infer<typeof LaneOverrideView>;

export const SerialPortView = z.object({
  path: z.string(),
  vendorId: z.string().nullable(),
  productId: z.string().nullable(),
  manufacturer: z.string().nullable(),
  /** A known scanner maker (Honeywell, Zebra, Newland, Datalogic) by vendor id. */
  scannerVendor: z.string().nullable(),
});

/**
 * The lane's methods, given the Verdict and KioskStatus schemas (src/contract/api.ts spreads them into
 * `methods`; taking them as arguments keeps this file free of an import cycle).
 */
export function laneMethodsFor<V extends z.ZodType, S extends z.ZodType>(verdict: V, status: S) {
  return {
    /**
     * The vehicle for the next scan, whichever scanner reads it (a serial scanner talks to the kiosk,
     * not to the screen). All fields empty: no vehicle. Kept 3 minutes at most; shown in the status.
     */
    'lane.vehicle': { params: z.object(VehicleFields).strict(), result: status },
    /**
     * A person with no QR, recorded by hand: REVIEW (nothing verified) and the guard's decision. The
     * reason (≥ 10 characters) says why; letting the person through counts as an override.
     */
    'manual.record': {
      params: z
        .object({
          name: z.string().max(200),
          idNumber: z.string().max(32),
          purpose: z.enum(PURPOSES),
          reason: z.string().max(2000),
          letThrough: z.boolean(),
          direction: Direction.optional(),
          lane: z.string().max(16).optional(),
          ...VehicleFields,
        })
        .strict(),
      result: verdict,
    },
    /** Serial ports with their USB ids, for the technician choosing `serial.usb` (never throws). */
    'scanner.ports': {
      params: z.object({}).strict(),
      result: z.object({
        ports: z.array(SerialPortView),
        via: z.enum(['serialport', 'sysfs']).nullable(),
        problem: z.string().nullable(),
      }),
    },
  } as const;
}
