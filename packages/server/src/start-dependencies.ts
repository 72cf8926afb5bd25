import { mkdir } from 'node:fs/promises';
import {
  type CacheBus,
  type CounterStore,
  type CreditLedger,
  createResilientCounterStore,
  type Store,
} from '@keyward/core';
import type { MonitoringStores } from '@keyward/core/monitoring';
import type { SessionStores } from '@keyward/core/sessions';
import type { SqlHandle } from '@keyward/core/sqlite';
import type { UsageEventStore } from '@keyward/core/usage';
import type { WebhookStore } from '@keyward/core/webhooks';
import type { Logger } from 'pino';
import { type Config, describeUrl } from './config.js';
import { loadOptionalPackage } from './optional-package.js';

/** How long a readiness probe waits for a dependency before calling it down. */
const PROBE_TIMEOUT_MS = 2000;

const probe = async (check: () => Promise<unknown>): Promise<'up' | 'down'> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
};

export interface OpenDatabase {
  /**
   * Keys, consumers, roles, root keys, audit, credits; with `store.transaction` for writes
   * that must land together. Every store here shares the database's one handle: one
   * Kysely, one SQLite connection or PostgreSQL pool. Closing the store closes the handle.
   */
  store: Store;
  /** Usage events and analytics on the same handle. */
  usage: UsageEventStore;
  /** Alerts, monitoring policies, job runs and usage signals on the same handle. */
  monitoring: MonitoringStores;
  /** Webhook endpoints, outbox and delivery log on the same handle (secrets sealed with the pepper). */
  webhooks: WebhookStore;
  /** Dashboard and portal sessions, portal links and settings on the same handle. */
  sessions: SessionStores;
  /** Where the data lives, without credentials (for log lines and CLI output). */
  description: string;
  /** Applies pending migrations (idempotent; safe while other nodes migrate too). */
  migrate(): Promise<void>;
  /** The PostgreSQL LISTEN/NOTIFY bus factory; null on SQLite (a single process needs no bus). */
  createBus: (() => Promise<CacheBus>) | null;
  probe(): Promise<'up' | 'down'>;
  close(): Promise<void>;
}

/**
 * Opens the configured database: PostgreSQL when KEYWARD_DATABASE_URL is set, else the
 * embedded SQLite file `<dataDir>/keyward.db` (the directory is created if missing). One
 * handle per database, passed to every store on it; the handle's adapter turns a database
 * that is down, restarting or locked into `UNAVAILABLE` (503), for every store at once.
 * Drivers load on demand, so a deployment only loads the ones it uses.
 */
export async function openDatabase(
  config: Config,
  { logger }: { logger?: Logger } = {},
): Promise<OpenDatabase> {
  if (config.database.kind === 'postgres') {
    const postgres = await loadOptionalPackage(
      'pg',
      'KEYWARD_DATABASE_URL (PostgreSQL)',
      () => import('@keyward/core/postgres'),
    );
    const { createPostgresHandle, createPostgresPool, migratePostgres } = postgres;
    const sql = createPostgresHandle({
      pool: createPostgresPool(config.database.url.reveal(), {
        max: config.database.poolSize,
        onIdleError: (error) => logger?.warn({ err: error }, 'postgres: an idle connection failed'),
      }),
    });
    return {
      ...(await storesOn(postgres.createStore(sql), sql, config)),
      description: describeUrl(config.database.url),
      migrate: () => migratePostgres(sql),
      createBus: async () => {
        const { createPostgresCacheBus } = await import('@keyward/core/postgres-bus');
        const bus = createPostgresCacheBus({
          pool: sql.pool,
          onError: (error) => logger?.warn({ err: error }, 'postgres cache bus: connection trouble'),
        });
        await bus.ready();
        return bus;
      },
    };
  }
  const { createSqliteHandle, createStore, migrateSqlite, openSqliteDatabase } = await loadOptionalPackage(
    'better-sqlite3',
    'the embedded SQLite database (KEYWARD_DATABASE_URL unset)',
    () => import('@keyward/core/sqlite'),
  );
  await mkdir(config.dataDir, { recursive: true });
  const sql = createSqliteHandle({ database: openSqliteDatabase(config.database.path) });
  return {
    ...(await storesOn(createStore(sql), sql, config)),
    description: `sqlite ${config.database.path}`,
    migrate: () => migrateSqlite(sql),
    createBus: null,
  };
}

/**
 * The other stores on the database's one handle, beside `store` (made by the dialect's own
 * module: a deployment loads only its driver); closing closes the handle (SQLite: checkpoints
 * the file).
 */
