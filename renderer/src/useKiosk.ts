// Wires the kiosk API to the screen state: loads status, recent verdicts and demo samples on every
// (re)connect, follows `verdict` and `status` events, and fades a verdict after a while.
import { useCallback, useEffect, useReducer } from 'react';
import type { Direction } from '../../src/contract/reasons.js';
import type { UiClient } from './api/client.js';
import { initialState, RECENT_LIMIT, reduce } from './state.js';

/** How long a verdict fills the screen before it shrinks to the "last verdict" line. */
export function fadeDelayMs(search: string): number {
  // ?fadeMs= lets tests and demos shorten it; bounded so a typo cannot freeze or flash the screen.
  const raw = Number(new URLSearchParams(search).get('fadeMs'));
  return Number.isFinite(raw) && raw >= 500 && raw <= 600_000 ? raw : 15_000;
}

function asBilingual(err: unknown): { vi: string; en: string } {
  if (err && typeof err === 'object' && 'vi' in err && 'en' in err) {
    const e = err as { vi: unknown; en: unknown };
    if (typeof e.vi === 'string' && typeof e.en === 'string') return { vi: e.vi, en: e.en };
  }
  return { vi: 'Lỗi không rõ', en: 'Unknown error' };
}

export function useKiosk(ui: UiClient, fadeMs: number) {
  const [state, dispatch] = useReducer(reduce, ui.initiallyConnected, initialState);
  const { client } = ui;

  const fail = useCallback((err: unknown) => dispatch({ type: 'error', error: asBilingual(err) }), []);

  const load = useCallback(async () => {
    try {
      const status = await client.call('status.get', {});
      dispatch({ type: 'status', status, receivedAt: Date.now() });
      const verdicts = await client.call('verdicts.recent', { limit: RECENT_LIMIT });
      dispatch({ type: 'recent', verdicts });
      dispatch({ type: 'samples', samples: status.demo ? await client.call('demo.samples', {}) : [] });
      dispatch({ type: 'error', error: null });
    } catch (err) {
      fail(err);
    }
  }, [client, fail]);

  useEffect(() => {
    const offVerdict = client.on('verdict', (verdict) =>
      dispatch({ type: 'verdict', verdict, receivedAt: Date.now() }),
    );
    const offStatus = client.on('status', (status) => dispatch({ type: 'status', status }));
    let offConn: (() => void) | null = null;
    if (ui.onConnection) {
      let first = true;
      offConn = ui.onConnection((connected) => {
        dispatch({ type: 'connected', connected });
        // The first report is the current state: the load below covers it.
        if (connected && !first) void load();
        first = false;
      });
    }
    // Electron IPC is up from the start; a WebSocket that is still connecting queues this call.
    void load();
    return () => {
      offVerdict();
      offStatus();
      offConn?.();
    };
  }, [client, ui, load]);

  useEffect(() => {
    if (!state.fresh) return;
    const at = state.currentAt;
    const timer = setTimeout(() => dispatch({ type: 'fade', at }), fadeMs);
    return () => clearTimeout(timer);
  }, [state.fresh, state.currentAt, fadeMs]);

  const setDirection = useCallback(
    async (direction: Direction) => {
      try {
        const status = await client.call('lane.set', { direction });
        dispatch({ type: 'status', status });
      } catch (err) {
        fail(err);
      }
    },
    [client, fail],
  );

  const setLane = useCallback(
    async (lane: string) => {
      try {
        const status = await client.call('lane.set', { lane });
        dispatch({ type: 'status', status });
      } catch (err) {
        fail(err);
      }
    },
    [client, fail],
  );

  const submitDemo = useCallback(
    async (text: string) => {
      try {
        const verdict = await client.call('scan.submit', { text, source: 'api' });
        // The kiosk also emits this verdict as an event; the reducer shows it once.
        dispatch({ type: 'verdict', verdict, receivedAt: Date.now() });
      } catch (err) {
        fail(err);
      }
    },
    [client, fail],
  );

  const clearError = useCallback(() => dispatch({ type: 'error', error: null }), []);

  // The lane shows the results of its own calls (wedge, camera, manual entry) at once, and
  // reports their errors in the same toast.
  const showVerdict = useCallback(
    (verdict: import('../../src/contract/api.js').Verdict) =>
      dispatch({ type: 'verdict', verdict, receivedAt: Date.now() }),
    [],
  );

  return { state, setDirection, setLane, submitDemo, clearError, showVerdict, fail };
}
