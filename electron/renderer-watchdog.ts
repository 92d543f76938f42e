// Keeps the kiosk screen alive: a renderer that dies is reloaded, one that hangs is killed and
// reloaded. Each is an incident (audited, reported). Reloads back off when the renderer keeps dying, so
// a page that crashes at once does not spin the CPU of a tablet that also has to scan.

import type { RenderProcessGoneDetails, WebContents } from 'electron';
import { log } from '../src/base/log.js';
import { systemTimers, type TimerHandle, type Timers } from '../src/base/timers.js';
import type { Incident } from './backend-messages.js';

export interface WatchdogOptions {
  /** Reloads our page (reload() when it is loaded, else loads it). */
  reload: () => void;
  onIncident: (incident: Incident) => void;
  /** How long an unresponsive renderer may stay so before it is killed. */
  graceMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Crashes within this window count towards the backoff. */
  windowMs?: number;
  now?: () => number;
  /** The grace and reload timers; tests move a clock (with `now`). */
  timers?: Timers;
  log?: (line: string) => void;
}

export interface Watchdog {
  /** Stops watching (the app is quitting: a renderer going away is then expected). */
  dispose(): void;
}

export function watchRenderer(contents: WebContents, options: WatchdogOptions): Watchdog {
  const o = {
    graceMs: 5_000,
    backoffMinMs: 250,
    backoffMaxMs: 30_000,
    windowMs: 5 * 60_000,
    now: Date.now,
    timers: systemTimers,
    log: (line: string) => log.error(`kiosk (electron): ${line}`),
    ...options,
  };
  let disposed = false;
  let hangTimer: TimerHandle | null = null;
  let reloadTimer: TimerHandle | null = null;
  // When we killed a hung renderer ourselves; its 'gone' event right after is ours, not a new crash.
  let killedForHangAt: number | null = null;
  let crashes: number[] = [];

  const incident = (kind: Incident['kind'], detail: string) =>
    o.onIncident({ kind, at: new Date(o.now()).toISOString(), detail: detail.slice(0, 200) });

  const onGone = (_event: unknown, details: RenderProcessGoneDetails) => {
    if (disposed) return;
    const killedAt = killedForHangAt;
    killedForHangAt = null;
    if (killedAt !== null && o.now() - killedAt < 10_000) return;
    incident('renderer-gone', `${details.reason} (exit ${details.exitCode})`);
    const now = o.now();
    crashes = [...crashes.filter((t) => now - t < o.windowMs), now];
    const delay = Math.min(o.backoffMaxMs, o.backoffMinMs * 2 ** (crashes.length - 1));
    o.log(`renderer gone (${details.reason}); reloading in ${delay} ms`);
    if (reloadTimer) o.timers.clearTimeout(reloadTimer);
    reloadTimer = o.timers.setTimeout(() => {
      reloadTimer = null;
      if (!disposed && !contents.isDestroyed()) o.reload();
    }, delay);
  };

  const onUnresponsive = () => {
    if (disposed || hangTimer) return;
    hangTimer = o.timers.setTimeout(() => {
      hangTimer = null;
      if (disposed || contents.isDestroyed()) return;
      const seconds = Math.round(o.graceMs / 1000);
      incident('renderer-unresponsive', `no answer for ${seconds} s after Chromium's hang report`);
      o.log('renderer unresponsive; killing and reloading it');
      killedForHangAt = o.now();
      // Electron's documented recovery: crash the hung process, then reload() in a fresh one.
      contents.forcefullyCrashRenderer();
      o.reload();
    }, o.graceMs);
  };

  const onResponsive = () => {
    if (hangTimer) o.timers.clearTimeout(hangTimer);
    hangTimer = null;
  };

  contents.on('render-process-gone', onGone);
  contents.on('unresponsive', onUnresponsive);
  contents.on('responsive', onResponsive);

  return {
    dispose() {
      disposed = true;
      if (hangTimer) o.timers.clearTimeout(hangTimer);
      if (reloadTimer) o.timers.clearTimeout(reloadTimer);
      contents.off('render-process-gone', onGone);
      contents.off('unresponsive', onUnresponsive);
      contents.off('responsive', onResponsive);
    },
  };
}
