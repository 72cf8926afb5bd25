import { type ClientExposure, createEngine, type Engine } from '@keyward/core';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { countLimiterErrors, instrumentEngine } from './metrics.js';
import type { Resources } from './start-resources.js';

/**
 * The engine of `keyward serve`: on the opened store, recording usage, with Redis counters
 * and credits when configured, the cache bus, the configured pepper, cache and deadlines,
 * counted in the metrics and its store outages logged.
 */
export function createServerEngine(
  config: Config,
  resources: Resources,
  logger: Logger,
  onClientExposure?: (sighting: ClientExposure) => void,
): Engine {
  const { store, usage, redis, credits, bus, metrics } = resources;
  const engine = instrumentEngine(
    createEngine({
      store,
      usage,
      ...(redis ? { counters: countLimiterErrors(redis.counters, metrics) } : {}),
      ...(credits ? { credits } : {}),
      ...(bus ? { bus } : {}),
      ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
      ...(onClientExposure ? { onClientExposure } : {}),
      cacheTtlMs: config.cacheTtlMs,
      staleWhileErrorMs: config.staleWhileErrorMs,
      storeTimeoutMs: config.storeTimeoutMs,
      onStoreStateChange: (state) => {
        if (state === 'open') {
          logger.error(
            { staleWhileErrorMs: config.staleWhileErrorMs },
            'database unavailable: cached keys keep verifying, uncached keys and admin writes answer 503',
          );
        } else if (state === 'closed') logger.info('database available again');
      },
      onBusError: (error) =>
        logger.warn({ err: error }, 'cache invalidation not published: other nodes catch up on reconnect'),
    }),
    metrics,
  );
  metrics.watch({ usage, engine });
  return engine;
}
