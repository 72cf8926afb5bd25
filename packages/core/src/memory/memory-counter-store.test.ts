import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LimitCheck } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { type CounterState, decideAll } from '../decisions/rate-limit.js';
import { describeCounterStoreConformance } from '../testing/counter-store.conformance.js';
import { createMemoryCounterStore } from './memory-counter-store.js';

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

  it('keeps recency exact: a charge moves a counter to the newest end, a reset takes it out', async () => {
    const roomy: RateLimitConfig = { ...config, limit: 10 };
    const store = createMemoryCounterStore({ maxCounters: 3 });
    const charge = (counter: string, now: number) =>
      store.consume([{ counter, config: roomy, cost: 1 }], now);
    for (const counter of ['a', 'b', 'c']) await charge(counter, 0);
    await charge('a', 1); // b, c, a
    await charge('d', 2); // drops b: c, a, d
    await store.reset('a'); // c, d
    await charge('e', 3); // c, d, e
    await charge('c', 4); // d, e, c
    await charge('f', 5); // drops d: e, c, f
    expect(store.size()).toBe(3);
    const read = await store.consume(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((counter) => ({ counter, config: roomy, cost: 0 })),
      6,
    );
    expect(read.map((r) => r.remaining)).toEqual([10, 10, 8, 10, 9, 9]);
  });

  it('equals decideAll on random histories with counters repeated within a call', () => {
    const configs: RateLimitConfig[] = [
      { name: 's', limit: 3, duration: 1000, algorithm: 'sliding_window' },
      { name: 's', limit: 8, duration: 1024, algorithm: 'sliding_window' },
      { name: 'b', limit: 7, duration: 3000, algorithm: 'token_bucket' },
      { name: 'b', limit: 1, duration: 999, algorithm: 'token_bucket' },
    ];
    const step = fc.record({
      advance: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constantFrom(0, 1024, 5000)),
      checks: fc.array(
        fc.record({
          counter: fc.integer({ min: 0, max: configs.length - 1 }),
          cost: fc.integer({ min: 0, max: 4 }),
        }),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const store = createMemoryCounterStore();
        const reference = new Map<string, CounterState>();
        let now = 1024 * 1_700_000_000;
        for (const { advance, checks: picked } of steps) {
          now += advance;
          const checks = picked.map(
            (c): LimitCheck => ({
              counter: `c${c.counter}`,
              config: configs[c.counter] as RateLimitConfig,
              cost: c.cost,
            }),
          );
          const expected = decideAll(checks, reference, now);
          for (const [counter, state] of expected.writes) reference.set(counter, state);
          expect(store.consume(checks, now)).toEqual(expected.results);
        }
      }),
      { numRuns: 300 },
    );
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

  it('refuses calls after close, at once', async () => {
    const store = createMemoryCounterStore();
    await store.close();
    expect(() => store.consume([check('x')], 0)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE', message: 'counter store is closed' }),
    );
  });

  it('refuses an invalid cost at once (a sync store throws; it never hands back a promise)', () => {
    const store = createMemoryCounterStore();
    expect(() => store.consume([check('x', -1)], 0)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('validates maxCounters', () => {
    expect(() => createMemoryCounterStore({ maxCounters: 0 })).toThrow(KeywardError);
  });
});
