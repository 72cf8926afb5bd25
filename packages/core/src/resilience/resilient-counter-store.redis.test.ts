import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LimitCheck } from '../contracts/counter-store.js';
import { createRedisCounterStore } from '../redis/redis-counter-store.js';
import { startThrowawayRedisServer, type ThrowawayRedisServer } from '../testing/throwaway-redis-server.js';
import { createResilientCounterStore } from './resilient-counter-store.js';

// Fault tests against a private redis-server (killed, paused, restarted); the shared one is never touched.
const limit = (n: number, cost = 1): LimitCheck => ({
  counter: 'key:key_fault:rpm',
  config: { name: 'rpm', limit: n, duration: 60_000, algorithm: 'sliding_window' },
  cost,
});
const RECOVERY = { timeout: 15_000, interval: 100 };
const NOW = 1024 * 1_700_000_000;

describe('resilient Redis counters under faults', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const start = async (failMode: 'open' | 'closed') => {
    const server: ThrowawayRedisServer = await startThrowawayRedisServer();
    cleanups.push(() => server.kill());
    // No offline queue: while Redis is down a command fails at once instead of charging later.
    const redis = new Redis(server.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    redis.on('error', () => {});
    cleanups.push(async () => redis.disconnect());
    await redis.connect();
    const errors: unknown[] = [];
    const states: string[] = [];
    const store = createResilientCounterStore({
      inner: createRedisCounterStore({ redis, clock: 'caller' }),
      failMode,
      timeoutMs: 500,
      breaker: { failureThreshold: 3, resetMs: 200 },
      onError: (error) => errors.push(error),
      onStateChange: (state) => states.push(state),
    });
    return { server, redis, store, errors, states };
  };

  it('fails open while Redis is killed, then counts again once it is back, without a restart of the store', async () => {
    const { server, store, errors, states } = await start('open');
    await expect(store.consume([limit(2)], NOW)).resolves.toMatchObject([{ admitted: true, remaining: 1 }]);

    await server.kill('SIGKILL');
    for (let i = 0; i < 5; i++) {
      const [result] = await store.consume([limit(2)], NOW);
      expect(result).toMatchObject({ admitted: true, remaining: 2, degraded: true });
    }
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(store.circuitState()).not.toBe('closed');
    expect(states[0]).toBe('open');

    await server.restart();
    await vi.waitFor(async () => {
      const [probe] = await store.consume([limit(2, 0)], NOW);
      expect(probe?.degraded).toBeUndefined();
    }, RECOVERY);
    expect(store.circuitState()).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    // The restarted Redis kept nothing: the limit counts from zero, and is enforced again.
    await expect(store.consume([limit(2)], NOW)).resolves.toMatchObject([{ admitted: true, remaining: 1 }]);
    await expect(store.consume([limit(2)], NOW)).resolves.toMatchObject([{ admitted: true, remaining: 0 }]);
    await expect(store.consume([limit(2)], NOW)).resolves.toMatchObject([{ admitted: false }]);
  });

  it('fails closed with UNAVAILABLE while Redis is down, and recovers by itself', async () => {
    const { server, store, states } = await start('closed');
    await expect(store.consume([limit(3)], NOW)).resolves.toMatchObject([{ admitted: true }]);
    await server.kill('SIGKILL');
    for (let i = 0; i < 4; i++) {
      await expect(store.consume([limit(3)], NOW)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    }
    await expect(store.reset('key:key_fault:rpm')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await server.restart();
    await vi.waitFor(() => expect(store.consume([limit(3, 0)], NOW)).resolves.toHaveLength(1), RECOVERY);
    expect(states).toContain('open');
    expect(store.circuitState()).toBe('closed');
  });

  it('answers within its deadline while Redis stalls; the stalled charge lands once Redis resumes', async () => {
    const { server, store, errors } = await start('open');
    const admin = new Redis(server.url);
    cleanups.push(() => admin.quit());
    await expect(store.consume([limit(5)], NOW)).resolves.toMatchObject([{ remaining: 4 }]);

    // Every client's commands wait for 1.5 s, longer than the 500 ms deadline.
    await admin.client('PAUSE', 1_500, 'ALL');
    await expect(store.consume([limit(5)], NOW)).resolves.toMatchObject([{ admitted: true, degraded: true }]);
    expect(errors).toEqual([expect.objectContaining({ name: 'TimeoutError' })]);
    await admin.ping(); // answered once the pause is over

    // A timed-out call cannot be cancelled: it charged when Redis resumed (documented: at most one late charge per stalled call).
    await expect(store.consume([limit(5)], NOW)).resolves.toMatchObject([{ admitted: true, remaining: 2 }]);
    expect(store.circuitState()).toBe('closed');
  });
});
