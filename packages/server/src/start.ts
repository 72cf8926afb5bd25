import { createDependencyGuard, type Engine } from '@keyward/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AppOptions, buildApp } from './app.js';
import { type Config, describeUrl } from './config.js';
import { withGuardedRootKeyLookup } from './database-faults.js';
import { createAppLogger } from './logging.js';
import { createGithubKeySource } from './secret-scanning/github-keys.js';
import { createServerEngine } from './start-engine.js';
import { createOperations, type Operations } from './start-operations.js';
import { createClosers, openResources, type Resources } from './start-resources.js';

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
  /** The API docs page (`<url>/docs`); null when the app serves none. */
  docsUrl: string | null;
  /** The dashboard (`<url>/dashboard/`); null when the app serves none. */
  dashboardUrl: string | null;
  /** Where the gateway listens (`serve --gateway`); null without one. */
  gatewayUrl: string | null;
  /** The database, without credentials (`sqlite /path/keyward.db`, `postgres://host:5432/db`). */
  database: string;
  /** True when the database holds no workspace yet: the next step is `keyward init`. */
  needsInit: boolean;
  /** Graceful stop: no new connections, in-flight requests finish, usage flushed, connections closed. */
  close(): Promise<void>;
}

/** keyward's logger (secret paths redacted) at the configured level; JSON lines unless `format` says pretty. */
export const createLogger = (
  { logLevel }: Pick<Config, 'logLevel'>,
  { format = 'json', colorize = false }: { format?: 'json' | 'pretty'; colorize?: boolean } = {},
): Logger => {
  const logger = createAppLogger({ format, colorize, ...(logLevel === 'silent' ? {} : { level: logLevel }) });
  if (logLevel === 'silent') logger.level = 'silent';
  return logger;
};

/**
 * The composition root: the one place that turns configuration into a running server, in
 * four steps: open resources (the database, migrated; Redis; the usage recorder), create
 * the engine on them, build the whole app, listen (then start webhook delivery and
 * monitoring, and the gateway when asked).
 *
 * @example const server = await startServer(loadConfig(process.env)); await server.close();
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const closers = createClosers(logger);
  try {
    const resources = await openResources(config, { logger, closers });
    // The engine hands secret keys seen in browsers to the operations, created after it.
    let operations: Operations | null = null;
    const engine = createServerEngine(config, resources, logger, (sighting) =>
      operations?.exposures.push(sighting),
    );
    closers.add('engine', () => engine.close());
    // Webhook delivery and access-pattern detectors: started once listening, stopped first on shutdown.
    const { database, store, metrics } = resources;
    operations = createOperations({ config, database, store, engine, metrics, logger });
    const app = await buildApp(appOptions(config, resources, engine, operations, logger));
    closers.add('app', () => app.close());

    await app.listen({ port: config.port, host: config.host });
    operations.start();
    closers.add('webhooks and monitoring', operations.stop);
    const url = listeningUrl(app, config.host);
    let gatewayUrl: string | null = null;
    if (options.gateway !== undefined) {
      const gateway = await startGatewayBeside(config, { file: options.gateway, engine, resources, logger });
      closers.add('gateway', () => gateway.close());
      gatewayUrl = gateway.url;
    }
    const needsInit = await announce(config, { url, resources, logger });

    let closing: Promise<void> | null = null;
    const serves = (path: string) => app.hasRoute({ method: 'GET', url: path });
    return {
      app,
      url,
      docsUrl: serves('/docs') ? `${url}/docs` : null,
      dashboardUrl: serves('/dashboard/') ? `${url}/dashboard/` : null,
      gatewayUrl,
      database: resources.database.description,
      needsInit,
      close: () => {
        closing ??= closers.closeAll().then(() => {
          logger.info('keyward stopped');
          logger.flush();
        });
        return closing;
      },
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}

const trustProxyOf = (config: Config): boolean | string[] =>
  typeof config.trustProxy === 'boolean' ? config.trustProxy : [...config.trustProxy];

/** Everything `buildApp` serves, from what `startServer` opened. */
function appOptions(
  config: Config,
  resources: Resources,
  engine: Engine,
  operations: Operations,
  logger: Logger,
): AppOptions {
  const rootKeyGuard = createDependencyGuard({ name: 'root key store', timeoutMs: config.storeTimeoutMs });
  return {
    store: withGuardedRootKeyLookup(resources.store, rootKeyGuard),
    engine,
    ...(config.pepper ? { pepper: config.pepper.reveal() } : {}),
    logger,
    trustProxy: trustProxyOf(config),
    readiness: resources.readiness,
    staleWhileErrorMs: config.staleWhileErrorMs,
    rootKeyCacheTtlMs: config.rootKeyCacheTtlMs,
    githubKeys: createGithubKeySource({ url: config.githubScanningKeysUrl }),
    ...(resources.bus ? { bus: resources.bus } : {}),
    monitoring: operations.monitoring,
    webhooks: operations.webhooks,
    usage: resources.database.usage,
    metrics: resources.metrics,
    sessions: {
      stores: resources.database.sessions,
      usage: resources.database.usage,
      idleTimeoutMs: config.sessionIdleMinutes * 60_000,
      maxAgeMs: config.sessionMaxHours * 3_600_000,
      publicUrl: config.publicUrl,
    },
  };
}

/** `keyward serve --gateway <file>`: the gateway on the same engine, reloaded when the file changes. */
async function startGatewayBeside(
  config: Config,
  { file, engine, resources, logger }: { file: string; engine: Engine; resources: Resources; logger: Logger },
) {
  const { startGateway } = await import('./gateway/index.js');
  const gateway = await startGateway({
    file,
    engine,
    usage: resources.usage,
    logger: logger.child({ component: 'gateway' }),
    trustProxy: trustProxyOf(config),
  });
  // startGateway says where it listens.
  return gateway;
}

/**
 * The start-up lines: where it listens, on what, and how to begin when the database is
 * empty. Resolves true when it is (the CLI's banner shows the next command).
 */
async function announce(
  config: Config,
  { url, resources, logger }: { url: string; resources: Resources; logger: Logger },
): Promise<boolean> {
  logger.info(
    {
      url,
      host: config.host,
      database: resources.database.description,
      ...(config.redisUrl ? { redis: describeUrl(config.redisUrl) } : {}),
      peppered: config.pepper !== null,
    },
    `keyward listening on ${url} (dashboard: ${url}/dashboard/, API docs: ${url}/docs)`,
  );
  const needsInit = (await resources.database.store.workspaces.list()).length === 0;
  if (needsInit) {
    logger.info(
      'no workspace yet: run `npm run keyward -- init` (or `npx keyward init`) to create one and get a root key',
    );
  }
  return needsInit;
}

const listeningUrl = (app: FastifyInstance, host: string): string => {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
};
