// The deployment configuration file (`kiosk.json`). One zod schema: types, defaults and validation.
// Every field is documented in the README. Relative paths resolve against the file's own folder.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { AuthSettings, checkLanBinding, RetentionSettings } from '../auth/settings.js';
import { KioskError } from '../contract/errors.js';
import { KioskId } from '../contract/mqtt-topics.js';
import { Direction } from '../contract/reasons.js';

const BrokerUrl = z
  .string()
  .regex(/^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/, 'mqtt://, mqtts://, ws:// or wss:// URL');

export const Settings = z
  .object({
    checkpoint: z.string().describe('path to the checkpoint configuration (spec/policy.md)'),
    rootKey: z.string().describe("path to the command centre's root public key (PEM, SPKI)"),
    trustList: z.string().describe('path to the signed trust list (vnp-trust+jws)'),
    database: z.string().default('kiosk.db'),
    /**
     * The key of the ID-number search tokens, outside the database (mode 0600, created at first start).
     * Back it up apart from the database: without it old passages cannot be found by ID number.
     */
    idnKeyFile: z.string().default('idn.key'),
    lane: z.string().min(1).max(16).optional(),
    /** This kiosk's id within its checkpoint on MQTT (spec/mqtt.md "Identity"); default `L` + lane. */
    kioskId: KioskId.optional(),
    direction: Direction.default('in'),
    serial: z
      .object({
        // With `usb` the path is only a fallback: the port is found by its USB id at every (re)open.
        path: z.string().min(1).optional(),
        usb: z
          .union([
            z.literal('auto'),
            z
              .object({
                vendorId: z.string().regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB vendor id, hex'),
                productId: z
                  .string()
                  .regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB product id, hex')
                  .optional(),
              })
              .strict(),
          ])
          .optional(),
        baudRate: z.number().int().positive().default(9600),
        suffix: z.enum(['auto', 'CR', 'LF', 'CRLF', 'none']).default('auto'),
      })
      .strict()
      .refine((s) => s.path !== undefined || s.usb !== undefined, 'serial needs "path" or "usb"')
      .nullable()
      .default(null),
    mqtt: z
      .object({
        urls: z.array(BrokerUrl).min(1),
        username: z.string().optional(),
        password: z.string().optional(),
        caFile: z.string().optional(),
        /** Per-kiosk client certificate and its private key (PEM), for brokers that require them. */
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        summaryWindowSeconds: z.number().int().min(1).max(3600).default(60),
        /** A message published but not receipted this long, while the command centre is online, goes again. */
        receiptTimeoutSeconds: z.number().int().min(5).max(86_400).default(60),
      })
      .strict()
      .nullable()
      .default(null),
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Opens the browser host to the LAN (a supervisor's laptop): required for a non-loopback host. */
        lan: z.boolean().default(false),
        /** The server certificate (PEM, chain) and its private key (mode 0600): `kiosk certs new` makes them. */
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
      })
      .strict()
      .superRefine(checkLanBinding)
      .superRefine(checkLanTls)
      .prefault({}),
    open: z.enum(['auto', 'electron', 'chromium', 'none']).default('auto'),
    /** Accounts, lockout and session lengths (src/auth/settings.ts). */
    auth: AuthSettings,
    /** How long personal data is kept (src/auth/settings.ts). */
    retention: RetentionSettings,
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

/**
 * On the LAN the browser host speaks HTTPS only: PINs, session cookies, names and ID digits must not
 * cross the checkpoint's network in clear. Loopback may stay plain HTTP.
 */
export function checkLanTls(
  http: { lan?: boolean | undefined; certFile?: string | undefined; keyFile?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (http.lan !== true || (http.certFile && http.keyFile)) return;
  ctx.addIssue({
    code: 'custom',
    path: [http.certFile ? 'keyFile' : 'certFile'],
    message:
      'http.lan cần chứng chỉ HTTPS: đặt "certFile" và "keyFile" (tạo bằng `kiosk certs new`); máy không chạy ' +
      'HTTP thường trên mạng LAN vì mã PIN, cookie phiên và tên người qua chốt sẽ lộ / ' +
      'http.lan needs an HTTPS certificate: set "certFile" and "keyFile" (made by `kiosk certs new`); the ' +
      'kiosk does not serve plain HTTP on the LAN, where PINs, session cookies and names would cross in clear',
  });
}

/** Environment overrides derived from the schema: KIOSK_HTTP_PORT=9000, KIOSK_SERIAL_PATH=/dev/ttyACM0. */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KIOSK_') || value === undefined) continue;
    const path = name.slice('KIOSK_'.length).toLowerCase().split('_');
    setPath(out, path, value);
  }
  return out;
}

