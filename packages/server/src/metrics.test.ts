import type { CounterStore, Engine, LimitResult, VerifyResult } from '@keyward/core';
import { createMemoryCounterStore, createResilientCounterStore, KeywardError } from '@keyward/core';
import { describeCounterStoreConformance } from '@keyward/core/testing';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLimiterErrors, createMetrics, instrumentEngine } from './metrics.js';
import { createTestApp, type TestApp } from './testing/test-app.js';
import { clientFor, type TestClient } from './testing/test-client.js';

const CANARY_IP = '203.0.113.77';

let t: TestApp;
let asA: TestClient;
let canary: { id: string; key: string; hint: string };

const scrape = async (): Promise<string> => {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.body;
};
const sampleOf = (body: string, series: string): number | undefined => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

beforeAll(async () => {
  t = await createTestApp();
  asA = clientFor(t.app, t.a.rootKey);
  const apiId = (await asA.post('/v1/apis', { name: 'Charging', prefix: 'canary' })).json().id;
  canary = (await asA.post('/v1/keys', { apiId, allowedIps: ['198.51.100.0/24'] })).json();
});
afterAll(async () => {
  await t.close();
});

// The counting wrapper start-up puts around the counters keeps the contract, and the kind.
describeCounterStoreConformance('counted memory store (sync)', async () => {
  const store = countLimiterErrors(createMemoryCounterStore(), createMetrics({ processMetrics: false }));
  return { store, cleanup: () => store.close() };
});
describeCounterStoreConformance('counted resilient store (async)', async () => {
  const inner = createResilientCounterStore({
    inner: createMemoryCounterStore(),
    failMode: 'open',
    timeoutMs: 1_000,
  });
  const store = countLimiterErrors(inner, createMetrics({ processMetrics: false }));
  return { store, cleanup: () => store.close() };
});

