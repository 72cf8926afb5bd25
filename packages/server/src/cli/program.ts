import { redactSecrets } from '@keyward/sdk';
import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError } from '../config.js';
import { CliError, describeFailure, oneLine } from './cli-error.js';
import { registerAlertCommands } from './commands/alerts.js';
import { registerApiCommands } from './commands/apis.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerConsumerCommands } from './commands/consumers.js';
import { registerInitCommand } from './commands/init.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerRootKeyCommands } from './commands/root-keys.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUsageCommand } from './commands/usage.js';
import { registerWebhookCommands } from './commands/webhooks.js';
import type { CliIo } from './output.js';
import { DEFAULT_URL } from './server-url.js';

/** The `keyward` command tree; every command writes through `io`. */
export function createProgram(io: CliIo): Command {
  const program = new Command('keyward')
    .description('keyward: self-hosted API keys (issue, verify, limit, watch)')
    .version(packageJson.version, '-v, --version')
    .option(
      '--url <url>',
      `server to talk to (default: KEYWARD_URL, else KEYWARD_HOST/KEYWARD_PORT, else ${DEFAULT_URL})`,
    )
    .option('--json', 'print JSON (one document) instead of tables')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
      // Commander's own errors (unknown option, missing argument) become one `keyward:` line too.
      outputError: (text, write) => write(`keyward: ${oneLine(text.replace(/^error: /, ''))}\n`),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    '\nThe HTTP commands read the root key from KEYWARD_ROOT_KEY (never from a flag).\nStart with: keyward init',
  );

  registerServeCommand(program, io);
  registerInitCommand(program, io);
  registerMigrateCommand(program, io);
  registerApiCommands(program, io);
  registerConsumerCommands(program, io);
  registerKeyCommands(program, io);
  registerRoleCommands(program, io);
  registerRootKeyCommands(program, io);
  registerAuditCommands(program, io);
  registerAlertCommands(program, io);
  registerUsageCommand(program, io);
  registerWebhookCommands(program, io);
  return program;
}

/** The same io with every stderr line redacted: an error message may quote a URL or a header. */
const redactedErrors = (io: CliIo): CliIo => ({ ...io, err: (text) => io.err(redactSecrets(text)) });

/** Prints a failure as `keyward: <reason>` lines (redacted) and returns the exit code. */
export function reportFailure(cliIo: CliIo, error: unknown): number {
  const io = redactedErrors(cliIo);
  if (error instanceof CommanderError) return error.exitCode; // commander already printed it
  if (error instanceof ConfigError) {
    for (const problem of error.problems) io.err(`keyward: ${problem}`);
    return 1;
  }
  if (error instanceof CliError) {
    io.err(`keyward: ${oneLine(error.message)}`);
    return error.exitCode;
  }
  io.err(`keyward: ${describeFailure(error) || 'unexpected failure'}`);
  return 1;
}

/**
 * Runs one CLI invocation and resolves with its exit code (`serve` resolves once listening
 * and keeps the process alive until a signal).
 *
 * @example process.exitCode = await runCli(process.argv, io);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(redactedErrors(io)).parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportFailure(io, error);
  }
}
