// kiosk.json (src/config/settings.ts) and what the kiosk is built from it (src/config/options.ts):
// defaults, paths relative to the file, environment overrides, and a bilingual error naming what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kioskOptionsFromSettings } from '../../src/config/options.js';
import { applyEnvOverrides, loadSettings, type Settings } from '../../src/config/settings.js';
import { KioskError } from '../../src/contract/errors.js';
import { generateKeyPair } from '../../src/contract/keys.js';
import { makeIssuer, signedTrust } from '../fixtures/permits.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = generateKeyPair();
const base = { checkpoint: 'checkpoint.json', rootKey: 'root.pub.pem', trustList: 'trust.jws' };

beforeAll(async () => {
  writeFileSync(join(dir, 'root.pub.pem'), root.publicPem);
  writeFileSync(
    join(dir, 'trust.jws'),
    `${await signedTrust([{ issuer: makeIssuer() }], root.privatePem)}\n`,
  );
  writeFileSync(
    join(dir, 'checkpoint.json'),
    JSON.stringify({
      checkpoint: { id: 'TX-01', district: '01-009', area: '01-009', kind: 'district-entry' },
    }),
  );
  for (const f of ['ca.pem', 'kiosk.crt', 'kiosk.key']) writeFileSync(join(dir, f), `-----${f}-----\n`);
});

function file(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

function failure(f: () => unknown): KioskError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(KioskError);
    return err as KioskError;
  }
  throw new Error('expected a KioskError');
}

async function failureAsync(p: Promise<unknown>): Promise<KioskError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KioskError);
  return err as KioskError;
}

