import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openMigratedDatabase } from '../database.js';
import { type CliIo, printJson } from '../output.js';

/** `keyward migrate`: applies pending migrations to the configured database and exits. */
export function registerMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('apply database migrations (serve and init do it too; use this in deploy pipelines)')
    .action(async (_options: unknown, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      const database = await openMigratedDatabase(loadConfig(io.env));
      await database.close();
      if (json) printJson(io, { migrated: true, database: database.description });
      else io.out(`database is up to date: ${database.description}`);
    });
}
