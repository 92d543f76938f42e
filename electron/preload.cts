// The preload: exposes exactly the kiosk API (call + on, the KioskClient shape) to the page through
// contextBridge, and nothing else (no ipcRenderer, no Node). Sandboxed preloads are CommonJS and may
// require only 'electron'; the main process checks the sender and the backend validates every call.
import type { IpcRendererEvent } from 'electron';

import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

const CALL_CHANNEL = 'kiosk:call';
const EVENT_CHANNEL = 'kiosk:event';

type Listener = (data: unknown) => void;
type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; vi: string; en: string } };

/**
 * A failed call rejects with a plain object { name, message, code, vi, en }: contextBridge copies a
 * thrown Error with its message only, and the screen needs both languages.
 */
function failure(error: { code: string; vi: string; en: string }) {
  return { name: 'KioskCallError', message: `${error.code}: ${error.en}`, ...error };
}

contextBridge.exposeInMainWorld('kiosk', {
  async call(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') {
      throw failure({ code: 'BAD_MESSAGE', vi: 'Thông điệp sai dạng', en: 'Malformed message' });
    }
    const reply = (await ipcRenderer.invoke(CALL_CHANNEL, { method, params: params ?? {} })) as Reply;
    if (reply.ok) return reply.result;
    throw failure(reply.error);
  },
  on(event: string, listener: Listener): () => void {
    if (typeof event !== 'string' || typeof listener !== 'function') return () => {};
    const handler = (_e: IpcRendererEvent, message: { name: string; data: unknown }) => {
      if (message?.name === event) listener(message.data);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});
