import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LimitCheck } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { type CounterState, decideAll } from '../decisions/rate-limit.js';
import { createResilientCounterStore } from '../resilience/resilient-counter-store.js';
import { describeCounterStoreConformance } from '../testing/counter-store.conformance.js';
import { deleteRedisPrefix } from '../testing/redis-prefix.js';
import { REDIS_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { counterKey } from './counter-key.js';
import { createRedisCounterStore } from './redis-counter-store.js';

const redisUp = await serviceAvailable('redis');

const sliding = (limit: number, duration: number): RateLimitConfig => ({
  name: 's',
  limit,
  duration,
  algorithm: 'sliding_window',
});
const bucket = (limit: number, duration: number): RateLimitConfig => ({
  name: 'b',
  limit,
  duration,
  algorithm: 'token_bucket',
});

describe.skipIf(!redisUp)('Redis counter store', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { enableOfflineQueue: true });
  });
  afterAll(async () => {
    await redis.quit();
  });

  describeCounterStoreConformance('redis (caller clock)', async () => {
    const keyPrefix = `${uniqueName('kw:test:rl')}:`;
    const store = createRedisCounterStore({ redis, keyPrefix, clock: 'caller' });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteRedisPrefix(redis, keyPrefix);
      },
    };
  });

  // As production wires it: Redis behind the resilient wrapper (deadline, breaker, fail mode).
  describeCounterStoreConformance('resilient over redis', async () => {
    const keyPrefix = `${uniqueName('kw:test:rl')}:`;
    const store = createResilientCounterStore({
      inner: createRedisCounterStore({ redis, keyPrefix, clock: 'caller' }),
      failMode: 'closed',
      timeoutMs: 2_000,
    });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteRedisPrefix(redis, keyPrefix);
      },
    };
  });

  let keyPrefix: string;
  afterEach(async () => {
    await deleteRedisPrefix(redis, keyPrefix);
  });
  const store = (clock: 'redis' | 'caller' = 'caller') => {
    keyPrefix = `${uniqueName('kw:test:rl')}:`;
    return createRedisCounterStore({ redis, keyPrefix, clock });
  };

  it('equals decideAll bit for bit on random histories (repeated counters, fractional refills)', async () => {
    // Power-of-two durations make exact boundaries (estimate + cost == limit) common; the others make fractions.
    const configs = [
      sliding(3, 1000),
      sliding(8, 1024),
      sliding(11, 7001),
      bucket(7, 3000),
      bucket(4, 1024),
      bucket(1, 999),
      bucket(40, 1),
    ];
    const history = fc.array(
      fc.record({
        // Negative: a node whose clock is behind the one that wrote the state.
        advance: fc.oneof(
          fc.integer({ min: 0, max: 400 }),
          fc.integer({ min: -600, max: 9000 }),
          fc.constantFrom(0, 64, 128, 256),
        ),
        checks: fc.array(
          fc.record({
            counter: fc.integer({ min: 0, max: configs.length - 1 }),
            cost: fc.integer({ min: 0, max: 4 }),
          }),
          {
            maxLength: 6,
          },
        ),
      }),
      { minLength: 1, maxLength: 40 },
    );
    await fc.assert(
      fc.asyncProperty(history, fc.integer({ min: 1_000, max: 2 ** 30 }), async (steps, windows) => {
        const counters = store();
        const reference = new Map<string, CounterState>();
        let now = windows * 1024;
        for (const step of steps) {
          now += step.advance;
          const checks = step.checks.map(
            (c): LimitCheck => ({
              counter: `key:k${c.counter}:l`,
              config: configs[c.counter] as RateLimitConfig,
              cost: c.cost,
            }),
          );
          const expected = decideAll(checks, reference, now);
          for (const [counter, state] of expected.writes) reference.set(counter, state);
          expect(await counters.consume(checks, now)).toEqual(expected.results);
        }
        await deleteRedisPrefix(redis, keyPrefix);
      }),
      { numRuns: 150 },
    );
  });

  it('with the Redis clock, nodes with skewed clocks share one limit and one reset', async () => {
    const counters = store('redis');
    const time = await redis.time();
    const redisNow = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const check: LimitCheck = { counter: 'key:k:skew', config: sliding(4, 60_000), cost: 1 };
    // Two nodes whose clocks are an hour apart: with the caller's clock they would count in different windows.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        counters.consume([check], i % 2 === 0 ? redisNow - 3_600_000 : redisNow + 3_600_000),
      ),
    );
    expect(results.flat().filter((r) => r.admitted)).toHaveLength(4);
    for (const [result] of results) {
      expect(result?.reset).toBeGreaterThan(redisNow);
      // At most the end of the next window (a charge weighs on it), by the Redis clock.
      expect(result?.reset).toBeLessThanOrEqual(redisNow + 120_000 + 5_000);
    }
  });

  it('expires idle counters a second after their state equals no state', async () => {
    const counters = store();
    const now = 1_000_000_000_000 + 250;
    await counters.consume(
      [
        { counter: 'key:k:sw', config: sliding(5, 1000), cost: 1 },
        { counter: 'key:k:tb', config: bucket(10, 1000), cost: 4 },
      ],
      now,
    );
    // Sliding: two windows after the current one starts = 2000 - 250 ms from now; bucket: 4 tokens at 10/s = 400 ms;
    // each plus the 1 s of slack for lagging clocks.
    const slidingTtl = await redis.pttl(counterKey(keyPrefix, 'key:k:sw'));
    const bucketTtl = await redis.pttl(counterKey(keyPrefix, 'key:k:tb'));
    expect(slidingTtl).toBeGreaterThan(2000);
    expect(slidingTtl).toBeLessThanOrEqual(2750);
    expect(bucketTtl).toBeGreaterThan(1000);
    expect(bucketTtl).toBeLessThanOrEqual(1400);
  });

  it('writes nothing for a denied or cost-0 call', async () => {
    const counters = store();
    await counters.consume(
      [
        { counter: 'key:k:a', config: sliding(5, 1000), cost: 0 },
        { counter: 'key:k:b', config: sliding(5, 1000), cost: 6 },
      ],
      5_000,
    );
    expect(await redis.exists(counterKey(keyPrefix, 'key:k:a'), counterKey(keyPrefix, 'key:k:b'))).toBe(0);
  });

  it('keeps working after the script cache is flushed (NOSCRIPT falls back to EVAL)', async () => {
    const counters = store();
    const check: LimitCheck = { counter: 'key:k:flush', config: sliding(2, 60_000), cost: 1 };
    await expect(counters.consume([check], 10_000)).resolves.toMatchObject([
      { admitted: true, remaining: 1 },
    ]);
    await redis.script('FLUSH');
    await expect(counters.consume([check], 10_001)).resolves.toMatchObject([
      { admitted: true, remaining: 0 },
    ]);
  });

  it('refuses configs and costs that the script cannot decide', async () => {
    const counters = store();
    const bad: LimitCheck[] = [
      { counter: 'key:k:x', config: sliding(5, 0), cost: 1 },
      { counter: 'key:k:x', config: bucket(5, 0.5), cost: 1 },
      { counter: 'key:k:x', config: sliding(Number.NaN, 1000), cost: 1 },
      { counter: 'key:k:x', config: sliding(5, 1000), cost: -1 },
      { counter: 'key:k:x', config: sliding(5, 1000), cost: 1.5 },
    ];
    for (const check of bad)
      await expect(counters.consume([check], 1)).rejects.toMatchObject({ code: 'VALIDATION' });
    await counters.close();
    await expect(counters.consume([], 1)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