describe('loadSettings', () => {
  it('fills the defaults and resolves paths against the file’s folder', () => {
    const s = loadSettings(file('plain.json', { ...base, database: ':memory:' }), {});
    expect(s).toMatchObject({
      checkpoint: join(dir, 'checkpoint.json'),
      rootKey: join(dir, 'root.pub.pem'),
      trustList: join(dir, 'trust.jws'),
      database: ':memory:',
      direction: 'in',
      serial: null,
      mqtt: null,
      http: { host: '127.0.0.1', port: 8080, lan: false },
      open: 'auto',
    });
    const abs = loadSettings(file('abs.json', { ...base, database: '/var/lib/kiosk/k.db' }), {});
    expect(abs.database).toBe('/var/lib/kiosk/k.db');
    expect(loadSettings(file('rel.json', base), {}).database).toBe(join(dir, 'kiosk.db'));
  });

  it('takes KIOSK_* overrides from the environment, typed, and ignores names it does not know', () => {
    const env = {
      KIOSK_HTTP_PORT: '9000',
      KIOSK_HTTP_HOST: '127.0.0.2',
      KIOSK_SERIAL_PATH: '/dev/ttyACM0',
      KIOSK_MQTT_URLS: '["mqtt://broker:1883"]',
      KIOSK_MQTT_SUMMARYWINDOWSECONDS: '30',
      KIOSK_MQTT_CAFILE: 'ca.pem',
      KIOSK_MQTT_CERTFILE: 'kiosk.crt',
      KIOSK_MQTT_KEYFILE: '/etc/kiosk/kiosk.key',
      KIOSK_OPEN: 'none',
      KIOSK_LANE: '2',
      KIOSK_NOT_A_SETTING: 'x',
      PATH: '/usr/bin',
    };
    const s = loadSettings(file('env.json', base), env);
    expect(s.http).toMatchObject({ host: '127.0.0.2', port: 9000 });
    expect(s.serial).toEqual({ path: '/dev/ttyACM0', baudRate: 9600, suffix: 'auto' });
    expect(s.mqtt).toMatchObject({
      urls: ['mqtt://broker:1883'],
      summaryWindowSeconds: 30,
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'kiosk.crt'),
      keyFile: '/etc/kiosk/kiosk.key',
    });
    expect(s.open).toBe('none');
    expect(s.lane).toBe('2');
    expect(applyEnvOverrides({ serial: null }, { KIOSK_SERIAL: 'null', KIOSK_HTTP_LAN: 'true' })).toEqual({
      serial: null,
      http: { lan: true },
    });
    expect(applyEnvOverrides({}, { KIOSK_MQTT_URLS: '[not json' })).toEqual({ mqtt: { urls: '[not json' } });
  });

  it('types each override as its field wants it: a password of digits stays text, numbers and booleans are parsed', () => {
    const s = loadSettings(file('typed.json', { ...base, serial: { path: '/dev/ttyACM0' } }), {
      KIOSK_MQTT_URLS: '["mqtts://broker:8883"]',
      KIOSK_MQTT_USERNAME: 'true',
      KIOSK_MQTT_PASSWORD: '123456',
      KIOSK_SERIAL_BAUDRATE: '115200',
      KIOSK_HTTP_HOST: '0.0.0.0',
      KIOSK_HTTP_LAN: 'true',
      KIOSK_HTTP_CERTFILE: '/etc/kiosk/https.crt',
      KIOSK_HTTP_KEYFILE: '/etc/kiosk/https.key',
      KIOSK_RETENTION_DAYS: '7',
      KIOSK_AUTH_LOCKOUTMINUTES: '2.5',
    });
    expect(s.mqtt).toMatchObject({ username: 'true', password: '123456' });
    expect(s.serial).toMatchObject({ baudRate: 115200 });
    expect(s.http).toMatchObject({ host: '0.0.0.0', port: 8080, lan: true });
    expect(s.retention.days).toBe(7);
    expect(s.auth.lockoutMinutes).toBe(2.5);
    // "null", "false" and JSON-looking text stay text where the field is text.
    expect(
      applyEnvOverrides({}, { KIOSK_MQTT_PASSWORD: 'null', KIOSK_MQTT_USERNAME: '[1]', KIOSK_LANE: 'false' }),
    ).toEqual({ mqtt: { password: 'null', username: '[1]' }, lane: 'false' });
  });

  it('reaches fields of nested sections, with or without underscores between the words of a name', () => {
    const s = loadSettings(file('deep.json', { ...base, serial: { usb: 'auto' } }), {
      KIOSK_AUTH_IDLEMINUTES_GUARD: '30',
      KIOSK_AUTH_MAX_MINUTES_ADMIN: '60',
      KIOSK_SERIAL_USB_VENDORID: '1234',
      KIOSK_MQTT_URLS: '["mqtt://broker:1883"]',
      KIOSK_MQTT_SUMMARY_WINDOW_SECONDS: '30',
    });
    expect(s.auth.idleMinutes).toEqual({ guard: 30 });
    expect(s.auth.maxMinutes).toEqual({ admin: 60 });
    expect(s.serial?.usb).toEqual({ vendorId: '1234' });
    expect(s.mqtt?.summaryWindowSeconds).toBe(30);
  });

  it('a bad override is refused in both languages, naming the field and the variable that set it', () => {
    const bad = failure(() =>
      loadSettings(file('bad-env.json', base), {
        KIOSK_HTTP_PORT: 'tám nghìn',
        KIOSK_HTTP_LAN: 'yes',
        KIOSK_RETENTION_DAYS: '0',
        KIOSK_HTTP_PROT: '9000',
      }),
    );
    expect(bad.code).toBe('CONFIG_INVALID');
    expect(bad.vi).toMatch(/^Cấu hình .* không hợp lệ:/);
    expect(bad.en).toMatch(/^Configuration .* is invalid:/);
    for (const [field, variable] of [
      ['http.port', 'KIOSK_HTTP_PORT'],
      ['http.lan', 'KIOSK_HTTP_LAN'],
      ['retention.days', 'KIOSK_RETENTION_DAYS'],
    ]) {
      expect(bad.en).toMatch(new RegExp(`  ${field}: .*\\(${variable}\\)`));
      expect(bad.vi).toContain(`(${variable})`);
    }
    // A misspelt field inside a section is named, not ignored.
    expect(bad.en).toContain('KIOSK_HTTP_PROT');
  });

  it('names every problem at once, in both languages, and refuses what is not a JSON object', () => {
    const bad = failure(() =>
      loadSettings(
        file('bad.json', {
          ...base,
          serial: { baudRate: 9600 },
          mqtt: { urls: ['http://x'] },
          http: { host: '192.168.1.20' },
          extra: 1,
        }),
        {},
      ),
    );
    expect(bad.code).toBe('CONFIG_INVALID');
    for (const what of ['serial', 'mqtt.urls.0', 'http.lan', '(root)'])
      expect(bad.en).toContain(`  ${what}:`);
    expect(bad.vi).toMatch(/^Cấu hình .* không hợp lệ:/);
    expect(failure(() => loadSettings(file('array.json', '[1]'), {}))).toMatchObject({
      code: 'CONFIG_INVALID',
    });
    expect(failure(() => loadSettings(file('broken.json', '{'), {}))).toMatchObject({
      code: 'CONFIG_UNREADABLE',
    });
    const missing = failure(() => loadSettings(join(dir, 'nope.json'), {}));
    expect(missing.vi).toContain('Không đọc được tệp cấu hình');
  });
});

