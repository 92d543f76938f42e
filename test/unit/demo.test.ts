// The first-run demo checkpoint (src/demo/): its folder, its sample permits judged as their labels say
// by a kiosk configured from that folder, their QR images, the embedded broker and the printed logins.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { kioskOptionsFromSettings } from '../../src/config/options.js';
import { loadSettings } from '../../src/config/settings.js';
import { KioskError } from '../../src/contract/errors.js';
import { DEMO_ACCOUNTS, printDemoAccounts } from '../../src/demo/accounts.js';
import { startDemoBroker } from '../../src/demo/broker.js';
import { prepareDemo, readDemoSamples } from '../../src/demo/setup.js';
import { decodeImageFile } from '../../src/hardware/qr-decoder.js';
import { Kiosk } from '../../src/kiosk.js';
import { onDuty } from '../fixtures/duty.js';

const dir = mkdtempSync(join(tmpdir(), 'kiosk-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.parse('2021-09-10T08:00:00+07:00');

describe('the demo folder', () => {
  it('holds samples a kiosk configured from it judges as their labels say, as QR images too', async () => {
    const demo = await prepareDemo(dir, NOW);
    expect(demo.samples.map((s) => s.labelEn)).toEqual(['Valid', 'Expired', 'Wrong area', 'Forged']);
    const images = ['valid', 'expired', 'wrong-area', 'forged'].map((f) => join(demo.permitsDir, `${f}.png`));
    expect(await Promise.all(images.map((f) => decodeImageFile(f)))).toEqual(demo.samples.map((s) => s.text));

    const config = join(dir, 'kiosk.json');
    writeFileSync(
      config,
      JSON.stringify({
        checkpoint: demo.checkpoint,
        rootKey: demo.rootKey,
        trustList: demo.trustList,
        database: join(dir, 'kiosk.db'),
        auth: { users: DEMO_ACCOUNTS },
      }),
    );
    const options = await kioskOptionsFromSettings(loadSettings(config));
    const kiosk = new Kiosk({
      ...options,
      http: false,
      mqtt: null,
      serial: null,
      now: () => NOW,
      pinCost: 1024,
    });
    await kiosk.start();
    try {
      await onDuty(kiosk, { name: 'canbo', displayName: 'Trung sĩ Lê Văn Tám (demo)', pin: '111111' });
      const verdicts = demo.samples.map((s) => kiosk.scan(s.text, 'api', { direction: 'in' }));
      expect(verdicts.map((v) => [v.decision, v.reasons])).toEqual([
        ['ALLOW', []],
        ['DENY', ['EXPIRED']],
        ['DENY', ['AREA_NOT_PERMITTED']],
        ['DENY', ['UNKNOWN_ISSUER']],
      ]);
    } finally {
      await kiosk.stop();
    }
  });

  it('keeps its keys across runs and re-issues the permits around the new time', async () => {
    const first = readFileSync(join(dir, 'root.pub.pem'), 'utf8');
    const before = readDemoSamples(join(dir, 'samples.json'));
    const again = await prepareDemo(dir, NOW + 86_400_000);
    expect(readFileSync(again.rootKey, 'utf8')).toBe(first);
    expect(readDemoSamples(join(dir, 'samples.json'))).toEqual(again.samples);
    expect(again.samples[0]?.text).not.toBe(before[0]?.text);
  });

  it('refuses a samples file it cannot read, in both languages', () => {
    writeFileSync(join(dir, 'bad.json'), '[{"label": 1}]');
    for (const file of [join(dir, 'bad.json'), join(dir, 'missing.json')]) {
      const err = (() => {
        try {
          readDemoSamples(file);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(KioskError);
      expect(err).toMatchObject({ code: 'DEMO_SAMPLES_UNREADABLE', vi: `Không đọc được ${file}` });
    }
  });
});

describe('the demo broker and logins', () => {
  it('relays MQTT 3.1.1, and takes another port when the preferred one is taken', async () => {
    const a = await startDemoBroker(0);
    const b = await startDemoBroker(a.port);
    try {
      expect(b.port).not.toBe(a.port);
      expect(b.url).toBe(`mqtt://127.0.0.1:${b.port}`);
      const sub = await mqtt.connectAsync(b.url, { protocolVersion: 4 });
      const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => resolve(p.toString())));
      await sub.subscribeAsync('ckpt/v2/#', { qos: 1 });
      const pub = await mqtt.connectAsync(b.url, { protocolVersion: 4 });
      await pub.publishAsync('ckpt/v2/01-009/TX-01/L1/event', 'xin chào', { qos: 1 });
      expect(await got).toBe('xin chào');
      await Promise.all([sub.endAsync(), pub.endAsync()]);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('prints one login per role, with its PIN', () => {
    const lines: string[] = [];
    printDemoAccounts((l) => lines.push(l));
    expect(lines).toHaveLength(1 + DEMO_ACCOUNTS.length);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/canbo +111111 +cán bộ trực \/ guard/),
      expect.stringMatching(/chihuy +222222 +chỉ huy \/ supervisor/),
      expect.stringMatching(/quantri +333333 +quản trị \/ admin/),
    ]);
  });
});
