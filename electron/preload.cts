// The preload: exposes exactly the kiosk API (call + events) to the page through contextBridge.
// Sandboxed preloads are CommonJS and may require only 'electron'; validation happens in main.
import type { IpcRendererEvent } from 'electron';

import electron = require('electron');

const { contextBridge, ipcRenderer } = electron;

type Listener = (data: unknown) => void;

contextBridge.exposeInMainWorld('kiosk', {
  async call(method: string, params: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke('kiosk:call', { method, params })) as
      | { ok: true; result: unknown }
      | { ok: false; error: { code: string; vi: string; en: string } };
    if (reply.ok) return reply.result;
    throw Object.assign(new Error(reply.error.en), reply.error);
  },
  on(event: string, listener: Listener): () => void {
    const handler = (_e: IpcRendererEvent, message: { name: string; data: unknown }) => {
      if (message.name === event) listener(message.data);
    };
    ipcRenderer.on('kiosk:event', handler);
    return () => {
      ipcRenderer.removeListener('kiosk:event', handler);
    };
  },
});
