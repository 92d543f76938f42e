// The live snapshot from the command-centre server over Server-Sent Events. EventSource reconnects by
// itself; while it is down the last snapshot stays on screen under a banner.
import { useEffect, useState } from 'react';
import type { Snapshot } from '../../server/types.js';

export interface Live {
  snapshot: Snapshot | null;
  connected: boolean;
  /** Server clock minus browser clock, so "time since" is right even if this PC's clock is off. */
  offsetMs: number;
  /** A clock that ticks every second, for "time since last seen". */
  nowMs: number;
}

export function useSnapshot(): Live {
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [connected, setConnected] = useState(false);
  const [offsetMs, setOffset] = useState(0);
  const [tick, setTick] = useState(Date.now());

  useEffect(() => {
    const source = new EventSource('./api/stream');
    source.addEventListener('snapshot', (e) => {
      try {
        const s = JSON.parse((e as MessageEvent<string>).data) as Snapshot;
        setSnapshot(s);
        setOffset(Date.parse(s.now) - Date.now());
        setConnected(true);
      } catch {
        // A torn frame: the next one replaces it.
      }
    });
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, []);

  useEffect(() => {
    const timer = setInterval(() => setTick(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  return { snapshot, connected, offsetMs, nowMs: tick + offsetMs };
}
