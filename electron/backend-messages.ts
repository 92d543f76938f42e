// The protocol between the main process and the backend utility process (process.parentPort). Both
// sides parse what they receive: a process boundary is a boundary, even between our own processes.
import { z } from 'zod';
import { ApiError } from '../src/contract/api.js';

export const INCIDENT_KINDS = ['renderer-gone', 'renderer-unresponsive', 'backend-exit'] as const;

/** A crash the shell recovered from: audited by the backend, reported to the command centre. */
export const Incident = z
  .object({
    kind: z.enum(INCIDENT_KINDS),
    at: z.iso.datetime({ offset: true }),
    /** e.g. "crashed (exit 139)"; for the audit record only, never sent over MQTT. */
    detail: z.string().max(200),
  })
  .strict();
export type Incident = z.infer<typeof Incident>;

export const ToBackend = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('call'),
    id: z.number().int(),
    method: z.string().max(64),
    params: z.unknown(),
  }),
  z.object({ type: z.literal('incident'), incident: Incident }),
  /** The window's login session, kept by main so that it survives a backend restart. */
  z.object({ type: z.literal('session'), token: z.string().max(512).nullable() }),
  z.object({ type: z.literal('ping'), id: z.number().int() }),
  z.object({ type: z.literal('stop') }),
]);
export type ToBackend = z.infer<typeof ToBackend>;

// A plain union: the two 'result' shapes share their discriminator value.
export const FromBackend = z.union([
  z.object({ type: z.literal('ready') }),
  /** The kiosk could not start (bad configuration, database, native module): shown on screen. */
  z.object({ type: z.literal('fatal'), error: ApiError }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: ApiError }),
  z.object({ type: z.literal('event'), name: z.string().max(64), data: z.unknown() }),
  z.object({ type: z.literal('pong'), id: z.number().int() }),
  /** auth.login / auth.logout changed the window's session. */
  z.object({ type: z.literal('session'), token: z.string().max(512).nullable() }),
  z.object({ type: z.literal('stopped') }),
]);
export type FromBackend = z.infer<typeof FromBackend>;

/** What the renderer gets back from `kiosk:call` (the preload unwraps it). */
export type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiError };

/** Bilingual errors the shell itself produces (the kiosk's own come from the backend). */
export const shellErrors = {
  forbidden: { code: 'FORBIDDEN', vi: 'Không được phép', en: 'Forbidden' },
  badMessage: { code: 'BAD_MESSAGE', vi: 'Thông điệp sai dạng', en: 'Malformed message' },
  starting: {
    code: 'BACKEND_STARTING',
    vi: 'Máy đang khởi động, chờ vài giây',
    en: 'The kiosk is starting; wait a few seconds',
  },
  restarting: {
    code: 'BACKEND_RESTARTING',
    vi: 'Phần xử lý của máy vừa dừng và đang khởi động lại; chờ vài giây rồi thử lại',
    en: "The kiosk's backend stopped and is restarting; wait a few seconds and retry",
  },
  timeout: {
    code: 'TIMEOUT',
    vi: 'Máy không trả lời kịp, thử lại',
    en: 'The kiosk did not answer in time; retry',
  },
  badResult: { code: 'BAD_RESULT', vi: 'Máy trả lời sai dạng', en: 'The kiosk sent a malformed answer' },
  stopping: { code: 'STOPPING', vi: 'Máy đang tắt', en: 'The kiosk is shutting down' },
} as const satisfies Record<string, ApiError>;
