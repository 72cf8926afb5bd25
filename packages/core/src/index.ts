/**
 * The public API of `@keyward/core`: contracts (types), key format, digests, ids, the
 * verification engine, the in-process cache bus, and the pure access-control and limit
 * decisions with the in-memory counters. Store, bus and counter adapters for SQLite,
 * PostgreSQL and Redis are subpath exports (`@keyward/core/sqlite`, `/postgres`, `/redis`),
 * so that importing the engine pulls in no database driver.
 */

export type {
  CreditState,
  DenialCode,
  RateLimitState,
  VerifiedConsumer,
  VerifiedIdentity,
  VerifyCode,
  VerifyDenied,
  VerifyResult,
  VerifyValid,
} from '@keyward/protocol';
// The hash-chained audit log.
export * from './audit/index.js';
// Contracts: the records, the interfaces every adapter implements, the one error class.
export type * from './contracts/cache-bus.js';
export type * from './contracts/counter-store.js';
export type * from './contracts/engine.js';
export * from './contracts/errors.js';
export type * from './contracts/lifetime-policy.js';
export type * from './contracts/model.js';
export type * from './contracts/store.js';
export type * from './contracts/usage-sink.js';
// Pure decisions: permission queries, rate limits, quota refills, IP allow-lists.
export * from './decisions/ip-allow.js';
export * from './decisions/lifetime.js';
export * from './decisions/permissions.js';
export * from './decisions/quota.js';
export * from './decisions/rate-limit.js';
// Child keys: the pure mint decision and the policy defaults.
export * from './engine/child-keys.js';
// The verification engine.
export { createEngine } from './engine/engine.js';
// Key material: format and checksum, digests, ids, imported (foreign-format) keys.
export * from './keys/digest.js';
export * from './keys/ids.js';
export {
  FOREIGN_KEY_MAX_LENGTH,
  FOREIGN_KEY_MIN_LENGTH,
  isPlausibleForeignKey,
} from './keys/imported-keys.js';
export * from './keys/key-format.js';
// In-memory adapters: the one-process cache bus, counters and write-behind credits.
export {
  type CachedCreditLedgerOptions,
  createCachedCreditLedger,
  type FlushingCreditLedger,
} from './memory/cached-credit-ledger.js';
export { createMemoryCacheBus } from './memory/memory-cache-bus.js';
export * from './memory/memory-counter-store.js';
// Resilience: deadlines and circuit breakers around dependencies.
export * from './resilience/circuit-breaker.js';
export * from './resilience/dependency-guard.js';
export type {
  ResilientCounterStore,
  ResilientCounterStoreOptions,
} from './resilience/resilient-counter-store.js';
export { createResilientCounterStore } from './resilience/resilient-counter-store.js';
