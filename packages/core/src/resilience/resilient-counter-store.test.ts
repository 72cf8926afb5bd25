import { describe, expect, it } from 'vitest';
import type { AsyncCounterStore, LimitCheck, LimitResult } from '../contracts/counter-store.js';
import { KeywardError } from '../contracts/errors.js';
import { createMemoryCounterStore } from '../memory/memory-counter-store.js';
import { describeCounterStoreConformance } from '../testing/counter-store.conformance.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createResilientCounterStore } from './resilient-counter-store.js';

const check: LimitCheck = {
  counter: 'key:k:rpm',
  config: { name: 'rpm', limit: 60, duration: 60_000, algorithm: 'sliding_window' },
  cost: 1,
};
const healthy: LimitResult = {
  counter: check.counter,
  admitted: true,
  limit: 60,
  remaining: 59,
  reset: 60_000,
  resetAfterMs: 1000,
  retryAfterMs: 0,
};

/** An inner store whose behaviour the test switches; counts the calls that reached it. */
const fakeInner = () => {
  const inner = {
    mode: 'ok' as 'ok' | 'fail' | 'hang' | 'invalid',
    calls: 0,
    pending: [] as ((results: LimitResult[]) => void)[],
    store: {
      kind: 'async',
      consume: async () => {
        inner.calls++;
        if (inner.mode === 'fail') throw new Error('ECONNREFUSED');
        if (inner.mode === 'invalid') throw new KeywardError('VALIDATION', 'bad cost');
        if (inner.mode === 'hang')
          return new Promise<LimitResult[]>((resolve) => inner.pending.push(resolve));
        return [healthy];
      },
      reset: async () => {
        inner.calls++;
        if (inner.mode !== 'ok') throw new Error('ECONNREFUSED');
      },
      close: async () => {},
    } satisfies AsyncCounterStore,
  };
  return inner;
};

