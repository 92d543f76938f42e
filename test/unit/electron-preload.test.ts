// The preload, run as Electron runs a sandboxed preload: CommonJS with a `require` that knows only
// 'electron' (here the fake one). It must expose exactly the kiosk API and nothing else.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import { electronModule, fake, fakeEvent } from '../helpers/fake-electron.js';

const SOURCE = fileURLToPath(new URL('../../electron/preload.cts', import.meta.url));

interface KioskBridge {
  call(method: string, params?: unknown): Promise<unknown>;
  on(event: string, listener: (data: unknown) => void): () => void;
}

function runPreload(): { kiosk: KioskBridge; required: string[] } {
  const js = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const required: string[] = [];
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name === 'electron') return electronModule;
    throw new Error(`module not found: ${name}`);
  };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', js)(sandboxRequire, module, module.exports);
  const kiosk = fake.contextBridge.exposed.get('kiosk') as KioskBridge;
  return { kiosk, required };
}

beforeEach(() => fake.reset());

describe('preload', () => {
  it('exposes only window.kiosk with call and on, requiring nothing but electron', () => {
    const { kiosk, required } = runPreload();
    expect([...fake.contextBridge.exposed.keys()]).toEqual(['kiosk']);
    expect(Object.keys(kiosk).sort()).toEqual(['call', 'on']);
    expect(required).toEqual(['electron']);
  });

  it('sends calls over kiosk:call and returns results', async () => {
    const { kiosk } = runPreload();
    fake.ipcRenderer.answer = async () => ({ ok: true, result: { version: '1' } });
    expect(await kiosk.call('status.get', {})).toEqual({ version: '1' });
    expect(fake.ipcRenderer.invoked).toEqual([
      { channel: 'kiosk:call', args: [{ method: 'status.get', params: {} }] },
    ]);
    await kiosk.call('status.get');
    expect(fake.ipcRenderer.invoked[1]?.args).toEqual([{ method: 'status.get', params: {} }]);
  });

  it('rejects with the bilingual error as a plain object (Errors lose their fields across the bridge)', async () => {
    const { kiosk } = runPreload();
    const error = { code: 'LANE_UNKNOWN', vi: 'Chốt không có làn 9', en: 'This checkpoint has no lane 9' };
    fake.ipcRenderer.answer = async () => ({ ok: false, error });
    const failure = await kiosk.call('lane.set', { lane: '9' }).catch((e: unknown) => e);
    expect(failure).not.toBeInstanceOf(Error);
    expect(failure).toMatchObject({
      ...error,
      name: 'KioskCallError',
      message: 'LANE_UNKNOWN: This checkpoint has no lane 9',
    });
    await expect(kiosk.call(42 as unknown as string)).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('delivers only the events asked for, until unsubscribed', () => {
    const { kiosk } = runPreload();
    const verdicts: unknown[] = [];
    const off = kiosk.on('verdict', (d) => verdicts.push(d));
    fake.ipcRenderer.emit('kiosk:event', fakeEvent(), { name: 'verdict', data: { decision: 'ALLOW' } });
    fake.ipcRenderer.emit('kiosk:event', fakeEvent(), { name: 'status', data: { lane: '1' } });
    off();
    fake.ipcRenderer.emit('kiosk:event', fakeEvent(), { name: 'verdict', data: { decision: 'DENY' } });
    expect(verdicts).toEqual([{ decision: 'ALLOW' }]);
    expect(fake.ipcRenderer.listenerCount('kiosk:event')).toBe(0);
    expect(typeof kiosk.on('verdict', 'not a function' as unknown as () => void)).toBe('function');
    expect(fake.ipcRenderer.listenerCount('kiosk:event')).toBe(0);
  });
});
