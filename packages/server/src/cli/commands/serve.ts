import type { Command } from 'commander';
import packageJson from '../../../package.json' with { type: 'json' };
import { loadConfig } from '../../config.js';
import { bannerLines, initCommand, resolveLogFormat } from '../banner.js';
import { CliError, describeFailure } from '../cli-error.js';
import type { CliIo } from '../output.js';

/** How long a graceful shutdown may take before the process gives up and exits 1. */
const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * `keyward serve`: starts the server and stops it gracefully on SIGTERM/SIGINT (stop
 * accepting, finish in-flight requests, flush usage, close connections, exit 0). A second
 * signal during shutdown exits at once.
 */
export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the keyward server (configured by KEYWARD_* environment variables)')
    .option(
      '--gateway <file>',
      'also run the gateway with this routing file (YAML or JSON), reloaded on change',
    )
    .action(async (options: { gateway?: string }) => {
      const config = loadConfig(io.env);
      // Loaded on demand: the HTTP commands need none of the server.
      const { createLogger, startServer } = await import('../../start.js');
      const terminal = io.terminal === true;
      const format = resolveLogFormat(config.logFormat, terminal);
      const logger = createLogger(config, { format, colorize: terminal && !io.env.NO_COLOR });
      const server = await startServer(config, {
        logger,
        ...(options.gateway ? { gateway: options.gateway } : {}),
      }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 'EADDRINUSE') {
          throw new CliError(
            `${config.host}:${config.port} is already in use: is keyward running already? (choose another port with KEYWARD_PORT)`,
          );
        }
        throw new CliError(`did not start: ${describeFailure(error)}`, { cause: error });
      });
      // JSON lines stay machine-readable: the banner is for people at a terminal.
      if (format === 'pretty') {
        const next = { init: initCommand(io.env, config), postgres: config.database.kind === 'postgres' };
        for (const line of bannerLines(server, next, packageJson.version)) io.out(line);
      }
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          server.app.log.warn({ signal }, 'second signal: exiting without finishing shutdown');
          process.exit(1);
        }
        stopping = true;
        server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
        const deadline = setTimeout(() => {
          server.app.log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long: exiting');
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS);
        deadline.unref();
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            server.app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
