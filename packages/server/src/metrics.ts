import {
  type CounterStore,
  type Engine,
  isKeywardError,
  type LimitResult,
  type VerifyCode,
} from '@keyward/core';
import type { UsageRecorder } from '@keyward/core/usage';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics on keyward's own registry (never prom-client's global one). Labels
 * hold only fixed vocabularies (outcome codes, operation names, webhook event types):
 * never a key, digest, id or IP, so cardinality stays bounded and no secret leaks.
 */

const CODES: readonly VerifyCode[] = [
  'VALID',
  'NOT_FOUND',
  'DISABLED',
  'EXPIRED',
  'REVOKED',
  'FORBIDDEN_IP',
  'FORBIDDEN_ORIGIN',
  'INSUFFICIENT_PERMISSIONS',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
];
const SLOT = new Map<string, number>(CODES.map((code, i) => [code, i]));

/** Seconds: in-process cache hits take microseconds, store lookups milliseconds. */
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/** What `/metrics` reads at scrape time; set with `watch` once the pieces exist. */
export interface MetricSources {
  usage?: Pick<UsageRecorder, 'depth' | 'dropped' | 'written'>;
  engine?: Pick<Engine, 'stats'>;
}

export interface KeywardMetrics {
  readonly registry: Registry;
  /** Failures of the database: `operation` is `verify`, `usage_write` or `usage_prune`. */
  readonly storeErrors: Counter<'operation'>;
  /** Rate-limit checks that failed or ran degraded because the counter store was unavailable. */
  readonly limiterErrors: Counter;
  /** Webhook delivery attempts by event type (`key.created`, ...) and outcome (`success`, `failure`). */
  readonly webhookDeliveries: Counter<'event' | 'outcome'>;
  /** Counts one verification and its duration (what `instrumentEngine` calls). */
  observeVerification(code: VerifyCode, seconds: number): void;
  /** Exports the usage recorder's buffer and the engine's cache counters from now on. */
  watch(sources: MetricSources): void;
}

export interface MetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/**
 * Verification counts and latencies are plain numbers on the hot path (a prom-client
 * `observe` hashes its labels on every call, costing about a microsecond), turned into a
 * counter and a histogram only when scraped.
 */
function verificationMetrics(registry: Registry) {
  const counts = new Float64Array(CODES.length);
  const sums = new Float64Array(CODES.length);
  const buckets = CODES.map(() => new Float64Array(LATENCY_BUCKETS.length));
  const observe = (code: VerifyCode, seconds: number) => {
    const slot = SLOT.get(code);
    if (slot === undefined) return;
    counts[slot] = (counts[slot] ?? 0) + 1;
    sums[slot] = (sums[slot] ?? 0) + seconds;
    const row = buckets[slot] as Float64Array;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] as number)) {
        row[i] = (row[i] ?? 0) + 1;
        break;
      }
    }
  };
  const total = {
    name: 'keyward_verifications_total',
    help: 'Key verifications by outcome code',
    type: 'counter',
    aggregator: 'sum',
    get: async () => ({
      ...total,
      values: CODES.map((outcome, i) => ({ labels: { outcome }, value: counts[i] ?? 0 })),
    }),
  };
  const latency = {
    name: 'keyward_verification_duration_seconds',
    help: 'Time to verify a key, by outcome code',
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      ...latency,
      values: CODES.flatMap((outcome, slot) => {
        let cumulative = 0;
        const row = buckets[slot] as Float64Array;
        return [
          ...LATENCY_BUCKETS.map((le, i) => {
            cumulative += row[i] ?? 0;
            return { metricName: `${latency.name}_bucket`, labels: { le, outcome }, value: cumulative };
          }),
          { metricName: `${latency.name}_bucket`, labels: { le: '+Inf', outcome }, value: counts[slot] ?? 0 },
          { metricName: `${latency.name}_sum`, labels: { outcome }, value: sums[slot] ?? 0 },
          { metricName: `${latency.name}_count`, labels: { outcome }, value: counts[slot] ?? 0 },
        ];
      }),
    }),
  };
  // prom-client's registry takes any object with a name and an async `get()`.
  registry.registerMetric(total as unknown as Counter);
  registry.registerMetric(latency as unknown as Counter);
  return observe;
}

/** A counter that follows a monotonic total read from elsewhere at scrape time. */
function followingCounter(registry: Registry, name: string, help: string, read: () => number | undefined) {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      if (value === undefined || value < seen) return;
      this.inc(value - seen);
      seen = value;
    },
  });
}

