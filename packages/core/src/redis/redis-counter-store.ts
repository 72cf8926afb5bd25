import type { Cluster, Redis } from 'ioredis';
import type { AsyncCounterStore, LimitCheck, LimitResult } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import { counterKey } from './counter-key.js';
import { CONSUME_LUA, REFUND_LUA } from './counter-scripts.js';
import { keySlot } from './key-slot.js';
import { luaScript, runScript } from './run-script.js';

export interface RedisCounterStoreOptions {
  /**
   * The connection (or Cluster) for counters. Give it `enableOfflineQueue: false`: a queued
   * command would charge a counter long after its request was answered.
   */
  redis: Redis | Cluster;
  /** Prepended to every counter key. Default `kw:rl:`. */
  keyPrefix?: string;
  /**
   * Whose clock decides windows. `redis` (default): Redis TIME inside the script, so nodes
   * with skewed clocks share one clock and the `now` given to `consume` is ignored. `caller`:
   * the `now` given to `consume` (tests of window edges; one node).
   */
  clock?: 'redis' | 'caller';
  /** Told when a compensating refund fails (Cluster, several slots). Default: ignore. */
  onError?: (error: unknown) => void;
}

const CONSUME = luaScript(CONSUME_LUA);
const REFUND = luaScript(REFUND_LUA);
/** Strings per check in the CONSUME reply. */
const STRIDE = 7;

interface Prepared {
  check: LimitCheck;
  key: string;
  algorithm: 's' | 't';
}

interface Decided {
  admitted: boolean;
  remaining: number;
  reset: number;
  retryAfterMs: number;
  remaining0: number;
  reset0: number;
  /** The script's clock (the caller's, or Redis TIME). */
  now: number;
  window: string;
}

const validate = (check: LimitCheck): void => {
  const { cost, config } = check;
  if (!Number.isSafeInteger(cost) || cost < 0) {
    throw new KeywardError('VALIDATION', 'ratelimit cost must be a non-negative integer', { field: 'cost' });
  }
  // A zero or fractional duration would make the script's retry search spin inside Redis.
  if (
    !Number.isSafeInteger(config.limit) ||
    config.limit < 0 ||
    !Number.isSafeInteger(config.duration) ||
    config.duration < 1
  ) {
    throw new KeywardError(
      'VALIDATION',
      `ratelimit "${config.name}" needs an integer limit >= 0 and duration >= 1`,
      {
        field: 'ratelimits',
      },
    );
  }
};

