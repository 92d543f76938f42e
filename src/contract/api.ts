// The kiosk API: the one typed definition of the calls and events the UI uses. Every message that
// crosses a process or network boundary (WebSocket, HTTP, Electron IPC) is parsed with these schemas.
// No Node imports: the renderer and the Electron preload bundle this file.
import { z } from 'zod';
import { auditMethods } from './api-audit.js';
import { LaneOverrideView, laneMethodsFor, PersonView, VehicleFields, VehicleView } from './api-lane.js';
import { Decision, Direction, ReasonCode, ScanSource } from './reasons.js';

/** Errors are values with a stable code and both languages. */
export const ApiError = z.object({ code: z.string(), vi: z.string(), en: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const PermitView = z.object({
  iss: z.string(),
  cti: z.string(),
  hash: z.string(),
  kind: z.string(),
  nam: z.string(),
  idnMasked: z.string(),
  pur: z.string(),
  org: z.string().nullable(),
  home: z.string().nullable(),
  areas: z.array(z.string()),
  route: z.string().nullable(),
  veh: z.object({ plate: z.string(), type: z.string() }).nullable(),
  hours: z.tuple([z.string(), z.string()]).nullable(),
  validFrom: z.string(),
  validTo: z.string(),
  issuerName: z.string().nullable(),
});
export type PermitView = z.infer<typeof PermitView>;

/** A verified EU Digital COVID Certificate (HC1) as shown: no identifiers beyond the name and birth date. */
export const DccView = z.object({
  country: z.string(),
  type: z.enum(['test', 'vaccination', 'recovery']),
  fnt: z.string(),
  gnt: z.string().nullable(),
  dob: z.string(),
});
export type DccView = z.infer<typeof DccView>;

/** How a health certificate scanned at this lane bears on a verdict (src/lane/health-pairing.ts). */
export const HealthProofView = z.object({
  /** The certificate's own failure (empty: authentic, unexpired and meeting the health rule). */
  reasons: z.array(ReasonCode),
  /** Holder's name and birth date against the paired permit; null when not paired or unreadable. */
  nameMatch: z.boolean().nullable(),
  /** True: scanned before the permit and recorded with it. False: only shown, not in the log. */
  recorded: z.boolean(),
});
export type HealthProofView = z.infer<typeof HealthProofView>;

/**
 * What a scan became (spec/policy.md "What is counted"):
 * - `passage`: recorded and counted (a permit that could be read, or a manual entry);
 * - `duplicate`: the same permit again within the duplicate window: the earlier verdict, not counted;
 * - `unreadable`: FORMAT_INVALID or UNRECOGNISED: shown, audited, counted as unreadable, not a passage;
 * - `health-proof`: a health certificate, shown on its own or beside the lane's last permit;
 * - `no-shift`: nobody is on duty: not a passage; the guard must log in and open a shift;
 * - `not-recorded`: the log refused the passage (disk full, read-only...): write it on the paper log.
 */
export const VerdictKind = z.enum([
  'passage',
  'duplicate',
  'unreadable',
  'health-proof',
  'no-shift',
  'not-recorded',
]);
export type VerdictKind = z.infer<typeof VerdictKind>;

export const Verdict = z.object({
  kind: VerdictKind,
  /** Passage id when recorded; for a duplicate, the id of the earlier passage. */
  passageId: z.number().int().nullable(),
  at: z.string(),
  decision: Decision,
  reasons: z.array(ReasonCode),
  duplicate: z.boolean(),
  source: ScanSource,
  direction: Direction,
  lane: z.string(),
  permit: PermitView.nullable(),
  /** First characters of an unrecognised or broken scan, for the guard's eyes only. */
  preview: z.string().nullable(),
  /** The health certificate of this scan or paired with this permit; absent from older kiosks. */
  dcc: DccView.nullable().optional(),
  health: HealthProofView.nullable().optional(),
  /** The vehicle recorded, a person recorded by hand, the guard's override. */
  vehicle: VehicleView.nullable().optional(),
  person: PersonView.nullable().optional(),
  override: LaneOverrideView.nullable().optional(),
  /** A health proof scanned after the permit completed this passage: the decision it had before. */
  amended: z
    .object({ from: Decision, reasons: z.array(ReasonCode), at: z.string() })
    .nullable()
    .optional(),
  /** `not-recorded`: why the log refused it. */
  fault: ApiError.nullable().optional(),
});
export type Verdict = z.infer<typeof Verdict>;

/** `none`: no serial scanner is configured (keyboard wedge or camera only). */
export const ScannerState = z.enum(['ok', 'missing', 'error', 'off', 'none']);
export type ScannerState = z.infer<typeof ScannerState>;

export const ScannerDiagnostic = z.object({
  code: z.string(),
  vi: z.string(),
  en: z.string(),
  at: z.string(),
});
export type ScannerDiagnostic = z.infer<typeof ScannerDiagnostic>;

/** The retention purge under way: personal data recorded before `before` is being erased. */
export const PurgeStatus = z.object({
  before: z.string(),
  startedAt: z.string(),
  /** Passages erased so far by this run (before a restart included). */
  done: z.number().int(),
  /** Passages that were due when the run started; null while they are being counted. */
  total: z.number().int().nullable(),
  /** The run was cut short (a restart) and taken up where it was. */
  resumed: z.boolean(),
  /** Counting what is due, erasing it, then tidying the name index (the erased names' words leave it). */
  phase: z.enum(['counting', 'erasing', 'tidying']).optional(),
});
export type PurgeStatus = z.infer<typeof PurgeStatus>;

export const KioskStatus = z.object({
  version: z.string(),
  startedAt: z.string(),
  now: z.string(),
  demo: z.boolean(),
  checkpoint: z.object({
    id: z.string(),
    name: z.string().nullable(),
    district: z.string(),
    districtName: z.string().nullable(),
    area: z.string(),
    areaName: z.string().nullable(),
    kind: z.string(),
    lanes: z.array(z.string()),
  }),
  lane: z.string(),
  direction: Direction,
  scanner: z.object({
    state: ScannerState,
    path: z.string().nullable(),
    detail: z.string().nullable(),
    /** While `missing` or `error`: why, in words for the guard and the technician (absent from older kiosks). */
    problem: z.object({ vi: z.string(), en: z.string() }).nullable().optional(),
    /** The last thing the scanner sent that was not a code (a line too long, noise, a wrong baud rate). */
    diagnostic: ScannerDiagnostic.nullable().optional(),
  }),
  /** The passage log: ok, or the fault that made the last write fail (the guard keeps a paper log). */
  store: z.object({ ok: z.boolean(), fault: ApiError.nullable(), since: z.string().nullable() }).optional(),
  /**
   * Signed documents from the command centre: ok, or the fault that kept a decision from being recorded
   * (its audit record or its ack could not be written, so nothing changed; it is being tried again).
   */
  documents: z
    .object({ ok: z.boolean(), fault: ApiError.nullable(), since: z.string().nullable() })
    .optional(),
  /** The retention purge under way, or null. */
  purge: PurgeStatus.nullable().optional(),
  /**
   * A scan came while no shift was open (not recorded): the login screen asks a guard to open one and
   * scan again. No personal data: the time and the lane only. Cleared when a shift opens.
   */
  noShiftScan: z.object({ at: z.string(), lane: z.string() }).nullable().optional(),
  uplink: z.object({
    enabled: z.boolean(),
    connected: z.boolean(),
    /** Downlink subscriptions acknowledged on this connection: signed documents can arrive. */
    subscribed: z.boolean().optional(),
    /** Messages the command centre has not yet receipted, and when the oldest was written. */
    backlog: z.number().int(),
    oldestAt: z.string().nullable().optional(),
    /** Whether the command centre is online (its presence on the broker); unknown until heard. */
    commandCentre: z.enum(['online', 'offline', 'unknown']).optional(),
    /**
     * The shared history of the area (spec/policy.md): the peer kiosks watched, those out of contact,
     * and whether ALREADY_INSIDE may be relied on. Absent without MQTT (local history only).
     */
    peers: z
      .object({
        complete: z.boolean(),
        watched: z.number().int(),
        silent: z.array(
          z.object({
            checkpoint: z.string(),
            kiosk: z.string(),
            lane: z.string().nullable(),
            lastHeardAt: z.string().nullable(),
          }),
        ),
      })
      .optional(),
  }),
  counts: z.object({ allowed: z.number().int(), denied: z.number().int(), review: z.number().int() }),
  /** The open shift (who scans now), or null; absent from kiosks that predate shifts. */
  shift: z.object({ id: z.number().int(), guard: z.string(), openedAt: z.string() }).nullable().optional(),
  /** The vehicle entered for the next scan (`lane.vehicle`), or null. */
  vehicle: VehicleView.nullable().optional(),
  /** Policy: an override needs a supervisor's name and PIN (the override dialog asks for them). */
  overrideRequiresSupervisor: z.boolean().optional(),
});
export type KioskStatus = z.infer<typeof KioskStatus>;

export const DemoSample = z.object({ label: z.string(), labelEn: z.string(), text: z.string() });
export type DemoSample = z.infer<typeof DemoSample>;

const MAX_SCAN = 8192;

/**
 * The sources a scan submitted through the API can have: the screen's own inputs. `serial` and `manual`
 * come only from the kiosk's serial driver and manual.record; a caller claiming them is recorded as `api`.
 */
export const SCREEN_SOURCES = ['wedge', 'camera', 'api'] as const;
export type ScreenSource = (typeof SCREEN_SOURCES)[number];

/** Each method: params schema and result schema. */
export const methods = {
  'status.get': { params: z.object({}).strict(), result: KioskStatus },
  'scan.submit': {
    params: z
      .object({
        text: z.string().min(1).max(MAX_SCAN),
        // Which of the screen's inputs read it (SCREEN_SOURCES); the kiosk decides what is recorded.
        source: ScanSource.default('api'),
        direction: Direction.optional(),
        lane: z.string().max(16).optional(),
        // The vehicle the guard entered: plate, vehicleType, passengers.
        ...VehicleFields,
      })
      .strict(),
    result: Verdict,
  },
  'verdicts.recent': {
    params: z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict(),
    result: z.array(Verdict),
  },
  'lane.set': {
    params: z
      .object({ direction: Direction.optional(), lane: z.string().min(1).max(16).optional() })
      .strict(),
    result: KioskStatus,
  },
  'demo.samples': { params: z.object({}).strict(), result: z.array(DemoSample) },
  // Roles, shifts and the audit: api-audit.ts.
  ...auditMethods,
  // The guard's lane: manual entry, scanner ports. api-lane.ts.
  ...laneMethodsFor(Verdict, KioskStatus),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;

export const events = {
  verdict: Verdict,
  status: KioskStatus,
} as const;
export type EventName = keyof typeof events;
export type EventData<E extends EventName> = z.infer<(typeof events)[E]>;

// Wire envelopes (WebSocket and Electron IPC share them).
export const CallMessage = z.object({
  type: z.literal('call'),
  id: z.number().int(),
  method: z.string().max(64),
  params: z.unknown(),
});
export type CallMessage = z.infer<typeof CallMessage>;
export type ResultMessage =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ApiError };
export type EventMessage = { type: 'event'; name: EventName; data: unknown };

/** The client-side shape every shell provides (WebSocket in a browser, contextBridge in Electron). */
export interface KioskClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}