async function storesOn(
  store: Store,
  sql: SqlHandle,
  config: Config,
): Promise<
  Pick<OpenDatabase, 'store' | 'usage' | 'monitoring' | 'webhooks' | 'sessions' | 'probe' | 'close'>
> {
  const { createMonitoringStores } = await import('@keyward/core/monitoring');
  const { createSessionStores } = await import('@keyward/core/sessions');
  const { createWebhookStore } = await import('@keyward/core/webhooks');
  const { createUsageStore } = await import('@keyward/core/usage');
  return {
    store,
    usage: createUsageStore({ sql }),
    monitoring: createMonitoringStores(sql),
    webhooks: createWebhookStore(sql, { pepper: config.pepper?.reveal() ?? null }),
    sessions: createSessionStores(sql),
    probe: () => probe(() => store.ping()),
    close: () => sql.close(),
  };
}

export interface OpenRedis {
  counters: CounterStore;
  bus: CacheBus;
  /**
   * Quotas decided in Redis (one atomic script per spend, shared by every node), written
   * back to the database every second; null unless `openRedis` was given the database's ledger.
   */
  credits: (CreditLedger & { close(): Promise<void> }) | null;
  probe(): Promise<'up' | 'down'>;
  close(): Promise<void>;
}

/**
 * Connects Redis for rate-limit counters and the cache bus (two connections: one for
 * commands and PUBLISH, one in subscriber mode). Commands fail fast while Redis is down
 * so that the counter store's fail mode decides instead of a stalled request.
 */
export async function openRedis(
  config: Config,
  { logger, credits: durableCredits }: { logger: Logger; credits?: CreditLedger },
): Promise<OpenRedis> {
  if (!config.redisUrl) throw new Error('openRedis needs KEYWARD_REDIS_URL');
  const where = describeUrl(config.redisUrl);
  const { Redis } = await loadOptionalPackage('ioredis', 'KEYWARD_REDIS_URL', () => import('ioredis'));
  const { createRedisCacheBus, createRedisCounterStore, createRedisCreditLedger, withDurableReads } =
    await import('@keyward/core/redis');
  const prefix = config.redisPrefix;
  // Commands fail at once while disconnected (a queued command would charge a counter long
  // after its request was answered); the subscriber may queue: SUBSCRIBE waits for the link.
  const redis = new Redis(config.redisUrl.reveal(), {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 1000,
  });
  const subscriber = new Redis(config.redisUrl.reveal(), { lazyConnect: true, connectTimeout: 2000 });
  let lastError = '';
  for (const connection of [redis, subscriber]) {
    connection.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnect attempt: log each new one once.
      if (error.message === lastError) return;
      lastError = error.message;
      logger.warn({ redis: where, err: error }, 'redis connection trouble');
    });
    connection.on('ready', () => {
      lastError = '';
    });
  }
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot connect to redis at ${where}`, { cause: error });
  }
  const counters = createResilientCounterStore({
    inner: createRedisCounterStore({ redis, keyPrefix: `${prefix}rl:` }),
    failMode: config.ratelimitFailMode,
    timeoutMs: config.redisTimeoutMs,
    onError: (error) => logger.debug({ err: error }, 'redis counter call failed'),
    onStateChange: (state) => {
      if (state === 'open') {
        logger.warn(
          { failMode: config.ratelimitFailMode },
          `redis counters unavailable: rate limits fail ${config.ratelimitFailMode}`,
        );
      } else if (state === 'closed') logger.info('redis counters available again');
    },
  });
  const bus = createRedisCacheBus({
    publisher: redis,
    subscriber,
    channel: `${prefix}invalidate`,
    onError: (error) => logger.warn({ err: error }, 'redis cache bus: trouble'),
  });
  await bus.ready();
  let credits: OpenRedis['credits'] = null;
  if (durableCredits !== undefined) {
    // Redis and the database being down both answer UNAVAILABLE (translated by their adapters).
    const ledger = createRedisCreditLedger({
      redis,
      inner: durableCredits,
      keyPrefix: `${prefix}cr:`,
      onError: (error) => logger.warn({ err: error }, 'credit write-back to the database failed; retrying'),
    });
    credits = withDurableReads(ledger, durableCredits);
  }
  return {
    counters,
    bus,
    credits,
    probe: () => probe(() => redis.ping()),
    close: async () => {
      // The engine closes only what it created itself: the bus and counters are ours.
      // Credits first: their last write-back needs the database, closed after Redis.
      await credits
        ?.close()
        .catch((error: unknown) =>
          logger.error({ err: error }, 'final credit write-back failed: unsynced spends stay in redis'),
        );
      await bus.close();
      await counters.close();
      subscriber.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
