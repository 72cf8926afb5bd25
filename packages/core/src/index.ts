/**
 * The public API of `@keyward/core`: contracts (types), key format, digests, ids, the
 * verification engine, the in-process cache bus, and the pure access-control and limit
 * decisions with the in-memory counters. Store, bus and counter adapters for SQLite,
 * PostgreSQL and Redis are subpath exports (`@keyward/core/sqlite`, `/postgres`, `/redis`),
 * so that importing the engine pulls in no database driver.
 */

export * from './audit/index.js';
export type * from './cache-bus.js';
export {
  type CachedCreditLedgerOptions,
  createCachedCreditLedger,
  type FlushingCreditLedger,
} from './cached-credit-ledger.js';
export * from './circuit-breaker.js';
export type * from './counter-store.js';
export * from './dependency-guard.js';
export * from './digest.js';
export { createEngine } from './engine.js';
export type * from './engine-types.js';
export * from './errors.js';
export * from './ids.js';
export { FOREIGN_KEY_MAX_LENGTH, FOREIGN_KEY_MIN_LENGTH, isPlausibleForeignKey } from './imported-keys.js';
export * from './ip-allow.js';
export * from './key-format.js';
export { createMemoryCacheBus } from './memory-cache-bus.js';
export * from './memory-counter-store.js';
export type * from './model.js';
export * from './permissions.js';
export * from './quota.js';
export * from './rate-limit.js';
export type * from './store.js';
export type * from './usage.js';
export type * from './verify-result.js';
