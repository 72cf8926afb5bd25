import { describe, expect, it } from 'vitest';
import { describeCounterStoreConformance } from './counter-store.conformance.js';
import type { LimitCheck } from './counter-store.js';
import { KeywardError } from './errors.js';
import { createMemoryCounterStore } from './memory-counter-store.js';
import type { RateLimitConfig } from './model.js';

describeCounterStoreConformance('memory', async () => {
  const store = createMemoryCounterStore();
  return { store, cleanup: () => store.close() };
});

const config: RateLimitConfig = { name: 'rps', limit: 1, duration: 100, algorithm: 'sliding_window' };
const check = (counter: string, cost = 1): LimitCheck => ({ counter, config, cost });

describe('memory counter store', () => {
  it('drops the least recently charged counter past maxCounters', async () => {
    const store = createMemoryCounterStore({ maxCounters: 2 });
    await store.consume([check('a')], 0);
    await store.consume([check('b')], 0);
    await store.consume([check('c')], 0);
    expect(store.size()).toBe(2);
    const [a, b] = await store.consume([check('a', 0), check('b', 0)], 1);
    expect(a).toMatchObject({ remaining: 1 });
    expect(b).toMatchObject({ remaining: 0 });
  });

  it('sweeps idle counters without being asked', async () => {
    const store = createMemoryCounterStore();
    for (let i = 0; i < 100; i++) await store.consume([check(`idle${i}`)], 0);
    expect(store.size()).toBe(100);
    // Each consume examines a few entries; states expire two windows (200 ms) after theirs.
    for (let i = 0; i < 40; i++) await store.consume([check('busy', 0)], 200);
    expect(store.size()).toBe(0);
  });

  it('does not keep state for reads', async () => {
    const store = createMemoryCounterStore();
    await store.consume([check('read', 0)], 0);
    expect(store.size()).toBe(0);
  });

  it('rejects calls after close', async () => {
    const store = createMemoryCounterStore();
    await store.close();
    await expect(store.consume([check('x')], 0)).rejects.toBeInstanceOf(KeywardError);
  });

  it('rejects an invalid cost as a rejected promise, not a synchronous throw', async () => {
    const store = createMemoryCounterStore();
    const pending = store.consume([check('x', -1)], 0);
    await expect(pending).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('validates maxCounters', () => {
    expect(() => createMemoryCounterStore({ maxCounters: 0 })).toThrow(KeywardError);
  });
});