describe('/metrics', () => {
  it('counts verifications by outcome code, with a latency histogram', async () => {
    const before = await scrape();
    await asA.post('/v1/keys/verify', { key: canary.key, ip: '198.51.100.1' });
    await asA.post('/v1/keys/verify', { key: canary.key, ip: CANARY_IP });
    // Its last character changed (to another one: a key ending in x stays a different key).
    const other = `${canary.key.slice(0, -1)}${canary.key.at(-1) === 'x' ? 'y' : 'x'}`;
    await asA.post('/v1/keys/verify', { key: other });
    const body = await scrape();
    const delta = (series: string) => (sampleOf(body, series) ?? 0) - (sampleOf(before, series) ?? 0);
    expect(delta('keyward_verifications_total{outcome="VALID"}')).toBe(1);
    expect(delta('keyward_verifications_total{outcome="FORBIDDEN_IP"}')).toBe(1);
    expect(delta('keyward_verifications_total{outcome="NOT_FOUND"}')).toBe(1);
    expect(delta('keyward_verification_duration_seconds_count{outcome="VALID"}')).toBe(1);
    expect(delta('keyward_verification_duration_seconds_bucket{le="+Inf",outcome="VALID"}')).toBe(1);
    expect(body).toMatch(/^# TYPE keyward_verification_duration_seconds histogram$/m);
  });

  it('never carries a key, digest, key id, hint or IP (in a label or anywhere else)', async () => {
    await asA.post('/v1/keys/verify', { key: canary.key, ip: CANARY_IP });
    t.usage.record({
      time: Date.now(),
      workspaceId: t.a.id,
      apiId: null,
      keyId: canary.id,
      consumerId: null,
      code: 'VALID',
      cost: 0,
      ip: CANARY_IP,
      tags: [canary.key],
    });
    const body = await scrape();
    for (const secret of [
      canary.key,
      canary.key.slice(-12),
      t.engine.digest(canary.key),
      canary.id,
      canary.hint,
      CANARY_IP,
      t.a.id,
      t.a.rootKey,
    ]) {
      expect(body.includes(secret), `metrics hold ${secret.slice(0, 6)}…`).toBe(false);
    }
    // Labels come from fixed vocabularies only: outcome codes and histogram bounds here.
    const labels = [...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => ({ name: m[1], value: m[2] ?? '' }));
    expect(labels.length).toBeGreaterThan(0);
    for (const { name, value } of labels) {
      expect(name === 'le' ? /^(\d+(\.\d+)?(e-\d+)?|\+Inf)$/.test(value) : /^[A-Z_]+$/.test(value)).toBe(
        true,
      );
      expect(name).toMatch(/^(outcome|le)$/);
    }
  });

  it("exports the usage buffer's depth, drops and writes", async () => {
    const depth = t.usage.depth();
    const written = (body: string) => sampleOf(body, 'keyward_usage_events_written_total') ?? 0;
    const first = await scrape();
    expect(sampleOf(first, 'keyward_usage_buffer_events')).toBe(depth);
    await t.usage.flush();
    const second = await scrape();
    expect(sampleOf(second, 'keyward_usage_buffer_events')).toBe(0);
    expect(written(second) - written(first)).toBe(depth);
    expect(sampleOf(second, 'keyward_usage_events_dropped_total')).toBe(0);
  });

  it('uses its own registry, not the global one', async () => {
    expect(register.getSingleMetric('keyward_verifications_total')).toBeUndefined();
    expect(t.metrics.registry).not.toBe(register);
  });
});

describe('metric sources', () => {
  const valid = { valid: true, code: 'VALID' } as unknown as VerifyResult;
  const engineWith = (
    verifyKey: Engine['verifyKey'],
    stats?: () => { cacheHits: number; cacheMisses: number },
  ) => {
    const engine: Engine = { verifyKey, digest: () => '', invalidate: async () => {}, close: async () => {} };
    if (stats) engine.stats = stats;
    return engine;
  };

  it("follows the engine's cache counters", async () => {
    const metrics = createMetrics({ processMetrics: false });
    let hits = 5;
    const engine = instrumentEngine(
      engineWith(
        async () => valid,
        () => ({ cacheHits: hits, cacheMisses: 2 }),
      ),
      metrics,
    );
    metrics.watch({ engine });
    const first = await metrics.registry.metrics();
    expect(sampleOf(first, 'keyward_key_cache_hits_total')).toBe(5);
    expect(sampleOf(first, 'keyward_key_cache_misses_total')).toBe(2);
    hits = 9;
    expect(sampleOf(await metrics.registry.metrics(), 'keyward_key_cache_hits_total')).toBe(9);
  });

  it('counts store errors of verification, but not caller mistakes or limiter failures', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const failing = new KeywardError('UNAVAILABLE', 'store down');
    const limiterDown = new KeywardError('UNAVAILABLE', 'counters down');
    const broken: CounterStore = {
      kind: 'async',
      consume: async () => {
        throw limiterDown;
      },
      reset: async () => {},
      close: async () => {},
    };
    const counters = countLimiterErrors(broken, metrics);
    const outcomes: Array<() => Promise<VerifyResult>> = [
      async () => {
        throw failing;
      },
      async () => {
        throw new KeywardError('VALIDATION', 'bad query');
      },
      async () => {
        await counters.consume([], 0);
        return valid;
      },
    ];
    let next = 0;
    const engine = instrumentEngine(
      engineWith(() => (outcomes[next++] as () => Promise<VerifyResult>)()),
      metrics,
    );
    await expect(engine.verifyKey('k')).rejects.toBe(failing);
    await expect(engine.verifyKey('k')).rejects.toMatchObject({ code: 'VALIDATION', message: 'bad query' });
    await expect(engine.verifyKey('k')).rejects.toBe(limiterDown);
    const body = await metrics.registry.metrics();
    expect(sampleOf(body, 'keyward_store_errors_total{operation="verify"}')).toBe(1);
    expect(sampleOf(body, 'keyward_limiter_errors_total')).toBe(1);
  });

  it('counts degraded (fail-open) limiter answers', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const degraded: LimitResult = {
      counter: 'c',
      admitted: true,
      limit: 1,
      remaining: 1,
      reset: 0,
      resetAfterMs: 0,
      retryAfterMs: 0,
      degraded: true,
    };
    const counters = countLimiterErrors(
      { kind: 'async', consume: async () => [degraded], reset: async () => {}, close: async () => {} },
      metrics,
    );
    await expect(counters.consume([], 0)).resolves.toEqual([degraded]);
    metrics.webhookDeliveries.inc({ event: 'key.created', outcome: 'success' });
    const body = await metrics.registry.metrics();
    expect(sampleOf(body, 'keyward_limiter_errors_total')).toBe(1);
    expect(sampleOf(body, 'keyward_webhook_deliveries_total{event="key.created",outcome="success"}')).toBe(1);
  });
});
