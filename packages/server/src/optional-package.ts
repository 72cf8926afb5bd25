/**
 * Loading the database drivers a deployment picks by configuration. `@keyward/server`
 * lists `pg` and `ioredis` as optional dependencies (an install with `--omit=optional`, or
 * a trimmed image, may leave them out) and loads them only when configured, so a missing
 * one must say which package to install instead of Node's bare `Cannot find package`.
 */

/** The package whose absence made `import()` fail, or null for any other failure. */
export function missingPackageOf(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const { code } = error as { code?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  const match = /Cannot find (?:package|module) '([^']+)'/.exec(error.message);
  if (!match?.[1]) return null;
  // 'pg/lib/x' or '@scope/name/x' name the package 'pg' or '@scope/name'.
  const parts = match[1].split('/');
  return match[1].startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

/** A driver the configuration needs is not installed; its message is the whole answer. */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';
}

/**
 * Runs `load` (an `import()` of a module that needs `name`); when `name` is not installed,
 * fails with a message naming the setting that needs it and the command that installs it.
 * Any other failure (a broken package, a missing different package) passes through as is.
 *
 * @example
 * const { Redis } = await loadOptionalPackage('ioredis', 'KEYWARD_REDIS_URL', () => import('ioredis'));
 */
export async function loadOptionalPackage<T>(
  name: string,
  neededFor: string,
  load: () => Promise<T>,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (missingPackageOf(error) !== name) throw error;
    throw new MissingPackageError(
      `${neededFor} needs the "${name}" package, which is not installed: run \`npm install ${name}\` where keyward is installed (\`npm install -g ${name}\` for a global install)`,
      { cause: error },
    );
  }
}
