import type { FastifyInstance } from 'fastify';
import { type GatewayConfig, loadGatewayConfig } from './config.js';
import { buildGateway, type GatewayOptions } from './proxy.js';
import { watchFile } from './watch-file.js';

export interface StartGatewayOptions extends Omit<GatewayOptions, 'config'> {
  /** The routing file (YAML or JSON). */
  file: string;
  /** Reload the file when it changes. Default true. */
  watch?: boolean;
  /** Quiet period before a changed file is reloaded, in ms. Default 200. */
  debounceMs?: number;
  /** Overrides the file's `listen` (e.g. port 0 in tests). */
  listen?: { host?: string; port?: number };
}

export interface RunningGateway {
  readonly app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:8788`. */
  readonly url: string;
  /** The configuration in force. */
  readonly config: GatewayConfig;
  /**
   * Reads and validates the file again and swaps the routes in; requests in flight finish
   * under the old routes. An invalid file throws KeywardError `VALIDATION` (every problem
   * with its line) and the old routes stay.
   */
  reload(): Promise<GatewayConfig>;
  /** Stops watching, then closes the gateway gracefully. */
  close(): Promise<void>;
}

/**
 * Loads the routing file (failing start-up with every problem and its line when it is
 * invalid), builds the gateway, listens, and reloads the file whenever it changes. A bad
 * edit is logged and ignored: the previous routes keep serving.
 *
 * @example const gateway = await startGateway({ file: 'gateway.yaml', engine, logger });
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { file, watch = true, debounceMs = 200, listen, ...rest } = options;
  const gateway = await buildGateway({ ...rest, config: await loadGatewayConfig(file) });
  const { app } = gateway;
  const host = listen?.host ?? gateway.config.listen.host;
  const port = listen?.port ?? gateway.config.listen.port;

  // Reloads run one at a time, in order, so the last write always wins.
  let queue: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<GatewayConfig> => {
    const next = queue.then(async () => {
      const config = await loadGatewayConfig(file);
      if (
        config.listen.host !== gateway.config.listen.host ||
        config.listen.port !== gateway.config.listen.port
      ) {
        app.log.warn({ file }, 'gateway config: a change of "listen" takes effect at the next restart');
      }
      gateway.apply(config);
      app.log.info(
        { file, routes: config.routes.length, upstreams: config.upstreams.length },
        'gateway config reloaded',
      );
      return config;
    });
    queue = next.catch(() => undefined);
    return next;
  };

  try {
    await app.listen({ host, port });
  } catch (error) {
    await gateway.close();
    throw error;
  }
  const stopWatching = watch
    ? watchFile(
        file,
        () =>
          void reload().catch((error: unknown) =>
            app.log.error(
              { file, problem: (error as Error).message },
              'gateway config rejected: keeping the previous routes',
            ),
          ),
        { debounceMs },
      )
    : () => undefined;

  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${actualPort}`;
  app.log.info({ url, file, routes: gateway.config.routes.length }, `keyward gateway listening on ${url}`);

  return {
    app,
    url,
    get config() {
      return gateway.config;
    },
    reload,
    close: async () => {
      stopWatching();
      await queue;
      await gateway.close();
    },
  };
}
