import type { ClientHints, VerifyResult } from '@keyward/protocol';
import type { CircuitBreakerOptions, CircuitState } from '../resilience/circuit-breaker.js';
import type { CacheBus } from './cache-bus.js';
import type { CounterStore } from './counter-store.js';
import type { CreditLedger, Store } from './store.js';
import type { UsageSink } from './usage-sink.js';

export interface VerifyOptions {
  /** Only keys of this API are valid; a key of another API answers NOT_FOUND. */
  apiId?: string;
  /**
   * Only keys of this workspace are valid; a key of another workspace answers NOT_FOUND
   * before any limit or credit is touched (the verify API passes the root key's workspace).
   */
  workspaceId?: string;
  /** Permission query such as `sessions:read AND (chargers:read OR admin)`. Malformed → throws KeywardError VALIDATION naming the position. */
  permissions?: string;
  /** Limits to apply with their cost; absent = every limit of the key and its consumer, cost 1. */
  ratelimits?: ReadonlyArray<{ name: string; cost?: number }>;
  /** Credits this verification costs; absent = 1 where the key (or consumer) has credits. */
  credits?: { cost: number };
  /**
   * A permission query evaluated after `permissions` that never denies: a key it would
   * refuse is answered as usual, reporting would-deny INSUFFICIENT_PERMISSIONS (dry run).
   * Malformed → throws KeywardError VALIDATION, like `permissions`.
   */
  dryRunPermissions?: string;
  /** Caller's address, checked against the key's allowed IPs. */
  ip?: string;
  /** Free-form labels recorded with the usage event (e.g. the route). */
  tags?: readonly string[];
  /**
   * Look up keyward-format keys only: a string that fails the format or checksum answers
   * NOT_FOUND without a lookup even when imported (foreign-format) keys exist. For callers
   * verifying on behalf of a throttled client: imported keys can be weak, keyward keys cannot.
   */
  keywardFormatOnly?: boolean;
  /** What the verifying face saw of the HTTP client (headers, never the key). */
  client?: ClientHints;
}

/**
 * A secret key presented by what looks like a browser (`looksLikeBrowser`): the key is in
 * client code. Carries the key's hint, never the key.
 */
export interface ClientExposure {
  time: number;
  workspaceId: string;
  apiId: string;
  keyId: string;
  /** Display hint (`amp_live_Ab3x…9fQ2`). */
  hint: string;
  client: ClientHints;
}

export interface EngineOptions {
  store: Store;
  /** Where credits are spent; default `store.credits`. */
  credits?: CreditLedger;
  /** Rate-limit counters; default: in-memory. */
  counters?: CounterStore;
  /** Cross-node invalidation; default: in-process bus. */
  bus?: CacheBus;
  /** Usage events; default: none recorded. */
  usage?: UsageSink;
  /** Server-side secret; when set, digests are HMAC-SHA-256 keyed with it. */
  pepper?: string;
  /** Cache entry lifetime in ms (positive and negative). Default 30_000. */
  cacheTtlMs?: number;
  /** Maximum cache entries (LRU). Default 100_000. */
  cacheMaxEntries?: number;
  /**
   * While the store FAILS (error, timeout, open circuit), an expired cache entry is still
   * served if it expired less than this many ms ago; never when the store answers. An
   * uncached key is refused (UNAVAILABLE) whatever this is. Default 0: never stale.
   */
  staleWhileErrorMs?: number;
  /** Deadline of each store (and credit ledger) call on the verification path, in ms. Default 1000. */
  storeTimeoutMs?: number;
  /** Circuit breaker of those calls. Default: opens after 5 consecutive failures, one trial per 1000 ms. */
  storeBreaker?: CircuitBreakerOptions;
  /** Told about every breaker transition of the store calls (`open`: the store is failing). Default: ignore. */
  onStoreStateChange?: (state: CircuitState) => void;
  /**
   * Told when publishing an invalidation fails; `invalidate` still resolves (the change is
   * durable and this node's cache is clean; a node that missed the message flushes its
   * whole cache when its bus reconnects, or the entry expires with `cacheTtlMs`). Default: ignore.
   */
  onBusError?: (error: unknown) => void;
  /**
   * Told when a found, live secret key is presented by a browser (see `ClientExposure`),
   * whatever the outcome. Called on the verification path: it must return at once, never
   * throw and do no I/O there (queue the work). Default: ignore.
   */
  onClientExposure?: (sighting: ClientExposure) => void;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface Engine {
  /** Verifies a presented key. Expected outcomes are values; throws only for failures (store down, malformed permission query). */
  verifyKey(key: string, options?: VerifyOptions): Promise<VerifyResult>;
  /** The digest of a presented key under this engine's pepper (for admin code that stores keys). */
  digest(key: string): string;
  /**
   * Drops cache entries and tells every node (call after every change to a key, role,
   * consumer or API). A failed publish goes to `onBusError` and does not reject.
   */
  invalidate(message: import('./cache-bus.js').InvalidationMessage): Promise<void>;
  close(): Promise<void>;
  /**
   * Counters since the engine was created, read by `/metrics` at scrape time. Optional:
   * an engine (or wrapper) that does not count omits it.
   */
  stats?(): EngineStats;
}

/** What `Engine.stats` reports. */
export interface EngineStats {
  /** Verifications whose digest was found in the cache (a positive or a negative entry). */
  cacheHits: number;
  /** Verifications whose digest was not in the cache (looked up in the store, or waiting on a lookup in flight). */
  cacheMisses: number;
}
