import { createCachedCreditLedger, createDependencyGuard, createEngine, type Engine } from '@keyward/core';
import { createUsageRecorder } from '@keyward/core/usage';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { type Config, describeUrl } from './config.js';
import { withGuardedRootKeyLookup } from './database-faults.js';
import { createAppLogger } from './logging.js';
import { countLimiterErrors, createMetrics, instrumentEngine, registerMetrics } from './metrics.js';
import { usageRoutes } from './routes/usage.js';
import { createGithubKeySource } from './secret-scanning/github-keys.js';
import { openDatabase, openRedis } from './start-dependencies.js';
import { createOperations } from './start-operations.js';

export interface StartOptions {
  /** Logger for the server and its start-up lines; default: pino JSON on stdout at `config.logLevel`. */
  logger?: Logger;
  /** A gateway routing file (`keyward serve --gateway <file>`): also run the gateway, reloaded on change. */
  gateway?: string;
}

export interface RunningServer {
  app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:8787` (the real port when configured with 0). */
  url: string;
  /** Graceful stop: no new connections, in-flight requests finish, usage flushed, connections closed. */
  close(): Promise<void>;
}

/** keyward's JSON logger (secret paths redacted) at the configured level. */
export const createLogger = ({ logLevel }: Pick<Config, 'logLevel'>): Logger => {
  const logger = createAppLogger(logLevel === 'silent' ? {} : { level: logLevel });
  if (logLevel === 'silent') logger.level = 'silent';
  return logger;
};

/**
 * The composition root: the one place that turns configuration into a running server.
 * Opens the database (SQLite under the data directory by default, PostgreSQL with
 * KEYWARD_DATABASE_URL) and runs its migrations, connects Redis when configured, wires
 * counters, cache bus and engine, builds the app and listens.
 *
 * @example const server = await startServer(loadConfig(process.env)); await server.close();
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  const closeAll = async () => {
    // Reverse order of opening: the app first (in-flight requests), the database last.
    for (const { name, close } of closers.reverse()) {
      await close().catch((error: unknown) => logger.error({ err: error, component: name }, 'close failed'));
    }
    closers.length = 0;
  };

  try {
    const database = await openDatabase(config, { logger });
    closers.push({ name: 'database', close: database.close });
    await database.migrate().catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot migrate ${database.description}: ${reason}`, { cause: error });
    });

    // Usage: buffered in memory, written in batches; closed (flushed) after the engine, before the database.
    const metrics = createMetrics();
    const usage = createUsageRecorder({
      sink: database.usage,
      onError: (error) => {
        metrics.storeErrors.inc({ operation: 'usage' });
        logger.warn({ err: error }, 'usage write or prune failed: events kept, retrying');
      },
    });
    closers.push({ name: 'usage', close: () => usage.close() });

    const redis = config.redisUrl
      ? await openRedis(config, { logger, credits: database.store.credits })
      : null;
    if (redis) closers.push({ name: 'redis', close: redis.close });
    // Without Redis, PostgreSQL LISTEN/NOTIFY carries invalidations; SQLite is one process and needs none.
    const bus = redis?.bus ?? (database.createBus ? await database.createBus() : null);
    if (bus && !redis) closers.push({ name: 'cache bus', close: () => bus.close() });

    // With Redis, quotas are spent there. On SQLite this one process owns the balances: they
    // are spent in memory and written back every second (a crash re-admits at most that much;
    // docs/deploy.md). PostgreSQL without Redis spends in the database: several nodes may.
    // Admin writes go through the same ledger as verifications.
    const writeBehind =
      redis === null && config.database.kind === 'sqlite'
        ? createCachedCreditLedger({
            inner: database.store.credits,
            onError: (error) =>
              logger.warn({ err: error }, 'credit write-back failed: spends kept, retrying'),
          })
        : null;
    if (writeBehind) closers.push({ name: 'credits', close: () => writeBehind.close() });
    const credits = redis?.credits ?? writeBehind;
    const store = credits ? { ...database.store, credits } : database.store;
    const engine: Engine = instrumentEngine(
      createEngine({
        store,
        usage,
        ...(redis ? { counters: countLimiterErrors(redis.counters, metrics) } : {}),
        ...(credits ? { credits } : {}),
        ...(bus ? { bus } : {}),
        ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
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
    closers.push({ name: 'engine', close: () => engine.close() });

    const readiness = async (): Promise<Record<string, 'up' | 'down'>> => ({
      database: await database.probe(),
      ...(redis ? { redis: await redis.probe() } : {}),
    });
    // Webhook delivery and access-pattern detectors: started once listening, stopped first on shutdown.
    const operations = createOperations({ config, database, store, engine, metrics, logger });
    const rootKeyGuard = createDependencyGuard({ name: 'root key store', timeoutMs: config.storeTimeoutMs });
    const app = await buildApp({
      store: withGuardedRootKeyLookup(store, rootKeyGuard),
      engine,
      ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
      logger,
      trustProxy: typeof config.trustProxy === 'boolean' ? config.trustProxy : [...config.trustProxy],
      readiness,
      staleWhileErrorMs: config.staleWhileErrorMs,
      rootKeyCacheTtlMs: config.rootKeyCacheTtlMs,
      githubKeys: createGithubKeySource({ url: config.githubScanningKeysUrl }),
      ...(bus ? { bus } : {}),
      monitoring: operations.monitoring,
      webhooks: operations.webhooks,
    });
    closers.push({ name: 'app', close: () => app.close() });
    await app.register(usageRoutes({ usage: database.usage, store, now: Date.now }));
    registerMetrics(app, { metrics });

    await app.listen({ port: config.port, host: config.host });
    operations.start();
    closers.push({ name: 'webhooks and monitoring', close: operations.stop });
    const url = listeningUrl(app, config.host);
    if (options.gateway !== undefined) {
      const { startGateway } = await import('./gateway/index.js');
      const gateway = await startGateway({
        file: options.gateway,
        engine,
        usage,
        logger: logger.child({ component: 'gateway' }),
        trustProxy: typeof config.trustProxy === 'boolean' ? config.trustProxy : [...config.trustProxy],
      });
      // startGateway says where it listens.
      closers.push({ name: 'gateway', close: () => gateway.close() });
    }
    logger.info(
      {
        url,
        host: config.host,
        database: database.description,
        ...(config.redisUrl ? { redis: describeUrl(config.redisUrl) } : {}),
        peppered: config.pepper !== null,
      },
      `keyward listening on ${url} (API docs: ${url}/docs)`,
    );
    if ((await database.store.workspaces.list()).length === 0) {
      logger.info(
        'no workspace yet: run `npm run keyward -- init` (or `npx keyward init`) to create one and get a root key',
      );
    }

    let closing: Promise<void> | null = null;
    return {
      app,
      url,
      close: () => {
        closing ??= closeAll().then(() => {
          logger.info('keyward stopped');
          logger.flush();
        });
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

const listeningUrl = (app: FastifyInstance, host: string): string => {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
};
