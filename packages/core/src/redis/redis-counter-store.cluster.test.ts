import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitCheck } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { describeCounterStoreConformance } from '../testing/counter-store.conformance.js';
import { uniqueName } from '../testing/services.js';
import { startThrowawayRedisCluster, type ThrowawayRedisCluster } from '../testing/throwaway-redis-server.js';
import { counterKey } from './counter-key.js';
import { keySlot } from './key-slot.js';
import { createRedisCounterStore } from './redis-counter-store.js';

// Needs only the redis-server binary (a private 3-node cluster), not the shared Redis.
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
const T = 1024 * 1_700_000_000;

describe('Redis counter store on a Redis Cluster', () => {
  let cluster: ThrowawayRedisCluster;
  let redis: Cluster;
  beforeAll(async () => {
    cluster = await startThrowawayRedisCluster(3);
    redis = new Cluster(cluster.nodes);
    await redis.set('kw:probe', '1'); // waits for the slot map
  }, 60_000);
  afterAll(async () => {
    await redis?.quit();
    await cluster?.stop();
  });

  // A hash tag in the prefix puts every counter in one slot: the full, atomic contract.
  describeCounterStoreConformance('redis cluster, one slot', async () => {
    const store = createRedisCounterStore({ redis, keyPrefix: `{${uniqueName('kw')}}:rl:`, clock: 'caller' });
    return { store, cleanup: () => store.close() };
  });

  it('computes the same slot as the cluster', async () => {
    for (const key of ['somekey', 'kw:rl:{key:key_1}:rpm', 'kw:rl:{consumer:con_1}:rpm', '{}x', 'ä{ö}ü']) {
      expect(keySlot(key)).toBe(await redis.cluster('KEYSLOT', key));
    }
  });

  describe('a consume spanning two slots', () => {
    const keyPrefix = `${uniqueName('kw:test:rl')}:`;
    const store = () => createRedisCounterStore({ redis, keyPrefix, clock: 'caller' });
    const ownerIn = (stem: string, avoid: number): string => {
      for (let i = 0; ; i++)
        if (keySlot(counterKey(keyPrefix, `${stem}${i}:x`)) !== avoid) return `${stem}${i}`;
    };
    const keyOwner = ownerIn('key:key_', -1);
    const consumerOwner = ownerIn('consumer:con_', keySlot(counterKey(keyPrefix, `${keyOwner}:x`)));

    it('charges all or none: the admitting slot is refunded when the other denies', async () => {
      const counters = store();
      const checks: LimitCheck[] = [
        { counter: `${keyOwner}:wide`, config: sliding(10, 1024), cost: 1 },
        { counter: `${consumerOwner}:narrow`, config: bucket(3, 1000), cost: 1 },
      ];
      const admitted: boolean[][] = [];
      for (let i = 0; i < 5; i++)
        admitted.push((await counters.consume(checks, T + i)).map((r) => r.admitted));
      expect(admitted).toEqual([
        [true, true],
        [true, true],
        [true, true],
        [true, false],
        [true, false],
      ]);
      const [wide] = await counters.consume([{ ...checks[0], cost: 0 } as LimitCheck], T + 5);
      expect(wide?.remaining).toBe(7);
    });

    it('never over-admits under concurrency, and refunds leave exact counts', async () => {
      const counters = store();
      const shared: LimitCheck = { counter: `${consumerOwner}:shared`, config: sliding(10, 60_000), cost: 1 };
      const keyCheck = (i: number): LimitCheck => ({
        counter: `${keyOwner}:k${i}`,
        config: bucket(6, 60_000),
        cost: 1,
      });
      const results = await Promise.all(
        Array.from({ length: 120 }, (_, i) => counters.consume([keyCheck(i % 2), shared], T)),
      );
      const wins = results.map((r, i) => ({ i, won: r.every((x) => x.admitted) })).filter((r) => r.won);
      expect(wins.length).toBeLessThanOrEqual(10);
      expect(wins.length).toBeGreaterThan(0);
      const after = await counters.consume(
        [
          { ...keyCheck(0), cost: 0 },
          { ...keyCheck(1), cost: 0 },
          { ...shared, cost: 0 },
        ],
        T,
      );
      const wonByKey = (k: number) => wins.filter((w) => w.i % 2 === k).length;
      expect(after.map((r) => r.remaining)).toEqual([6 - wonByKey(0), 6 - wonByKey(1), 10 - wins.length]);
    });
  });
});
