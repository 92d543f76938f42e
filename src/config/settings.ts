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

/**
 * Environment overrides derived from the schema: KIOSK_HTTP_PORT=9000, KIOSK_SERIAL_PATH=/dev/ttyACM0,
 * KIOSK_AUTH_IDLEMINUTES_GUARD=30. Each value is typed as its field wants it (a password of digits stays
 * text, a port becomes a number).
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  return overridesFromEnv(raw, env).settings;
}

/** The overridden settings, and which variable set each path (the error names it). */
function overridesFromEnv(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { settings: Record<string, unknown>; from: Map<string, string> } {
  const out = structuredClone(raw);
  const from = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('KIOSK_') || value === undefined) continue;
    const parts = name.slice('KIOSK_'.length).toLowerCase().split('_').filter(Boolean);
    const path = setPath(out, parts, value, Settings, true);
    if (path) from.set(path.join('.'), name);
  }
  return { settings: out, from };
}

/**
 * Sets the field that `parts` names under an object schema, and returns its path. A camelCase field may
 * be written with or without underscores between its words (SUMMARYWINDOWSECONDS, SUMMARY_WINDOW_SECONDS).
 * An unknown name at the top is not ours (KIOSK_CONFIG, KIOSK_WINDOWED); inside a section it is set as
 * given, so that validation names the mistake.
 */
function setPath(
  target: Record<string, unknown>,
  parts: string[],
  value: string,
  schema: z.ZodType,
  top = false,
): string[] | null {
  const fields = objectShape(schema);
  for (let n = parts.length; n >= 1; n--) {
    const name = parts.slice(0, n).join('');
    const key = Object.keys(fields).find((k) => k.toLowerCase() === name);
    const field = key === undefined ? undefined : fields[key];
    if (key === undefined || !field) continue;
    if (n === parts.length) {
      target[key] = coerce(value, field);
      return [key];
    }
    if (Object.keys(objectShape(field)).length === 0) continue;
    const existing = target[key];
    const child = (isRecord(existing) ? existing : {}) as Record<string, unknown>;
    const rest = setPath(child, parts.slice(n), value, field);
    if (rest) {
      target[key] = child;
      return [key, ...rest];
    }
  }
  if (top || parts.length === 0) return null;
  const key = camel(parts);
  target[key] = coerce(value);
  return [key];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields of an object schema under its wrappers (nullable, default, a union's object); else none. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  let s: unknown = schema;
  while (!(s instanceof z.ZodObject)) {
    if (s instanceof z.ZodUnion) {
      s = (s.options as unknown[]).find((o) => Object.keys(objectShape(o as z.ZodType)).length > 0);
    } else if (typeof (s as { unwrap?: unknown })?.unwrap === 'function') {
      s = (s as { unwrap(): unknown }).unwrap();
    } else {
      return {};
    }
  }
  return s.shape as Record<string, z.ZodType>;
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
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  if (value.startsWith('[') || value.startsWith('{')) {
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
  const { settings, from } = overridesFromEnv(raw as Record<string, unknown>, env);
  const parsed = Settings.safeParse(settings);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .map((i) => {
        const path = i.path.join('.');
        // An unknown field is reported on its section, with its name among the issue's keys.
        const paths =
          i.code === 'unrecognized_keys' ? i.keys.map((k) => (path ? `${path}.${k}` : k)) : [path];
        const variables = [...from]
          .filter(([p]) => paths.some((q) => q === p || q.startsWith(`${p}.`)))
          .map(([, v]) => v);
        return `  ${path || '(root)'}: ${i.message}${variables.length ? ` (${variables.join(', ')})` : ''}`;
      })
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
