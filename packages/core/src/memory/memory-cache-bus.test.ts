import { describe, expect, it } from 'vitest';
import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { createMemoryCacheBus } from './memory-cache-bus.js';

describe('createMemoryCacheBus', () => {
  it('delivers to every subscriber before publish resolves', async () => {
    const bus = createMemoryCacheBus();
    const seen: string[] = [];
    bus.subscribe((m) => seen.push(`a:${m.type}`));
    bus.subscribe((m) => seen.push(`b:${m.type}`));
    const message: InvalidationMessage = { type: 'key', keyId: 'key_1', digests: ['d'] };
    const published = bus.publish(message);
    expect(seen).toEqual(['a:key', 'b:key']);
    await expect(published).resolves.toBeUndefined();
  });

  it('stops delivering after unsubscribe; the same handler twice counts twice', async () => {
    const bus = createMemoryCacheBus();
    let count = 0;
    const handler = () => {
      count++;
    };
    const off = bus.subscribe(handler);
    bus.subscribe(handler);
    await bus.publish({ type: 'all' });
    expect(count).toBe(2);
    off();
    await bus.publish({ type: 'all' });
    expect(count).toBe(3);
  });

  it('runs every handler even when one throws, then rejects', async () => {
    const bus = createMemoryCacheBus();
    let reached = false;
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe(() => {
      reached = true;
    });
    await expect(bus.publish({ type: 'all' })).rejects.toThrow('boom');
    expect(reached).toBe(true);
    bus.subscribe(() => {
      throw new Error('again');
    });
    await expect(bus.publish({ type: 'all' })).rejects.toBeInstanceOf(AggregateError);
  });

  it('refuses to publish or subscribe once closed', async () => {
    const bus = createMemoryCacheBus();
    let count = 0;
    bus.subscribe(() => count++);
    await bus.close();
    await expect(bus.publish({ type: 'all' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(() => bus.subscribe(() => {})).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    expect(count).toBe(0);
  });
});
