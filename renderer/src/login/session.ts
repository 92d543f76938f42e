// Logging in and out, whatever the shell. In a browser the session lives in an HttpOnly cookie that
// only the HTTP endpoint can set, so login and logout go over HTTP and the WebSocket is then opened
// again to carry the new cookie; in Electron the preload's IPC keeps the session in the main process.
import { SessionView } from '../../../src/contract/api-audit.js';
import { createUiClient, type UiClient } from '../api/client.js';
import { KioskCallError } from '../api/ws-client.js';

function isIpc(ui: UiClient): boolean {
  return ui.onConnection === null;
}

async function postCall(method: string, params: unknown, csrf: string | null): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (csrf) headers['x-kiosk-csrf'] = csrf;
  let res: Response;
  try {
    res = await fetch(new URL(`/api/call/${method}`, window.location.origin), {
      method: 'POST',
      headers,
      body: JSON.stringify(params),
      credentials: 'same-origin',
    });
  } catch {
    throw new KioskCallError('DISCONNECTED', 'Mất kết nối với máy kiểm soát', 'Lost connection to the kiosk');
  }
  const body = (await res.json().catch(() => null)) as
    | { ok: true; result: unknown }
    | { ok: false; error: { code: string; vi: string; en: string } }
    | null;
  if (!body)
    throw new KioskCallError('BAD_RESULT', 'Máy trả lời sai dạng', 'The kiosk sent a malformed answer');
  if (!body.ok) throw new KioskCallError(body.error.code, body.error.vi, body.error.en);
  return body.result;
}

/** Logs in; returns the session and the client to use from now on (a fresh socket in a browser). */
export async function login(
  ui: UiClient,
  name: string,
  pin: string,
): Promise<{ session: SessionView; ui: UiClient }> {
  if (isIpc(ui)) return { session: await ui.client.call('auth.login', { name, pin }), ui };
  const session = SessionView.parse(await postCall('auth.login', { name, pin }, null));
  return { session, ui: reopen(ui) };
}

/** Logs out (errors ignored: a dead session is logged out already); returns the client to use. */
export async function logout(ui: UiClient, csrf: string | null): Promise<UiClient> {
  if (isIpc(ui)) {
    await ui.client.call('auth.logout', {}).catch(() => {});
    return ui;
  }
  await postCall('auth.logout', {}, csrf).catch(() => {});
  return reopen(ui);
}

/** A new WebSocket client (its upgrade carries the current cookie); the old one is closed. */
export function reopen(ui: UiClient): UiClient {
  const old = ui.client as { close?: () => void };
  old.close?.();
  return createUiClient();
}

/** Errors that mean "log in again". */
export function isSessionLost(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SESSION_EXPIRED' || code === 'UNAUTHENTICATED';
}