describe('kioskOptionsFromSettings', () => {
  const settings = (over: Record<string, unknown> = {}): Settings =>
    loadSettings(file('opts.json', { ...base, ...over }), {});

  it('reads the files the settings name, and keeps PINs and the MQTT password out of the audited config', async () => {
    const o = await kioskOptionsFromSettings(
      settings({
        mqtt: {
          urls: ['mqtts://broker:8883'],
          username: 'kiosk-TX-01',
          password: 'bí mật',
          caFile: 'ca.pem',
          certFile: 'kiosk.crt',
          keyFile: 'kiosk.key',
        },
        auth: { users: [{ name: 'canbo', role: 'guard', pin: '135790' }] },
      }),
    );
    expect(o.checkpoint.checkpoint.id).toBe('TX-01');
    expect(o.trust.issuers.size).toBe(1);
    expect(o.trustFile?.path).toBe(join(dir, 'trust.jws'));
    expect(o.mqtt).toMatchObject({
      ca: '-----ca.pem-----\n',
      cert: '-----kiosk.crt-----\n',
      key: '-----kiosk.key-----\n',
    });
    const audited = JSON.stringify(o.configSections);
    expect(audited).not.toContain('135790');
    expect(audited).not.toContain('bí mật');
    expect(o.configSections?.mqtt).toMatchObject({ password: 'set' });
  });

  it('names the file that is wrong: checkpoint not JSON or invalid, root key not a key, trust list forged', async () => {
    file('cp-text.json', 'chốt');
    expect(
      await failureAsync(kioskOptionsFromSettings(settings({ checkpoint: 'cp-text.json' }))),
    ).toMatchObject({
      code: 'CHECKPOINT_INVALID',
      en: `${join(dir, 'cp-text.json')} is not JSON`,
    });
    file('cp-bad.json', { checkpoint: { id: 'TX-01' } });
    const cp = await failureAsync(kioskOptionsFromSettings(settings({ checkpoint: 'cp-bad.json' })));
    expect(cp.code).toBe('CHECKPOINT_INVALID');
    expect(cp.en).toMatch(/^Invalid checkpoint file: checkpoint\./);
    file('not-a-key.pem', 'hello');
    expect(
      await failureAsync(kioskOptionsFromSettings(settings({ rootKey: 'not-a-key.pem' }))),
    ).toMatchObject({
      code: 'ROOT_KEY_INVALID',
    });
    file('other-root.pem', generateKeyPair().publicPem);
    const forged = await failureAsync(kioskOptionsFromSettings(settings({ rootKey: 'other-root.pem' })));
    expect(forged.code).toBe('DOCUMENT_INVALID');
  });
});
