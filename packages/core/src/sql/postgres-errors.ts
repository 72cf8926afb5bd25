import { errorCode, NETWORK_ERROR_CODES } from '../resilience/unavailable.js';

// Apart from postgres-handle.ts (which imports `pg`), so that the PostgreSQL usage store, and
// with it `@keyward/core/usage`, loads where `pg` is not installed (a SQLite deployment).

/**
 * SQLSTATEs that mean "not now" rather than "wrong": class 08 (connection exception),
 * server shutting down or starting (57P01-57P03), too many connections (53300), read-only
 * during a failover (25006), statement timeout (57014).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300|25006|57014)$/;

/** What node-postgres says when it gives up on a connection (these errors carry no code). */
const POOL_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/** PostgreSQL or pg errors of a database that is down, restarting, overloaded or unreachable. */
export const isPostgresUnavailable = (error: Error): boolean => {
  const code = errorCode(error);
  if (code !== null && (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return POOL_MESSAGES.some((text) => error.message.includes(text));
};
