import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CounterStore, LimitCheck, LimitResult } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { type CounterState, decideAll } from '../decisions/rate-limit.js';

/** A window start (a multiple of 1024 near today's clock) so that fractions of windows are exact. */
const T = 1024 * 1_700_000_000;

const sliding = (limit: number, duration = 1024): RateLimitConfig => ({
  name: 'sw',
  limit,
  duration,
  algorithm: 'sliding_window',
});
const bucket = (limit: number, duration = 1000): RateLimitConfig => ({
  name: 'tb',
  limit,
  duration,
  algorithm: 'token_bucket',
});

/** Small deterministic generator for the reference-model test (same sequence on every run). */
const lcg = (seed: number) => {
  let s = seed >>> 0;
  return (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
};

/**
 * The `CounterStore` contract as a vitest suite, run against every implementation (memory,
 * Redis) and the wrappers production puts around them (the resilient store, the metrics
 * counter). `factory` gives each test a fresh store; counter names are random per test, so a
 * shared backend (one Redis) is fine. Every call passes an explicit `now`: an adapter must
 * use it, never its own clock (a Redis adapter sets TTLs relative to it, e.g. `PEXPIRE`
 * with `stateExpiresAt(...) - now`). Results must equal `decideAll` from `rate-limit.ts`.
 *
 * @example
 * describeCounterStoreConformance('memory', async () => {
 *   const store = createMemoryCounterStore();
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function describeCounterStoreConformance(
  name: string,
  factory: () => Promise<{ store: CounterStore; cleanup: () => Promise<void> }>,
): void {
  describe(`CounterStore conformance: ${name}`, () => {
    let store: CounterStore;
    let cleanup: () => Promise<void>;
    let prefix: string;
    const counter = (id: string): string => `${prefix}:${id}`;
    const check = (id: string, config: RateLimitConfig, cost = 1): LimitCheck => ({
      counter: counter(id),
      config,
      cost,
    });
    const one = async (c: LimitCheck, now: number): Promise<LimitResult> => {
      const [result] = await store.consume([c], now);
      if (result === undefined) throw new Error('consume returned no result');
      return result;
    };

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      prefix = `conf_${randomBytes(6).toString('hex')}`;
    });
    afterEach(async () => {
      await cleanup();
    });

    it('admits an empty list', async () => {
      await expect(Promise.resolve(store.consume([], T))).resolves.toEqual([]);
    });

    it('answers as its kind says: the results themselves (sync), or a promise of them (async)', async () => {
      const answer = store.consume([check('k', sliding(2))], T);
      if (store.kind === 'sync') expect(answer).not.toBeInstanceOf(Promise);
      else expect(answer).toBeInstanceOf(Promise);
      await expect(Promise.resolve(answer)).resolves.toMatchObject([{ admitted: true, remaining: 1 }]);
    });

    it('returns results in the order of the checks', async () => {
      const checks = [check('c', sliding(3)), check('a', bucket(5)), check('b', sliding(7))];
      const results = await store.consume(checks, T);
      expect(results.map((r) => [r.counter, r.limit, r.remaining])).toEqual([
        [counter('c'), 3, 2],
        [counter('a'), 5, 4],
        [counter('b'), 7, 6],
      ]);
    });

    for (const config of [sliding(20, 60_000), bucket(20, 60_000)]) {
      it(`${config.algorithm}: admits exactly L of 10 × L concurrent calls`, async () => {
        const c = check('hot', config);
        const results = await Promise.all(Array.from({ length: 200 }, () => one(c, T)));
        const admitted = results.filter((r) => r.admitted);
        expect(admitted).toHaveLength(20);
        expect(admitted.map((r) => r.remaining).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 20 }, (_, i) => i),
        );
        expect(results.filter((r) => !r.admitted).every((r) => r.remaining === 0 && r.retryAfterMs > 0)).toBe(
          true,
        );
      });
    }

    it('charges all limits or none', async () => {
      const checks = [check('wide', sliding(10)), check('narrow', bucket(3))];
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await store.consume(checks, T + i));
      expect(results.map((r) => r.map((x) => x.admitted))).toEqual([
        [true, true],
        [true, true],
        [true, true],
        [true, false],
        [true, false],
      ]);
      const denied = results[3] as LimitResult[];
      expect(denied[0]).toMatchObject({ remaining: 7, retryAfterMs: 0 });
      expect(denied[1]?.retryAfterMs).toBeGreaterThan(0);
      await expect(one(check('wide', sliding(10), 0), T + 5)).resolves.toMatchObject({ remaining: 7 });
    });

    it('stays all-or-nothing under concurrency with a shared limit', async () => {
      const shared = check('consumer', sliding(10, 60_000));
      const calls = Array.from({ length: 120 }, (_, i) => [check(`key${i % 2}`, bucket(6, 60_000)), shared]);
      const results = await Promise.all(calls.map((checks) => store.consume(checks, T)));
      expect(results.filter((r) => r.every((x) => x.admitted))).toHaveLength(10);
      const after = await store.consume(
        [check('key0', bucket(6, 60_000), 0), check('key1', bucket(6, 60_000), 0), { ...shared, cost: 0 }],
        T,
      );
      expect(after.map((r) => r.remaining).reduce((a, b) => a + b)).toBe(2);
    });

    it('reads with cost 0 without consuming, even when exhausted', async () => {
      const config = sliding(2);
      await expect(one(check('r', config, 0), T)).resolves.toMatchObject({ admitted: true, remaining: 2 });
      await one(check('r', config, 2), T);
      for (let i = 0; i < 3; i++) {
        await expect(one(check('r', config, 0), T + 1)).resolves.toMatchObject({
          admitted: true,
          remaining: 0,
          retryAfterMs: 0,
        });
      }
      await expect(one(check('r', config, 1), T + 1)).resolves.toMatchObject({ admitted: false });
    });

    it('denies a cost above what remains without charging it', async () => {
      for (const config of [sliding(5), bucket(5)]) {
        const id = config.algorithm;
        await expect(one(check(id, config, 3), T)).resolves.toMatchObject({ admitted: true, remaining: 2 });
        await expect(one(check(id, config, 3), T)).resolves.toMatchObject({ admitted: false, remaining: 2 });
        await expect(one(check(id, config, 2), T)).resolves.toMatchObject({ admitted: true, remaining: 0 });
        await expect(one(check(id, config, 6), T)).resolves.toMatchObject({
          admitted: false,
          retryAfterMs: 2 * config.duration,
        });
      }
    });

    it('sliding window: exact at the window edges', async () => {
      const config = sliding(8, 1024);
      // While units are left, reset is when the limit is whole again: the end of the next
      // window. Once none is left, when one unit fits again: 8 × (1 - 128/1024) + 1 <= 8.
      for (let i = 0; i < 8; i++) {
        await expect(one(check('w', config), T + i)).resolves.toMatchObject({
          admitted: true,
          remaining: 7 - i,
          reset: i < 7 ? T + 2048 : T + 1024 + 128,
        });
      }
      await expect(one(check('w', config), T + 10)).resolves.toMatchObject({
        admitted: false,
        reset: T + 1024 + 128,
        retryAfterMs: 1024 + 128 - 10,
      });
      await expect(one(check('w', config), T + 1023)).resolves.toMatchObject({ admitted: false });
      // Next window, 127/1024 elapsed: estimate 8 × 897/1024 ≈ 7.007, one more does not fit yet.
      await expect(one(check('w', config), T + 1024 + 127)).resolves.toMatchObject({
        admitted: false,
        reset: T + 1024 + 128,
        retryAfterMs: 1,
      });
      await expect(one(check('w', config), T + 1024 + 128)).resolves.toMatchObject({
        admitted: true,
        remaining: 0,
      });
      await expect(one(check('w', config), T + 1024 + 128)).resolves.toMatchObject({ admitted: false });
      // At 3/4 of that window the previous 8 weigh 2, plus 1 admitted: 5 left.
      await expect(one(check('w', config, 0), T + 1024 + 768)).resolves.toMatchObject({ remaining: 5 });
      // Two windows on, the state is as good as new.
      await expect(one(check('w', config, 8), T + 3072)).resolves.toMatchObject({
        admitted: true,
        remaining: 0,
      });
    });

    it('token bucket: refills continuously up to capacity', async () => {
      const config = bucket(10, 1000);
      // Empty: reset is when the next token is in (not the full bucket).
      await expect(one(check('b', config, 10), T)).resolves.toMatchObject({
        admitted: true,
        remaining: 0,
        reset: T + 100,
      });
      await expect(one(check('b', config), T + 99)).resolves.toMatchObject({
        admitted: false,
        retryAfterMs: 1,
      });
      await expect(one(check('b', config), T + 100)).resolves.toMatchObject({ admitted: true, remaining: 0 });
      await expect(one(check('b', config, 0), T + 650)).resolves.toMatchObject({
        remaining: 5,
        reset: T + 1100,
      });
      await expect(one(check('b', config, 0), T + 60_000)).resolves.toMatchObject({ remaining: 10 });
    });

    it('reset() forgets one counter only', async () => {
      const config = sliding(1, 60_000);
      await one(check('x', config), T);
      await one(check('y', config), T);
      await store.reset(counter('x'));
      await expect(one(check('x', config), T + 1)).resolves.toMatchObject({ admitted: true });
      await expect(one(check('y', config), T + 1)).resolves.toMatchObject({ admitted: false });
      await expect(store.reset(counter('never-used'))).resolves.toBeUndefined();
    });

    it('keeps counters with similar names apart', async () => {
      const config = sliding(1, 60_000);
      await expect(one(check('a', config), T)).resolves.toMatchObject({ admitted: true });
      for (const id of ['a:b', 'A', 'a ', 'ab']) {
        await expect(one(check(id, config), T)).resolves.toMatchObject({ admitted: true });
      }
      await expect(one(check('a', config), T)).resolves.toMatchObject({ admitted: false });
    });

    it('matches the reference arithmetic (decideAll) over a long random history', async () => {
      const next = lcg(42);
      const configs: Record<string, RateLimitConfig> = {
        s1: sliding(7, 1000),
        s2: sliding(30, 2500),
        b1: bucket(5, 700),
        b2: bucket(12, 3000),
      };
      const ids = Object.keys(configs);
      const reference = new Map<string, CounterState>();
      let now = T + 17;
      for (let step = 0; step < 400; step++) {
        now += next(350);
        const picked = ids.filter(() => next(2) === 0);
        const checks = picked.map((id) => check(id, configs[id] as RateLimitConfig, next(4)));
        const expected = decideAll(checks, reference, now);
        for (const [c, state] of expected.writes) reference.set(c, state);
        expect(await store.consume(checks, now), `step ${step}`).toEqual(expected.results);
      }
    });
  });
}
