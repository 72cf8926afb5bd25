import { type Config, describeUrl } from '../config.js';
import { type OpenDatabase, openDatabase } from '../start-dependencies.js';
import { CliError, rootCause } from './cli-error.js';

/** Where the configured database is, without credentials (the URL's password never shows). */
export const databaseDescription = (config: Pick<Config, 'database'>): string =>
  config.database.kind === 'postgres' ? describeUrl(config.database.url) : `sqlite ${config.database.path}`;

/**
 * Opens the configured database and brings its schema up to date, for the commands that
 * work on the database directly (`init`, `migrate`). A failure is one line naming the
 * database and the cause: `cannot use postgres://db:5432/keyward: database "keyward" does
 * not exist`, `...: connection refused`, `...: password authentication failed for user "x"`.
 */
export async function openMigratedDatabase(config: Config): Promise<OpenDatabase> {
  const where = databaseDescription(config);
  const fail = (error: unknown): never => {
    throw new CliError(`cannot use ${where}: ${rootCause(error) || 'unknown error'}`, { cause: error });
  };
  const database = await openDatabase(config).catch(fail);
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => {});
    fail(error);
  }
  return database;
}