const setup = (failMode: 'open' | 'closed', timeoutMs = 1_000) => {
  let now = 1_000;
  const inner = fakeInner();
  const errors: unknown[] = [];
  const states: string[] = [];
  const store = createResilientCounterStore({
    inner: inner.store,
    failMode,
    timeoutMs,
    breaker: { failureThreshold: 3, resetMs: 500 },
    onError: (error) => errors.push(error),
    onStateChange: (state) => states.push(state),
    clock: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  return { store, inner, errors, states, advance };
};

// Healthy, the wrapper is the store it wraps: the whole contract holds through it (fail open and closed alike).
for (const failMode of ['open', 'closed'] as const) {
  describeCounterStoreConformance(`resilient (fail ${failMode}) over memory`, async () => {
    const store = createResilientCounterStore({
      inner: createMemoryCounterStore(),
      failMode,
      timeoutMs: 1_000,
    });
    return { store, cleanup: () => store.close() };
  });
}

describe('createResilientCounterStore', () => {
  it('passes results through while the inner store is healthy', async () => {
    const { store, inner } = setup('open');
    await expect(store.consume([check], 1_000)).resolves.toEqual([healthy]);
    await expect(store.consume([], 1_000)).resolves.toEqual([]);
    expect(inner.calls).toBe(1);
  });

  it('fails open: admits with the full limit, flagged degraded, and reports the error', async () => {
    const { store, inner, errors } = setup('open');
    inner.mode = 'fail';
    await expect(store.consume([check], 5_000)).resolves.toEqual([
      {
        counter: check.counter,
        admitted: true,
        limit: 60,
        remaining: 60,
        reset: 65_000,
        resetAfterMs: 60_000,
        retryAfterMs: 0,
        degraded: true,
      },
    ]);
    expect(errors).toEqual([new Error('ECONNREFUSED')]);
  });

  it('fails closed with UNAVAILABLE', async () => {
    const { store, inner } = setup('closed');
    inner.mode = 'fail';
    const error = await store.consume([check], 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeywardError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: 'rate limiter unavailable' });
  });

  it('treats a call past its deadline as a failure', async () => {
    const { store, inner, errors } = setup('closed', 10);
    inner.mode = 'hang';
    await expect(store.consume([check], 1_000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'TimeoutError' });
    for (const resolve of inner.pending) resolve([healthy]); // the late answer changes nothing
  });

  it('opens after N consecutive failures, stops calling, then closes after one successful trial', async () => {
    const { store, inner, states, advance } = setup('open');
    inner.mode = 'fail';
    for (let i = 0; i < 3; i++) await store.consume([check], 1_000);
    expect(store.circuitState()).toBe('open');
    expect(states).toEqual(['open']);
    const results = await store.consume([check], 1_000);
    expect(results[0]?.degraded).toBe(true);
    expect(inner.calls).toBe(3);

    advance(500);
    expect(store.circuitState()).toBe('half-open');
    inner.mode = 'hang';
    const trial = store.consume([check], 1_000);
    // While the one trial runs, everyone else fails fast without touching the store.
    await expect(store.consume([check], 1_000)).resolves.toMatchObject([{ degraded: true }]);
    expect(inner.calls).toBe(4);
    inner.pending[0]?.([healthy]);
    await expect(trial).resolves.toEqual([healthy]);
    expect(store.circuitState()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    inner.mode = 'ok';
    await expect(store.consume([check], 1_000)).resolves.toEqual([healthy]);
  });

  it('reopens when the trial fails', async () => {
    const { store, inner, states, advance } = setup('closed');
    inner.mode = 'fail';
    for (let i = 0; i < 3; i++) await store.consume([check], 1_000).catch(() => {});
    advance(500);
    await expect(store.consume([check], 1_000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(store.circuitState()).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
    await expect(store.consume([check], 1_000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(inner.calls).toBe(4);
  });

  it('lets the caller’s own errors through without counting them', async () => {
    const { store, inner } = setup('open');
    inner.mode = 'invalid';
    for (let i = 0; i < 5; i++)
      await expect(store.consume([check], 1_000)).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(store.circuitState()).toBe('closed');
  });

  it('a success resets the consecutive-failure count', async () => {
    const { store, inner } = setup('open');
    for (let round = 0; round < 3; round++) {
      inner.mode = 'fail';
      await store.consume([check], 1_000);
      await store.consume([check], 1_000);
      inner.mode = 'ok';
      await store.consume([check], 1_000);
    }
    expect(store.circuitState()).toBe('closed');
  });

  it('reset() fails with UNAVAILABLE in either mode', async () => {
    const { store, inner } = setup('open');
    inner.mode = 'fail';
    await expect(store.reset('key:k:rpm')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('createCircuitBreaker', () => {
  it('ignores the late outcome of a call that started before the circuit opened', () => {
    let now = 0;
    const breaker = createCircuitBreaker(
      { failureThreshold: 2, resetMs: 100 },
      () => now,
      () => {},
    );
    const early = breaker.acquire();
    const a = breaker.acquire();
    const b = breaker.acquire();
    if (early === null || a === null || b === null) throw new Error('closed breaker refused');
    breaker.report(a, 'failure');
    breaker.report(b, 'failure');
    expect(breaker.state()).toBe('open');
    breaker.report(early, 'success');
    expect(breaker.state()).toBe('open');
    expect(breaker.acquire()).toBeNull();
    expect(breaker.retryAfterMs()).toBe(100);
    now = 100;
    expect(breaker.acquire()).toMatchObject({ trial: true });
    expect(breaker.acquire()).toBeNull();
  });

  it('rejects nonsensical options', () => {
    expect(() => createCircuitBreaker({ failureThreshold: 0 }, Date.now, () => {})).toThrow(KeywardError);
    expect(() => createCircuitBreaker({ resetMs: -1 }, Date.now, () => {})).toThrow(KeywardError);
  });
});
