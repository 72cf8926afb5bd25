import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Tests that need PostgreSQL or Redis call these. Outside CI a missing service makes the
 * suite skip with a line saying why and how to run it; with CI=true it fails instead.
 */
export const POSTGRES_URL =
  process.env.KEYWARD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.KEYWARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const reachable = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });

/** Resolves true when the service answers; false (with a printed reason) when it is missing outside CI; throws in CI. */
export async function serviceAvailable(name: 'postgres' | 'redis'): Promise<boolean> {
  const url = name === 'postgres' ? POSTGRES_URL : REDIS_URL;
  if (await reachable(url)) return true;
  const why = `${name} is not reachable at ${new URL(url).host}`;
  if (process.env.CI === 'true') throw new Error(`${why}; CI requires it (see ../shared/services.md)`);
  console.warn(`SKIPPED: ${why}. Start it (../shared/services.md) to run these tests.`);
  return false;
}

/** A unique name for a throwaway database or key namespace. */
export const uniqueName = (stem: string): string => `${stem}_${randomBytes(6).toString('hex')}`;

/**
 * Node.js arguments that run a repository `.ts` file from source, as the tests do: the
 * `@keyward/source` export condition (each `@keyward/*` package resolves its `src/`) and
 * tsx to strip the types. Prepend them to a spawned script's path.
 */
export const SOURCE_NODE_ARGS: readonly string[] = Object.freeze([
  '--conditions=@keyward/source',
  '--import',
  'tsx',
]);
