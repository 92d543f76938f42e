// Picks the kiosk API transport: the Electron preload's `window.kiosk` (contextBridge) when present,
// otherwise the browser host's WebSocket on the page's own host.
import type { KioskClient } from '../../../src/contract/api.js';
import { defaultWsUrl, WsKioskClient } from './ws-client.js';

/** A KioskClient, plus connection state when the transport can drop (WebSocket). */
export interface UiClient {
  client: KioskClient;
  /** Subscribes to connection changes; null when the transport cannot drop (Electron IPC). */
  onConnection: ((listener: (connected: boolean) => void) => () => void) | null;
  initiallyConnected: boolean;
}

declare global {
  interface Window {
    kiosk?: KioskClient;
  }
}

export function createUiClient(): UiClient {
  if (window.kiosk) return { client: window.kiosk, onConnection: null, initiallyConnected: true };
  const ws = new WsKioskClient(defaultWsUrl(window.location));
  return { client: ws, onConnection: (l) => ws.onConnection(l), initiallyConnected: false };
}
