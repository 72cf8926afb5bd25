import { type CacheBus, type CreditLedger, createCachedCreditLedger, type Store } from '@keyward/core';
import { createUsageRecorder, type UsageRecorder } from '@keyward/core/usage';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createMetrics, type KeywardMetrics } from './metrics.js';
import { type OpenDatabase, type OpenRedis, openDatabase, openRedis } from './start-dependencies.js';

/** Things `keyward serve` opened, closed in the reverse order of opening. */
export interface Closers {
  add(name: string, close: () => Promise<void>): void;
  /** Closes everything added so far, newest first; a failure is logged and the rest still close. */
  closeAll(): Promise<void>;
}

export function createClosers(logger: Logger): Closers {
  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  return {
    add: (name, close) => void closers.push({ name, close }),
    async closeAll() {
      // Reverse order of opening: the app first (in-flight requests), the database last.
      for (const { name, close } of closers.reverse()) {
        await close().catch((error: unknown) =>
          logger.error({ err: error, component: name }, 'close failed'),
        );
      }
      closers.length = 0;
    },
  };
}

/** What the engine and the app are built on. */
export interface Resources {
  database: OpenDatabase;
  redis: OpenRedis | null;
  /** Invalidations between nodes: Redis pub/sub, else PostgreSQL LISTEN/NOTIFY; null on SQLite. */
  bus: CacheBus | null;
  /** Where quotas are spent when not in the database itself: Redis, or SQLite's write-behind ledger. */
  credits: CreditLedger | null;
  /** The database's store, spending credits through `credits` when set. */
  store: Store;
  /** The engine's usage recorder: buffered in memory, written in batches. */
  usage: UsageRecorder;
  metrics: KeywardMetrics;
  /** The `/readyz` probes: the database, and Redis when configured. */
  readiness(): Promise<Record<string, 'up' | 'down'>>;
}

/**
 * Opens what the configuration names: the database (migrated), the usage recorder, Redis
 * and the cache bus, and the credit ledger. Each is added to `closers` as it opens, so that
 * a failure half-way closes what was opened.
 */
export async function openResources(
  config: Config,
  { logger, closers }: { logger: Logger; closers: Closers },
): Promise<Resources> {
  const database = await openDatabase(config, { logger });
  closers.add('database', database.close);
  await database.migrate().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot migrate ${database.description}: ${reason}`, { cause: error });
  });

  // Usage: closed (flushed) after the engine, before the database.
  const metrics = createMetrics();
  const usage = createUsageRecorder({
    sink: database.usage,
    onError: (error) => {
      metrics.storeErrors.inc({ operation: 'usage' });
      logger.warn({ err: error }, 'usage write or prune failed: events kept, retrying');
    },
  });
  closers.add('usage', () => usage.close());

  const redis = config.redisUrl ? await openRedis(config, { logger, credits: database.store.credits }) : null;
  if (redis) closers.add('redis', redis.close);
  // Without Redis, PostgreSQL LISTEN/NOTIFY carries invalidations; SQLite is one process and needs none.
  const bus = redis?.bus ?? (database.createBus ? await database.createBus() : null);
  if (bus && !redis) closers.add('cache bus', () => bus.close());

  // With Redis, quotas are spent there. On SQLite this one process owns the balances: they
  // are spent in memory and written back every second (a crash re-admits at most that much;
  // docs/deploy.md). PostgreSQL without Redis spends in the database: several nodes may.
  // Admin writes go through the same ledger as verifications.
  const writeBehind =
    redis === null && config.database.kind === 'sqlite'
      ? createCachedCreditLedger({
          inner: database.store.credits,
          onError: (error) => logger.warn({ err: error }, 'credit write-back failed: spends kept, retrying'),
        })
      : null;
  if (writeBehind) closers.add('credits', () => writeBehind.close());
  const credits = redis?.credits ?? writeBehind;

  return {
    database,
    redis,
    bus,
    credits,
    store: credits ? { ...database.store, credits } : database.store,
    usage,
    metrics,
    readiness: async () => ({
      database: await database.probe(),
      ...(redis ? { redis: await redis.probe() } : {}),
    }),
  };
}
