// The screen's state as a pure reducer: what the kiosk said (status, verdicts) and what the screen
// shows (fresh verdict or idle). Side effects (calls, timers) live in useKiosk.ts.
import type { DemoSample, KioskStatus, Verdict } from '../../src/contract/api.js';

export const RECENT_LIMIT = 5;

export interface UiState {
  connected: boolean;
  status: KioskStatus | null;
  /** Kiosk clock minus browser clock, so the header clock shows the kiosk's time. */
  clockOffsetMs: number;
  current: Verdict | null;
  /** When the current verdict arrived (browser ms); it fades to the compact line after a while. */
  currentAt: number;
  fresh: boolean;
  recent: Verdict[];
  samples: DemoSample[];
  error: { vi: string; en: string } | null;
}

export type UiAction =
  | { type: 'connected'; connected: boolean }
  | { type: 'status'; status: KioskStatus; receivedAt?: number }
  | { type: 'verdict'; verdict: Verdict; receivedAt: number }
  | { type: 'recent'; verdicts: Verdict[] }
  | { type: 'samples'; samples: DemoSample[] }
  | { type: 'fade'; at: number }
  | { type: 'error'; error: { vi: string; en: string } | null };

export const initialState = (connected: boolean): UiState => ({
  connected,
  status: null,
  clockOffsetMs: 0,
  current: null,
  currentAt: 0,
  fresh: false,
  recent: [],
  samples: [],
  error: null,
});

/** Identity of one verdict, so one arriving both as a call result and as an event is shown once. */
export function verdictKey(v: Verdict): string {
  return [
    v.at,
    v.kind,
    v.passageId ?? '-',
    v.duplicate ? 'dup' : 'new',
    v.permit?.hash ?? v.preview ?? '',
  ].join('|');
}

export function reduce(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'connected':
      return { ...state, connected: action.connected };
    case 'status': {
      const now = Date.parse(action.status.now);
      const clockOffsetMs =
        action.receivedAt !== undefined && Number.isFinite(now)
          ? now - action.receivedAt
          : state.clockOffsetMs;
      return { ...state, status: action.status, clockOffsetMs };
    }
    case 'verdict': {
      const key = verdictKey(action.verdict);
      // Already shown (it came as a call result and as an event): never jump back to it.
      if (state.recent.some((v) => verdictKey(v) === key)) return state;
      // A passage completed by a health proof takes the place of the passage it amends.
      const amends = (v: Verdict) =>
        action.verdict.amended != null && v.kind === 'passage' && v.passageId === action.verdict.passageId;
      const recent = [
        action.verdict,
        ...state.recent.filter((v) => verdictKey(v) !== key && !amends(v)),
      ].slice(0, RECENT_LIMIT);
      return { ...state, current: action.verdict, currentAt: action.receivedAt, fresh: true, recent };
    }
    case 'recent': {
      const recent = action.verdicts.slice(0, RECENT_LIMIT);
      return { ...state, recent };
    }
    case 'samples':
      return { ...state, samples: action.samples };
    case 'fade':
      return state.fresh && action.at >= state.currentAt ? { ...state, fresh: false } : state;
    case 'error':
      return { ...state, error: action.error };
  }
}
