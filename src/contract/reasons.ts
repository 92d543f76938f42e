// Verdict vocabulary shared by the core, the kiosk API and the renderer. No Node imports here:
// the renderer bundles this file.
import { z } from 'zod';

export const REASON_CODES = [
  'FORMAT_INVALID',
  'UNRECOGNISED',
  'SIGNATURE_INVALID',
  'UNKNOWN_ISSUER',
  'ISSUER_NOT_VALID',
  'ISSUER_NOT_ALLOWED',
  'NOT_YET_VALID',
  'EXPIRED',
  'REVOKED',
  'AREA_NOT_PERMITTED',
  'OUTSIDE_HOURS',
  'ORIGIN_HIGH_RISK',
  'LOCKDOWN_EXIT',
  'VEHICLE_MISMATCH',
  'ALREADY_INSIDE',
  'DUPLICATE_SCAN',
  'HEALTH_PROOF_REQUIRED',
  'HEALTH_PROOF_INVALID',
  'CLOCK_UNTRUSTED',
] as const;
export const ReasonCode = z.enum(REASON_CODES);
export type ReasonCode = z.infer<typeof ReasonCode>;

export const Decision = z.enum(['ALLOW', 'DENY', 'REVIEW']);
export type Decision = z.infer<typeof Decision>;

export const Direction = z.enum(['in', 'out']);
export type Direction = z.infer<typeof Direction>;

export const ScanSource = z.enum(['serial', 'wedge', 'camera', 'manual', 'api']);
export type ScanSource = z.infer<typeof ScanSource>;

export const PURPOSES = ['work', 'medical', 'goods', 'official', 'emergency', 'essential', 'other'] as const;
export const VEHICLE_TYPES = ['motorbike', 'car', 'truck', 'bicycle', 'other'] as const;
export const PERMIT_KINDS = ['travel', 'goods'] as const;
