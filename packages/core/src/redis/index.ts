export { withDurableReads } from './durable-reads.js';
export type { RedisCacheBus, RedisCacheBusOptions } from './redis-cache-bus.js';
export { createRedisCacheBus } from './redis-cache-bus.js';
export type { RedisCounterStoreOptions } from './redis-counter-store.js';
export { createRedisCounterStore } from './redis-counter-store.js';
export type { RedisCreditLedgerOptions } from './redis-credit-ledger.js';
export { createRedisCreditLedger } from './redis-credit-ledger.js';
export { isRedisUnavailable } from './redis-errors.js';