/**
 * Rate-limit counters in Redis, shared by every node. One `consume` is one CONSUME script
 * run (EVALSHA): the script reads every counter, decides with the arithmetic of
 * `rate-limit.ts` (`decideAll`), and writes all charges or none, atomically, because Redis
 * runs a script to completion before any other command. So 10 × L concurrent requests over
 * any number of nodes admit exactly L. Idle counters expire (PX 1 s past `stateExpiresAt`).
 * Counters are not persisted beyond what the Redis server itself keeps: after a restart
 * without persistence every limit starts empty (at most one window of extra admissions).
 * Needs Redis 6.0+.
 *
 * Redis Cluster: a key's limits share a slot and so do a consumer's (see `counter-key.ts`).
 * When one `consume` spans several slots, each slot runs its own script; if any slot denies,
 * the charges made on the other slots are refunded by a second script. Never over-admits,
 * but between charge and refund a concurrent request may see those units as taken (and a
 * crash in between loses them until the window passes). A `keyPrefix` with its own hash tag
 * (`{kw}:rl:`) puts every counter in one slot: fully atomic, but no sharding.
 *
 * @example
 * const counters = createRedisCounterStore({ redis: new Redis(url, { enableOfflineQueue: false }) });
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): AsyncCounterStore {
  const { redis, keyPrefix = 'kw:rl:', clock = 'redis', onError = () => {} } = options;
  if (clock !== 'redis' && clock !== 'caller') {
    throw new KeywardError('VALIDATION', 'clock must be "redis" or "caller"', { field: 'clock' });
  }
  let closed = false;

  const consumeSlot = async (
    group: Prepared[],
    now: string,
  ): Promise<{ admitted: boolean; decided: Decided[] }> => {
    const args = [now];
    for (const { check, algorithm } of group) {
      args.push(algorithm, String(check.config.limit), String(check.config.duration), String(check.cost));
    }
    const reply = (await runScript(
      redis,
      CONSUME,
      group.map((p) => p.key),
      args,
    )) as string[];
    const decided = group.map((_, i): Decided => {
      const at = 2 + i * STRIDE;
      return {
        admitted: reply[at] === '1',
        remaining: Number(reply[at + 1]),
        reset: Number(reply[at + 2]),
        retryAfterMs: Number(reply[at + 3]),
        remaining0: Number(reply[at + 4]),
        reset0: Number(reply[at + 5]),
        now: Number(reply[0]),
        window: reply[at + 6] ?? '',
      };
    });
    return { admitted: reply[1] === '1', decided };
  };

  const refund = async (group: Prepared[], decided: Decided[]): Promise<void> => {
    const charged = group
      .map((p, i) => ({ p, d: decided[i] as Decided }))
      .filter(({ p }) => p.check.cost > 0);
    if (charged.length === 0) return;
    const args = charged.flatMap(({ p, d }) => [
      p.algorithm,
      String(p.check.config.limit),
      String(p.check.config.duration),
      String(p.check.cost),
      d.window,
    ]);
    await runScript(
      redis,
      REFUND,
      charged.map(({ p }) => p.key),
      args,
    );
  };

  return {
    kind: 'async',

    async consume(checks, now) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'counter store is closed');
      if (checks.length === 0) return [];
      checks.forEach(validate);
      if (clock === 'caller' && !Number.isFinite(now))
        throw new KeywardError('VALIDATION', 'now must be a finite number');
      const scriptNow = clock === 'caller' ? String(now) : '';
      const prepared = checks.map(
        (check): Prepared => ({
          check,
          key: counterKey(keyPrefix, check.counter),
          algorithm: check.config.algorithm === 'token_bucket' ? 't' : 's',
        }),
      );
      // One group on a single Redis; one group per hash slot on a Cluster.
      const groups = new Map<number, number[]>();
      prepared.forEach((p, i) => {
        const slot = redis.isCluster ? keySlot(p.key) : 0;
        groups.set(slot, [...(groups.get(slot) ?? []), i]);
      });
      const decided: Decided[] = new Array(checks.length);
      const outcomes = await Promise.all(
        [...groups.values()].map(async (indexes) => {
          const group = indexes.map((i) => prepared[i] as Prepared);
          const outcome = await consumeSlot(group, scriptNow);
          indexes.forEach((i, j) => {
            decided[i] = outcome.decided[j] as Decided;
          });
          return { group, ...outcome };
        }),
      );
      const admitted = outcomes.every((o) => o.admitted);
      if (!admitted) {
        const refunds = outcomes
          .filter((o) => o.admitted)
          .map((o) => refund(o.group, o.decided).catch(onError));
        await Promise.all(refunds);
      }
      return prepared.map(({ check }, i): LimitResult => {
        const d = decided[i] as Decided;
        return {
          counter: check.counter,
          admitted: d.admitted,
          limit: check.config.limit,
          remaining: admitted ? d.remaining : d.remaining0,
          reset: admitted ? d.reset : d.reset0,
          resetAfterMs: Math.max(0, (admitted ? d.reset : d.reset0) - d.now),
          retryAfterMs: d.retryAfterMs,
        };
      });
    },

    async reset(counter) {
      if (closed) throw new KeywardError('UNAVAILABLE', 'counter store is closed');
      await redis.del(counterKey(keyPrefix, counter));
    },

    async close() {
      // The connection belongs to the caller; it quits it.
      closed = true;
    },
  };
}
