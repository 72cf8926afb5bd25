import type { Redis } from 'ioredis';

/**
 * Deletes every key under `prefix` on the shared Redis (SCAN, never KEYS, never FLUSHALL):
 * how a test cleans up after itself, and how it makes Redis lose its copy on purpose.
 */
export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
