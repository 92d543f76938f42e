// Vietnamese licence plates (Thông tư 58/2020/TT-BCA, in force in 2021): validation, the canonical
// way to print them, and the normalisation spec/policy.md compares them by. No Node imports: the
// renderer bundles this file to check a plate as the guard types it.

/**
 * spec/policy.md: upper case, with spaces, dots and hyphens removed (`29A-123.45` → `29A12345`).
 * This is the only form plates are compared in (VEHICLE_MISMATCH), whatever was typed.
 */
export function normalisePlate(plate: string): string {
  return plate.toUpperCase().replace(/[\s.-]/g, '');
}

/**
 * The families we accept, by their normalised form:
 * - `car`: 2-digit province code, a 1–2 letter series, 4 (old) or 5 digits: `29A-123.45`, `30E-123.45`,
 *   `29A-1234`, `51LD-123.45` (joint ventures), `80NG-123.45` (diplomatic), `29KT-…`, `29R-…` (trailers);
 * - `motorbike`: province code, a letter and a digit, 4 or 5 digits: `29-B1 123.45`, `29-B1 1234`;
 *   a motorbike with a 2-letter series is a moped under 50 cc: `29-AA 123.45`;
 * - `military`: two letters and four digits: `TM-12-34`;
 * - anything else (a foreign plate, machinery) only with the vehicle type `other`: 2–12 letters/digits.
 */
export type PlateKind = 'car' | 'motorbike' | 'military' | 'other';

export interface ParsedPlate {
  /** spec/policy.md normalisation: what is compared and searched. */
  normalised: string;
  /** How the plate is printed on screen and stored: `29A-123.45`, `29-B1 123.45`. */
  display: string;
  kind: PlateKind;
  /** The vehicle type the plate implies, so the guard need not pick it: `motorbike` or `car`. */
  impliedType: 'motorbike' | 'car' | null;
}

/** Longest plate text accepted as typed (separators included); matches the kiosk API limit. */
export const PLATE_MAX_LENGTH = 20;

const PROVINCE = '(1[1-9]|[2-9]\\d)';
const CAR = new RegExp(`^${PROVINCE}([A-Z]{1,2})(\\d{4,5})$`);
const MOTORBIKE = new RegExp(`^${PROVINCE}([A-Z]\\d)(\\d{4,5})$`);
const MILITARY = /^([A-Z]{2})(\d{2})(\d{2})$/;
const OTHER = /^[A-Z0-9]{2,12}$/;

/** `12345` → `123.45`; four digits (older plates) stay as they are. */
function serial(digits: string): string {
  return digits.length === 5 ? `${digits.slice(0, 3)}.${digits.slice(3)}` : digits;
}

/**
 * Parses a plate as the guard typed it (any case, any of space, dot and hyphen as separators).
 * `29A12345` reads both as a car (`29A-123.45`) and as an old motorbike plate (`29-A1 2345`): where the
 * guard typed separators, their places decide (`29A-…` car, `29-A1…` or `29-AA…` motorbike); else the
 * vehicle type does, and a car by default (5-digit plates are the current ones). A 2-letter series on a
 * motorbike is a moped; `other` also allows free-form plates. Returns null for anything else.
 */
export function parsePlate(input: string, vehicleType?: string | null): ParsedPlate | null {
  if (input.length > PLATE_MAX_LENGTH) return null;
  // Only the separators the spec removes may appear between the letters and digits.
  if (!/^[\p{L}\p{N}\s.-]*$/u.test(input)) return null;
  const raw = input.trim().toUpperCase();
  const n = normalisePlate(raw);
  const bikeLayout = /^\d{2}[\s.-]+[A-Z]/.test(raw) || /^\d{2}[A-Z]\d[\s.-]/.test(raw);
  const carLayout = /^\d{2}[A-Z]{1,2}[\s.-]/.test(raw);
  const bike = carLayout ? null : MOTORBIKE.exec(n);
  const car = CAR.exec(n);
  const preferBike = bikeLayout || (!carLayout && vehicleType === 'motorbike');
  if (bike && (preferBike || !car)) {
    const [, province, series, digits] = bike as unknown as [string, string, string, string];
    return {
      normalised: n,
      display: `${province}-${series} ${serial(digits)}`,
      kind: 'motorbike',
      impliedType: 'motorbike',
    };
  }
  if (car) {
    const [, province, series, digits] = car as unknown as [string, string, string, string];
    // A two-letter series laid out or declared as a motorbike is a moped (xe máy dưới 50 cm³).
    if (series.length === 2 && preferBike) {
      return {
        normalised: n,
        display: `${province}-${series} ${serial(digits)}`,
        kind: 'motorbike',
        impliedType: 'motorbike',
      };
    }
    return {
      normalised: n,
      display: `${province}${series}-${serial(digits)}`,
      kind: 'car',
      impliedType: 'car',
    };
  }
  const mil = MILITARY.exec(n);
  if (mil)
    return { normalised: n, display: `${mil[1]}-${mil[2]}-${mil[3]}`, kind: 'military', impliedType: null };
  if (vehicleType === 'other' && OTHER.test(n)) {
    return { normalised: n, display: n, kind: 'other', impliedType: null };
  }
  return null;
}

/** Bilingual explanation of what a valid plate looks like, for the error under the plate field. */
export const PLATE_HINT = {
  vi: 'Biển số không đúng dạng. Ví dụ: 29A-123.45 (ô tô), 29-B1 123.45 (xe máy), 80NG-123.45',
  en: 'Not a valid plate. Examples: 29A-123.45 (car), 29-B1 123.45 (motorbike), 80NG-123.45',
} as const;
