/**
 * `@keyward/core/testing`: what keyward's own tests share across packages: the real
 * services they run against (PostgreSQL, Redis), throwaway databases and servers, and the
 * conformance suite of each interface, run against every implementation. Resolvable only
 * inside the repository (the `@keyward/source` condition): never part of a published package.
 */
export * from './alert-store.conformance.js';
export * from './cache-bus.conformance.js';
export * from './counter-store.conformance.js';
export * from './key-list-sql.js';
export * from './migrated-postgres.js';
export * from './redis-prefix.js';
export * from './servers.js';
export * from './store.conformance.js';
export * from './usage-store.conformance.js';
export * from './webhook-store.conformance.js';
