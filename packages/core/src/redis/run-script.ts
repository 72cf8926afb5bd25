import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

export const luaScript = (source: string): LuaScript => ({
  source,
  sha1: createHash('sha1').update(source).digest('hex'),
});

const isNoScript = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * EVALSHA, falling back to EVAL (which also caches the script) when the server does not
 * know it yet: first use, after a restart or SCRIPT FLUSH, or on a new Cluster node.
 */
export async function runScript(
  redis: Redis | Cluster,
  script: LuaScript,
  keys: readonly string[],
  args: readonly string[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha1, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return await redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
