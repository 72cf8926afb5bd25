import { type DependencyGuard, isKeywardError, KeywardError, type Store } from '@keyward/core';

/** Socket errors of a database that is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "wrong": class 08 (connection
 * exception), server shutting down or starting (57P01-57P03), too many connections (53300),
 * read-only during a failover (25006), statement timeout (57014).
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[123]|53300|25006|57014)$/;

/** What node-postgres and ioredis say when they give up on a connection (these errors carry no code). */
const DRIVER_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection error and is not queryable',
  "Stream isn't writeable",
  'Connection is closed',
  'Command timed out',
  'Reached the max retries per request limit',
];

const looksUnavailable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code)) return true;
    // SQLite: the file stayed locked past busy_timeout, or the disk failed.
    if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_IOERR')) return true;
  }
  return DRIVER_MESSAGES.some((text) => error.message.includes(text));
};

/** True when `error` (or an error it was caused by) says the database (or Redis) cannot be reached right now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (looksUnavailable(current)) return true;
    current = current.cause;
  }
  return false;
}

const translate = (error: unknown): unknown =>
  !isKeywardError(error) && isDatabaseUnavailable(error)
    ? new KeywardError('UNAVAILABLE', 'a storage dependency is unavailable; retry later', { cause: error })
    : error;

/** Every method of `area` (one store area, a credit ledger) with connection failures turned into UNAVAILABLE. */
export function guardArea<T extends object>(area: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(area)) {
    if (typeof value !== 'function') {
      guarded[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    guarded[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(area, args);
      } catch (error) {
        throw translate(error);
      }
    };
  }
  return guarded as T;
}

/**
 * The store as the HTTP faces see it: a call that fails because the database is down,
 * restarting or overloaded throws `KeywardError('UNAVAILABLE')` (503 problem+json with
 * Retry-After) instead of a raw driver error (500). Every other error passes unchanged.
 * A write that answered 503 was not acknowledged: the client retries it (with its
 * Idempotency-Key for creates).
 *
 * @example const store = withUnavailableErrors(createPostgresStore({ pool }));
 */
export function withUnavailableErrors(store: Store): Store {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value === 'function') {
      const bound = (value as (...args: unknown[]) => unknown).bind(store);
      // ping reports health as is (for /readyz); close is not a request's business.
      guarded[name] = name === 'ping' || name === 'close' ? bound : guardArea({ [name]: bound })[name];
    } else if (typeof value === 'object' && value !== null) guarded[name] = guardArea(value);
    else guarded[name] = value;
  }
  return guarded as unknown as Store;
}

/**
 * The store with its root-key lookup (the first read of every verify API call) under a
 * deadline and circuit breaker, like the engine's own key lookups: a hung database then
 * costs a verify call at most the deadline, after which a root key seen lately is served
 * from the app's cache (see `auth.ts`).
 */
export function withGuardedRootKeyLookup(store: Store, guard: DependencyGuard): Store {
  const { rootKeys } = store;
  return {
    ...store,
    rootKeys: { ...rootKeys, findByDigest: (digest) => guard.run(() => rootKeys.findByDigest(digest)) },
  };
}
