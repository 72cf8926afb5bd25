/**
 * `@keyward/core/testing/servers`: the part of `@keyward/core/testing` that loads no test
 * framework (the real services, throwaway PostgreSQL databases and Redis servers, the node
 * arguments of spawned processes), for the bench and other plain scripts. The conformance
 * suites, which need vitest, are only in `@keyward/core/testing`.
 */

export * from './key-list-sql.js';
export * from './services.js';
export * from './throwaway-postgres.js';
export * from './throwaway-redis-server.js';
