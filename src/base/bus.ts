// One typed event bus for the kiosk's parts (an event map from name to payload type). A listener that
// throws is logged and the others still run: nothing on the scan path dies silently in a listener.
// Each part subscribes with itself as owner, and its listeners go with it when it stops.
import { log } from './log.js';

type Listener<T> = (data: T) => void;

export interface EventBusOptions<M> {
  /** Told when a listener throws (after it is logged); a driver turns it into a diagnostic of its own. */
  onListenerError?: (name: keyof M, err: unknown) => void;
}

export class EventBus<M extends { [K in keyof M]: unknown }> {
  private readonly listeners = new Map<keyof M, Set<{ fn: Listener<never>; owner: object | null }>>();

  constructor(private readonly options: EventBusOptions<M> = {}) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof M>(name: K, fn: Listener<M[K]>, owner: object | null = null): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    const entry = { fn: fn as Listener<never>, owner };
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<K extends keyof M>(name: K, data: M[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const { fn } of [...set]) {
      try {
        (fn as Listener<M[K]>)(data);
      } catch (err) {
        log.error(`bus: a listener of ${String(name)} failed`, err);
        this.options.onListenerError?.(name, err);
      }
    }
  }

  /** Removes every listener a part registered. */
  removeOwner(owner: object): void {
    for (const set of this.listeners.values()) {
      for (const entry of set) if (entry.owner === owner) set.delete(entry);
    }
  }

  listenerCount(name: keyof M): number {
    return this.listeners.get(name)?.size ?? 0;
  }
}