/**
 * keyward's metrics. Serve them with `registerMetrics`; feed them with `instrumentEngine`,
 * `countLimiterErrors`, `watch({ usage, engine })` and the error callbacks.
 *
 * @example
 * const metrics = createMetrics();
 * const engine = instrumentEngine(createEngine({ store, usage }), metrics);
 * metrics.watch({ usage, engine });
 * registerMetrics(app, { metrics });
 */
export function createMetrics(options: MetricsOptions = {}): KeywardMetrics {
  const { processMetrics = true } = options;
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  let sources: MetricSources = {};

  const observeVerification = verificationMetrics(registry);
  followingCounter(
    registry,
    'keyward_key_cache_hits_total',
    'Verifications answered from the key cache',
    () => sources.engine?.stats?.().cacheHits,
  );
  followingCounter(
    registry,
    'keyward_key_cache_misses_total',
    'Verifications that missed the key cache',
    () => sources.engine?.stats?.().cacheMisses,
  );
  new Gauge({
    name: 'keyward_usage_buffer_events',
    help: 'Usage events held in memory, waiting to be written',
    registers: [registry],
    collect() {
      this.set(sources.usage?.depth() ?? 0);
    },
  });
  followingCounter(
    registry,
    'keyward_usage_events_dropped_total',
    'Usage events dropped (buffer full, or lost at shutdown)',
    () => sources.usage?.dropped(),
  );
  followingCounter(
    registry,
    'keyward_usage_events_written_total',
    'Usage events written to the database',
    () => sources.usage?.written(),
  );

  return {
    registry,
    storeErrors: new Counter({
      name: 'keyward_store_errors_total',
      help: 'Database failures by operation',
      labelNames: ['operation'],
      registers: [registry],
    }),
    limiterErrors: new Counter({
      name: 'keyward_limiter_errors_total',
      help: 'Rate-limit checks that failed or ran degraded because the counter store was unavailable',
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'keyward_webhook_deliveries_total',
      help: 'Webhook delivery attempts by event type and outcome',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    observeVerification,
    watch(next) {
      sources = { ...sources, ...next };
    },
  };
}

/** Errors the limiter wrapper already counted, so that the engine wrapper does not count them as store errors. */
const limiterFailures = new WeakSet<object>();

/** Caller mistakes (a malformed permission query) say nothing about the store's health. */
const isCallerError = (error: unknown): boolean =>
  isKeywardError(error) && (error.code === 'VALIDATION' || error.code === 'BAD_REQUEST');

/**
 * The same engine, with every verification counted and timed by outcome; a verification
 * that throws counts as a store error (unless the limiter or the caller caused it).
 */
export function instrumentEngine(engine: Engine, metrics: KeywardMetrics): Engine {
  const instrumented: Engine = {
    async verifyKey(key, options) {
      const started = performance.now();
      try {
        const result = await engine.verifyKey(key, options);
        metrics.observeVerification(result.code, (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        const limiter = typeof error === 'object' && error !== null && limiterFailures.has(error);
        if (!limiter && !isCallerError(error)) metrics.storeErrors.inc({ operation: 'verify' });
        throw error;
      }
    },
    digest: (key) => engine.digest(key),
    invalidate: (message) => engine.invalidate(message),
    close: () => engine.close(),
  };
  const { stats } = engine;
  if (stats !== undefined) instrumented.stats = () => stats.call(engine);
  return instrumented;
}

/**
 * The same counter store (of the same kind: a `sync` store stays synchronous), with its
 * failures and degraded (fail-open) answers counted as limiter errors.
 */
export function countLimiterErrors(counters: CounterStore, metrics: KeywardMetrics): CounterStore {
  const failed = (error: unknown): never => {
    metrics.limiterErrors.inc();
    if (typeof error === 'object' && error !== null) limiterFailures.add(error);
    throw error;
  };
  const counted = (results: LimitResult[]): LimitResult[] => {
    if (results.some((result) => result.degraded === true)) metrics.limiterErrors.inc();
    return results;
  };
  const reset = (counter: string) => counters.reset(counter).catch(failed);
  const close = () => counters.close();
  if (counters.kind === 'sync') {
    return {
      kind: 'sync',
      consume(checks, now) {
        try {
          return counted(counters.consume(checks, now));
        } catch (error) {
          return failed(error);
        }
      },
      reset,
      close,
    };
  }
  return {
    kind: 'async',
    consume: (checks, now) => counters.consume(checks, now).then(counted, failed),
    reset,
    close,
  };
}

/** `GET /metrics` in Prometheus text format; public like `/healthz` (it holds no secret), hidden from the API docs. */
export function registerMetrics(app: FastifyInstance, { metrics }: { metrics: KeywardMetrics }): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
