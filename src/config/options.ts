// From kiosk.json to what the kiosk is built with: every file the settings name is read here (the
// checkpoint, the pinned root key, the trust list verified against it, TLS material), with a bilingual
// error naming the file that is wrong.
import type { KeyObject } from 'node:crypto';
import { readTextFile } from '../base/files.js';
import type { Timers } from '../base/timers.js';
import type { DemoSample } from '../contract/api.js';
import { CheckpointConfig } from '../contract/checkpoint.js';
import { KioskError } from '../contract/errors.js';
import { loadPublicKey } from '../contract/keys.js';
import type { Direction } from '../contract/reasons.js';
import { loadTrustList, type TrustList } from '../documents/trust-list.js';
import { loadTlsPair, type TlsPair } from '../host/tls-files.js';
import type { Settings } from './settings.js';

export interface KioskOptions {
  checkpoint: CheckpointConfig;
  root: KeyObject;
  trust: TrustList;
  /** The trust list file as read (raw JWS): imported into the document store when newer. */
  trustFile?: { jws: string; path: string } | undefined;
  database: string;
  /** The ID-number key's file (src/store/idn-key-file.ts); default idn.key beside the database. */
  idnKeyFile?: string | undefined;
  lane?: string | undefined;
  /** This kiosk's MQTT identity within its checkpoint; `L` + lane when absent. */
  kioskId?: string | undefined;
  direction?: Direction;
  serial: Settings['serial'];
  mqtt:
    | (Omit<NonNullable<Settings['mqtt']>, 'receiptTimeoutSeconds'> & {
        receiptTimeoutSeconds?: number;
        ca?: string;
        cert?: string;
        key?: string;
      })
    | null;
  /** The browser host; `tls` (certificate and key PEM) is required with `lan`. */
  http: { host: string; port: number; lan?: boolean; tls?: TlsPair | undefined } | false;
  /** Accounts, lockout and sessions (kiosk.json `auth`). */
  auth?: Settings['auth'];
  retentionDays?: number;
  /** The configuration in effect, PINs removed: changes between starts are audited. */
  configSections?: Record<string, unknown>;
  /** scrypt cost for new PINs; tests lower it. */
  pinCost?: number;
  staticDir?: string;
  demoSamples?: DemoSample[];
  now?: () => number;
  /** The timers of the parts that follow `now` (summary windows, MQTT); tests move a clock with both. */
  timers?: Timers;
}

function checkpointFile(path: string): CheckpointConfig {
  const raw = readTextFile(path, 'tệp chốt', 'checkpoint file');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new KioskError('CHECKPOINT_INVALID', `Tệp chốt ${path} không phải JSON`, `${path} is not JSON`);
  }
  const parsed = CheckpointConfig.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new KioskError(
      'CHECKPOINT_INVALID',
      `Tệp chốt không hợp lệ: ${lines}`,
      `Invalid checkpoint file: ${lines}`,
    );
  }
  return parsed.data;
}

function rootKey(path: string): KeyObject {
  try {
    return loadPublicKey(readTextFile(path, 'khoá gốc', 'root key'));
  } catch (err) {
    if (err instanceof KioskError) throw err;
    throw new KioskError(
      'ROOT_KEY_INVALID',
      `Khoá gốc ${path} không hợp lệ`,
      `Root key ${path} is not a valid public key`,
    );
  }
}

/** Loads every file a settings object names, verifying the trust list against the pinned root. */
export async function kioskOptionsFromSettings(s: Settings): Promise<KioskOptions> {
  const checkpoint = checkpointFile(s.checkpoint);
  const root = rootKey(s.rootKey);
  const trustJws = readTextFile(s.trustList, 'danh sách tin cậy', 'trust list').trim();
  const trust = await loadTrustList(trustJws, root);
  const file = (p: string | undefined, vi: string, en: string) => (p ? readTextFile(p, vi, en) : undefined);
  const ca = file(s.mqtt?.caFile, 'chứng chỉ CA', 'CA certificate');
  const cert = file(s.mqtt?.certFile, 'chứng chỉ máy', 'client certificate');
  const key = file(s.mqtt?.keyFile, 'khoá máy', 'client key');
  return {
    checkpoint,
    root,
    trust,
    trustFile: { jws: trustJws, path: s.trustList },
    database: s.database,
    idnKeyFile: s.idnKeyFile,
    lane: s.lane,
    kioskId: s.kioskId,
    direction: s.direction,
    serial: s.serial,
    mqtt: s.mqtt && { ...s.mqtt, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
    http: {
      host: s.http.host,
      port: s.http.port,
      lan: s.http.lan,
      ...(s.http.certFile && s.http.keyFile ? { tls: loadTlsPair(s.http.certFile, s.http.keyFile) } : {}),
    },
    auth: s.auth,
    retentionDays: s.retention.days,
    configSections: {
      ...s,
      mqtt: s.mqtt && { ...s.mqtt, password: s.mqtt.password ? 'set' : null },
      auth: { ...s.auth, users: s.auth.users.map((u) => ({ name: u.name, role: u.role })) },
      checkpointFile: checkpoint,
    },
  };
}
