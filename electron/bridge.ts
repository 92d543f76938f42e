// The IPC bridge between the renderer and the backend: one invoke channel for calls, one channel for
// events. Every call is checked for its sender (our window, its main frame, our page) before anything
// else, then for its shape; the backend's Dispatcher validates the parameters.

import type { IpcMain, WebContents } from 'electron';
import { z } from 'zod';
import { log as logger } from '../src/base/log.js';
import { type CallReply, shellErrors } from './backend-messages.js';
import { isTrustedSender } from './security.js';

export const CALL_CHANNEL = 'kiosk:call';
export const EVENT_CHANNEL = 'kiosk:event';

const CallRequest = z.object({ method: z.string().min(1).max(64), params: z.unknown() }).strict();

export interface CallTarget {
  call(method: string, params: unknown): Promise<CallReply>;
}

/** Registers the call handler; returns its removal. */
export function bridgeIpc(
  ipcMain: IpcMain,
  backend: CallTarget,
  ours: () => WebContents | null,
  log: (line: string) => void = (line) => logger.error(`kiosk (electron): ${line}`),
): () => void {
  ipcMain.handle(CALL_CHANNEL, async (event, raw: unknown): Promise<CallReply> => {
    if (!isTrustedSender(event.sender, event.senderFrame, ours())) {
      log(`refused an IPC call from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      return { ok: false, error: shellErrors.forbidden };
    }
    const msg = CallRequest.safeParse(raw);
    if (!msg.success) return { ok: false, error: shellErrors.badMessage };
    return backend.call(msg.data.method, msg.data.params ?? {});
  });
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Sends a kiosk event to our page (main frame only, as webContents.send does). */
export function sendEvent(contents: WebContents | null, name: string, data: unknown): void {
  if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, { name, data });
}