function setPath(target: Record<string, unknown>, path: string[], value: string): void {
  const shape = Settings.shape as Record<string, z.ZodType>;
  const head = path[0];
  const key = Object.keys(shape).find((k) => k.toLowerCase() === head);
  if (!key) return;
  if (path.length === 1) {
    target[key] = coerce(value, shape[key]!);
    return;
  }
  const child = (target[key] ?? {}) as Record<string, unknown>;
  const sub = path.slice(1).join('').toLowerCase();
  const fields = objectShape(shape[key]!);
  const inner =
    Object.keys(child).find((k) => k.toLowerCase() === sub) ??
    Object.keys(fields).find((k) => k.toLowerCase() === sub) ??
    camel(path.slice(1));
  child[inner] = fields[inner] ? coerce(value, fields[inner]) : coerce(value);
  target[key] = child;
}

/** The fields of an object schema under its wrappers (nullable, default, …); none for other schemas. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let s: unknown = schema;
  while (!(s instanceof z.ZodObject) && typeof (s as { unwrap?: unknown }).unwrap === 'function') {
    s = (s as { unwrap(): unknown }).unwrap();
  }
  return s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : {};
}

function camel(parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
}

/** The text typed as the setting wants it: "2" stays a string for a lane, becomes a number for a port. */
function coerce(value: string, schema?: z.ZodType): unknown {
  const typed = guess(value);
  if (schema && typed !== value && !schema.safeParse(typed).success && schema.safeParse(value).success) {
    return value;
  }
  return typed;
}

function guess(value: string): unknown {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  if (value.startsWith('[')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** Reads, overrides from the environment, validates (all errors at once) and resolves paths. */
export function loadSettings(file: string, env: NodeJS.ProcessEnv = process.env): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new KioskError(
      'CONFIG_UNREADABLE',
      `Không đọc được tệp cấu hình ${file}: ${why}`,
      `Cannot read configuration file ${file}: ${why}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new KioskError(
      'CONFIG_INVALID',
      `Tệp cấu hình ${file} phải là một đối tượng JSON`,
      `${file} must be a JSON object`,
    );
  }
  const parsed = Settings.safeParse(applyEnvOverrides(raw as Record<string, unknown>, env));
  if (!parsed.success) {
    const lines = parsed.error.issues
      .map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new KioskError(
      'CONFIG_INVALID',
      `Cấu hình ${file} không hợp lệ:\n${lines}`,
      `Configuration ${file} is invalid:\n${lines}`,
    );
  }
  const base = dirname(resolve(file));
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const s = parsed.data;
  return {
    ...s,
    checkpoint: at(s.checkpoint),
    rootKey: at(s.rootKey),
    trustList: at(s.trustList),
    database: s.database === ':memory:' ? s.database : at(s.database),
    idnKeyFile: at(s.idnKeyFile),
    http: {
      ...s.http,
      ...(s.http.certFile ? { certFile: at(s.http.certFile) } : {}),
      ...(s.http.keyFile ? { keyFile: at(s.http.keyFile) } : {}),
    },
    mqtt: s.mqtt && {
      ...s.mqtt,
      ...(s.mqtt.caFile ? { caFile: at(s.mqtt.caFile) } : {}),
      ...(s.mqtt.certFile ? { certFile: at(s.mqtt.certFile) } : {}),
      ...(s.mqtt.keyFile ? { keyFile: at(s.mqtt.keyFile) } : {}),
    },
  };
}
