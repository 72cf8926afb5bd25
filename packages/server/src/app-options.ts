import {
  type CacheBus,
  createDigester,
  type Digester,
  type Engine,
  KeywardError,
  type Store,
} from '@keyward/core';
import type { UsageEventStore } from '@keyward/core/usage';
import type { FailureThrottleOptions } from '@keyward/sdk';
import type { Logger } from 'pino';
import type { KeywardMetrics } from './metrics.js';
import { createGithubKeySource, type GithubKeySource } from './secret-scanning/github-keys.js';
import type { ServiceDeps, WebhookOutbox } from './services/context.js';
import {
  type ResolvedSessionOptions,
  resolveSessionOptions,
  type SessionOptions,
} from './sessions/session-options.js';

/** Options of `buildApp`. Defaults apply by destructuring; the resolved object is frozen. */
export interface AppOptions {
  /** Persistence of every resource (required). */
  store: Store;
  /** The verification engine, created on the same store (required). */
  engine: Engine;
  /**
   * The pepper the engine was created with; default none. Needed to import keys by SHA-256
   * digest; `buildApp` refuses a pepper that disagrees with the engine's digests.
   */
  pepper?: string;
  /** `false` (default): no logs; `true`: JSON logs on stdout (`createAppLogger()`); or a pino logger. */
  logger?: boolean | Logger;
  /** Largest request body in bytes; default 1 MiB. Larger bodies answer 413. */
  bodyLimit?: number;
  /**
   * Which proxies to trust for the client address (Fastify's `trustProxy`): default `false`,
   * so `request.ip` is the socket's peer and `X-Forwarded-For` is ignored.
   */
  trustProxy?: boolean | string | string[];
  /** Dependency probes for `/readyz`; default: `store.ping()` reported as `database`. */
  readiness?: () => Promise<Record<string, 'up' | 'down'>>;
  /** Clock in epoch ms (timestamps, roll grace periods); default `Date.now`. Give the engine the same one. */
  now?: () => number;
  /** Throttling of clients presenting invalid root keys; default `createFailureThrottle()`'s defaults. */
  throttle?: FailureThrottleOptions;
  /** How long a root-key lookup (found or not) is cached, ms; default 5_000; 0 disables the cache. */
  rootKeyCacheTtlMs?: number;
  /**
   * While the database fails, a cached root-key lookup keeps answering until it is this
   * much past its TTL (give the engine's `staleWhileErrorMs`); default 0.
   */
  staleWhileErrorMs?: number;
  /** Serve the Swagger UI at `/docs`; default true (`/openapi.json` is always served). */
  docs?: boolean;
  /** Alert and policy stores (`createMonitoringStores`); default none: `/v1/alerts` and `/v1/workspace/policy` are not served. */
  monitoring?: NonNullable<ServiceDeps['monitoring']>;
  /** The webhook outbox; default none: `/v1/webhooks` is not served and key changes queue no events. */
  webhooks?: WebhookOutbox;
  /** The dashboard and the customer portal (`sessions/session-options.ts`); default none: neither is served. */
  sessions?: SessionOptions;
  /** The usage events the engine's recorder writes; default none: `/v1/usage` and `/v1/keys/:id/usage` are not served. */
  usage?: UsageEventStore;
  /** The Prometheus registry (`createMetrics`); default none: `/metrics` is not served. */
  metrics?: KeywardMetrics;
  /**
   * Where GitHub's secret-scanning signing keys come from (`createGithubKeySource`); default
   * GitHub's list (`KEYWARD_GITHUB_SCANNING_KEYS_URL` at start-up), fetched on first use.
   */
  githubKeys?: GithubKeySource;
  /**
   * The cache bus the engine uses (give the same one): root-key rolls and revokes are
   * published on it and every node's root-key cache listens. Default none: this process
   * forgets its own entries only (enough for one process).
   */
  bus?: CacheBus;
}

export interface ResolvedAppOptions {
  readonly store: Store;
  readonly engine: Engine;
  readonly digester: Digester;
  readonly logger: boolean | Logger;
  readonly bodyLimit: number;
  readonly trustProxy: boolean | string | string[];
  readonly readiness: () => Promise<Record<string, 'up' | 'down'>>;
  readonly now: () => number;
  readonly throttle: FailureThrottleOptions;
  readonly rootKeyCacheTtlMs: number;
  readonly staleWhileErrorMs: number;
  readonly docs: boolean;
  readonly monitoring: NonNullable<ServiceDeps['monitoring']> | null;
  readonly webhooks: WebhookOutbox | null;
  readonly sessions: ResolvedSessionOptions | null;
  readonly usage: UsageEventStore | null;
  readonly metrics: KeywardMetrics | null;
  readonly bus: CacheBus | null;
  readonly githubKeys: GithubKeySource;
}

const PROBE = 'keyward pepper probe';

/** Applies defaults and checks the options once; never mutates the caller's object. */
export function resolveAppOptions(options: AppOptions): ResolvedAppOptions {
  const {
    store,
    engine,
    pepper,
    logger = false,
    bodyLimit = 1024 * 1024,
    trustProxy = false,
    readiness,
    now = Date.now,
    throttle = {},
    rootKeyCacheTtlMs = 5_000,
    staleWhileErrorMs = 0,
    docs = true,
    monitoring = null,
    webhooks = null,
    sessions,
    usage = null,
    metrics = null,
    bus = null,
  } = options;
  const githubKeys = options.githubKeys ?? createGithubKeySource({ now });
  const digester = createDigester(pepper === undefined ? {} : { pepper });
  if (digester.digest(PROBE) !== engine.digest(PROBE)) {
    throw new KeywardError('VALIDATION', 'AppOptions.pepper must be the pepper the engine was created with', {
      field: 'pepper',
    });
  }
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 1024) {
    throw new KeywardError('VALIDATION', 'AppOptions.bodyLimit must be an integer of at least 1024', {
      field: 'bodyLimit',
    });
  }
  if (!Number.isSafeInteger(rootKeyCacheTtlMs) || rootKeyCacheTtlMs < 0) {
    throw new KeywardError('VALIDATION', 'AppOptions.rootKeyCacheTtlMs must be a non-negative integer', {
      field: 'rootKeyCacheTtlMs',
    });
  }
  if (!Number.isSafeInteger(staleWhileErrorMs) || staleWhileErrorMs < 0) {
    throw new KeywardError('VALIDATION', 'AppOptions.staleWhileErrorMs must be a non-negative integer', {
      field: 'staleWhileErrorMs',
    });
  }
  const probeStore = async (): Promise<Record<string, 'up' | 'down'>> => {
    try {
      await store.ping();
      return { database: 'up' };
    } catch {
      return { database: 'down' };
    }
  };
  return Object.freeze({
    store,
    engine,
    digester,
    logger,
    bodyLimit,
    trustProxy: Array.isArray(trustProxy) ? [...trustProxy] : trustProxy,
    readiness: readiness ?? probeStore,
    now,
    throttle: Object.freeze({ ...throttle }),
    rootKeyCacheTtlMs,
    staleWhileErrorMs,
    docs,
    monitoring,
    webhooks,
    sessions: sessions === undefined ? null : resolveSessionOptions(sessions),
    usage,
    metrics,
    bus,
    githubKeys,
  });
}
