// The one event bus: a listener that throws is reported, and the other listeners still run.
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/base/bus.js';
import { setLogSink } from '../../src/base/log.js';

describe('EventBus', () => {
  let restore: (() => void) | null = null;
  afterEach(() => restore?.());

  it('runs every listener, reports the one that throws, and forgets an owner', () => {
    const logged: string[] = [];
    const previous = setLogSink((_level, line) => logged.push(line));
    restore = () => setLogSink(previous);
    const failures: string[] = [];
    const bus = new EventBus<{ tick: number; done: undefined }>({
      onListenerError: (name, err) => failures.push(`${String(name)}: ${(err as Error).message}`),
    });
    const seen: number[] = [];
    const owner = {};
    bus.on('tick', () => {
      throw new Error('broken');
    });
    bus.on('tick', (n) => seen.push(n), owner);
    bus.emit('tick', 1);
    expect(seen).toEqual([1]);
    expect(failures).toEqual(['tick: broken']);
    expect(logged.some((l) => l.includes('a listener of tick failed'))).toBe(true);
    bus.removeOwner(owner);
    bus.emit('tick', 2);
    expect(seen).toEqual([1]);
    expect(bus.listenerCount('tick')).toBe(1);
    expect(bus.listenerCount('done')).toBe(0);
  });
});
