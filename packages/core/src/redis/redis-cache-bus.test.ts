import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvalidationMessage } from '../contracts/cache-bus.js';
import { describeCacheBusConformance } from '../testing/cache-bus.conformance.js';
import { REDIS_URL, serviceAvailable, uniqueName } from '../testing/services.js';
import { startThrowawayRedisServer, type ThrowawayRedisServer } from '../testing/throwaway-redis-server.js';
import { createRedisCacheBus, type RedisCacheBus } from './redis-cache-bus.js';

const redisUp = await serviceAvailable('redis');
const WAIT = { timeout: 10_000, interval: 20 };

describe.skipIf(!redisUp)('Redis cache bus', () => {
  describeCacheBusConformance('redis pub/sub', {
    transport: async () => {
      const channel = uniqueName('kw:test:invalidate');
      const connections: Redis[] = [];
      return {
        async connect() {
          const publisher = new Redis(REDIS_URL);
          const subscriber = new Redis(REDIS_URL);
          connections.push(publisher, subscriber);
          const bus = createRedisCacheBus({ publisher, subscriber, channel });
          await bus.ready();
          return bus;
        },
        async dispose() {
          await Promise.all(connections.map((connection) => connection.quit()));
        },
      };
    },
  });

  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const connect = (url: string) => {
    const connection = new Redis(url, { retryStrategy: () => 50 });
    cleanups.push(() => connection.quit().catch(() => connection.disconnect()));
    return connection;
  };
  const openBus = (url: string, channel: string, onError?: (error: unknown) => void): RedisCacheBus => {
    const bus = createRedisCacheBus({
      publisher: connect(url),
      subscriber: connect(url),
      channel,
      ...(onError ? { onError } : {}),
    });
    cleanups.push(() => bus.close());
    return bus;
  };

  it('drops malformed payloads without throwing and keeps delivering valid ones', async () => {
    const channel = uniqueName('kw:test:invalidate');
    const errors: unknown[] = [];
    const bus = openBus(REDIS_URL, channel, (error) => errors.push(error));
    const seen: InvalidationMessage[] = [];
    bus.subscribe((message) => seen.push(message));
    await bus.ready();
    await bus.publish({ type: 'all' });
    const raw = connect(REDIS_URL);
    const garbage = [
      'not json',
      '[]',
      'null',
      '{"type":"key","keyId":"key_1"}',
      '{"type":"key","keyId":"","digests":[]}',
      '{"type":"key","keyId":"key_1","digests":[1]}',
      '{"type":"consumer"}',
      '{"type":"nope"}',
    ];
    for (const payload of garbage) await raw.publish(channel, payload);
    await raw.publish(channel, '{"type":"consumer","consumerId":"con_1","extra":"dropped"}');
    await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);
    expect(seen).toEqual([{ type: 'all' }, { type: 'consumer', consumerId: 'con_1' }]);
    expect(errors).toHaveLength(garbage.length);
  });

  it('rejects publishing a malformed message or on a closed bus', async () => {
    const bus = openBus(REDIS_URL, uniqueName('kw:test:invalidate'));
    await expect(bus.publish({ type: 'consumer', consumerId: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await bus.close();
    await expect(bus.publish({ type: 'all' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  describe('with its own redis-server', () => {
    let server: ThrowawayRedisServer;
    afterEach(async () => {
      await server?.kill();
    });

    it('resubscribes after Redis restarts and flushes local caches with { type: all }', async () => {
      server = await startThrowawayRedisServer();
      const channel = 'kw:invalidate';
      const listener = openBus(server.url, channel);
      const seen: InvalidationMessage[] = [];
      listener.subscribe((message) => seen.push(message));
      await listener.publish({ type: 'consumer', consumerId: 'con_before' });
      await vi.waitFor(() => expect(seen).toHaveLength(1), WAIT);

      await server.kill('SIGKILL');
      await server.restart();
      // Missed messages cannot be replayed: the bus tells its subscribers to drop everything.
      await vi.waitFor(() => expect(seen).toContainEqual({ type: 'all' }), WAIT);

      const publisher = openBus(server.url, channel);
      await publisher.publish({ type: 'key', keyId: 'key_after', digests: ['d'] });
      await vi.waitFor(
        () => expect(seen.at(-1)).toEqual({ type: 'key', keyId: 'key_after', digests: ['d'] }),
        WAIT,
      );
      expect(seen).toEqual([
        { type: 'consumer', consumerId: 'con_before' },
        { type: 'all' },
        { type: 'key', keyId: 'key_after', digests: ['d'] },
      ]);
    });
  });
});
