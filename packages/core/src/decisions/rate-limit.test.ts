import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LimitCheck } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import { type CounterState, decide, decideAll, stateExpiresAt } from './rate-limit.js';

const sliding = (limit: number, duration: number): RateLimitConfig => ({
  name: 'l',
  limit,
  duration,
  algorithm: 'sliding_window',
});
const bucket = (limit: number, duration: number): RateLimitConfig => ({
  name: 'b',
  limit,
  duration,
  algorithm: 'token_bucket',
});

/** Runs costs at times through one counter, returning every decision. */
const run = (config: RateLimitConfig, steps: ReadonlyArray<{ at: number; cost: number }>) => {
  let state: CounterState | null = null;
  return steps.map(({ at, cost }) => {
    const d = decide(config, state, cost, at);
    state = d.state;
    return { at, cost, ...d };
  });
};

describe('sliding window', () => {
  const T = 1024 * 1000; // a window start

  it('admits up to the limit in a window and reports remaining/reset', () => {
    const results = run(
      sliding(3, 1024),
      [0, 1, 2, 3].map((i) => ({ at: T + i, cost: 1 })),
    );
    // With units left, reset is when the limit is whole again (the charges weigh on the next
    // window too); with none left, when one unit fits again: 3 · (1 - 342/1024) + 1 <= 3.
    expect(results.map((r) => [r.admitted, r.remaining, r.reset])).toEqual([
      [true, 2, T + 2048],
      [true, 1, T + 2048],
      [true, 0, T + 1366],
      [false, 0, T + 1366],
    ]);
    expect(results[3]?.retryAfterMs).toBe(1366 - 3);
  });

  it('weights the previous window by the part still overlapping', () => {
    const config = sliding(8, 1024);
    let state: CounterState | null = null;
    for (let i = 0; i < 8; i++) state = decide(config, state, 1, T + i).state;
    // Next window, 1/8 elapsed: estimate = 8 * 7/8 = 7, so exactly one more unit fits.
    expect(decide(config, state, 1, T + 1024 + 127).admitted).toBe(false);
    const at128 = decide(config, state, 1, T + 1024 + 128);
    // Nothing left: the next unit fits when 8 · (1 - e/1024) + 1 <= 7, at e = 256.
    expect(at128).toMatchObject({ admitted: true, remaining: 0, reset: T + 1024 + 256 });
    expect(decide(config, at128.state, 1, T + 1024 + 128).admitted).toBe(false);
    // Two windows later everything is forgotten.
    expect(decide(config, state, 8, T + 2048).admitted).toBe(true);
  });

  it('computes retryAfterMs as the earliest admitting time', () => {
    const config = sliding(8, 1024);
    let state: CounterState | null = null;
    for (let i = 0; i < 8; i++) state = decide(config, state, 1, T).state;
    const denied = decide(config, state, 1, T + 10);
    expect(denied).toMatchObject({ admitted: false, retryAfterMs: 1024 - 10 + 128 });
    expect(decide(config, state, 9, T).retryAfterMs).toBe(2048);
  });

  it('treats a clock behind the stored window as that window’s start', () => {
    const config = sliding(2, 1024);
    const first = decide(config, null, 2, T + 1024);
    const behind = decide(config, first.state, 1, T + 1000);
    expect(behind).toMatchObject({ admitted: false, reset: T + 2560, retryAfterMs: 2560 - 1000 });
  });

  it('starts over when the duration changes', () => {
    const first = decide(sliding(2, 1024), null, 2, T);
    expect(decide(sliding(2, 2048), first.state, 2, T).admitted).toBe(true);
  });

  it('expires state two windows after its window', () => {
    const d = decide(sliding(2, 1024), null, 1, T + 5);
    expect(stateExpiresAt(sliding(2, 1024), d.state)).toBe(T + 2048);
  });
});

describe('token bucket', () => {
  it('refills continuously and reports when it is full', () => {
    const config = bucket(10, 1000);
    const drained = decide(config, null, 10, 5000);
    // Empty: reset is the next token (a tenth of the duration), not the full bucket.
    expect(drained).toMatchObject({ admitted: true, remaining: 0, reset: 5100 });
    expect(decide(config, drained.state, 1, 5099)).toMatchObject({ admitted: false, retryAfterMs: 1 });
    expect(decide(config, drained.state, 1, 5100)).toMatchObject({
      admitted: true,
      remaining: 0,
      reset: 5200,
    });
    expect(decide(config, drained.state, 0, 5550)).toMatchObject({ remaining: 5, reset: 6000 });
    expect(decide(config, drained.state, 0, 5550)).toMatchObject({ admitted: true, remaining: 5 });
    expect(decide(config, drained.state, 10, 9000)).toMatchObject({ admitted: true, remaining: 0 });
    expect(stateExpiresAt(config, drained.state)).toBe(6000);
  });

  it('never refills above capacity', () => {
    const config = bucket(5, 1000);
    const d = decide(config, decide(config, null, 1, 0).state, 0, 1_000_000);
    expect(d.remaining).toBe(5);
  });
});

describe('decide', () => {
  it('admits cost 0 even when exhausted, without consuming', () => {
    for (const config of [sliding(1, 1000), bucket(1, 1000)]) {
      const exhausted = decide(config, null, 1, 0).state;
      const read = decide(config, exhausted, 0, 1);
      expect(read).toMatchObject({ admitted: true, remaining: 0, retryAfterMs: 0 });
      expect(read.state).toEqual(decide(config, exhausted, 0, 1).state);
    }
  });

  it('rejects a negative or fractional cost', () => {
    for (const cost of [-1, 0.5, Number.NaN]) {
      expect(() => decide(sliding(1, 1000), null, cost, 0)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          field: 'cost',
          message: 'ratelimit cost must be a non-negative integer',
        }),
      );
    }
  });

  it('rejects a config it cannot decide', () => {
    for (const config of [
      sliding(1, 0),
      sliding(-1, 1000),
      bucket(1.5, 1000),
      bucket(1, Number.POSITIVE_INFINITY),
    ]) {
      expect(() => decide(config, null, 1, 0)).toThrow(
        expect.objectContaining({
          code: 'VALIDATION',
          field: 'ratelimits',
          message: `ratelimit "${config.name}" needs an integer limit >= 0 and duration >= 1`,
        }),
      );
    }
    expect(decide(sliding(0, 1000), null, 1, 0)).toMatchObject({
      admitted: false,
      remaining: 0,
      retryAfterMs: 2000,
    });
  });
});

describe('decideAll', () => {
  const check = (counter: string, config: RateLimitConfig, cost = 1): LimitCheck => ({
    counter,
    config,
    cost,
  });

  it('charges every limit or none', () => {
    const checks = [check('a', sliding(5, 1000)), check('b', sliding(1, 1000))];
    const first = decideAll(checks, new Map(), 0);
    expect(first.admitted).toBe(true);
    expect([...first.writes.keys()]).toEqual(['a', 'b']);
    const second = decideAll(checks, first.writes, 1);
    expect(second.admitted).toBe(false);
    expect(second.writes.size).toBe(0);
    expect(second.results).toEqual([
      {
        counter: 'a',
        admitted: true,
        limit: 5,
        remaining: 4,
        reset: 2000,
        resetAfterMs: 1999,
        retryAfterMs: 0,
      },
      {
        counter: 'b',
        admitted: false,
        limit: 1,
        remaining: 0,
        reset: 1 + 1999,
        resetAfterMs: 1999,
        retryAfterMs: 1999,
      },
    ]);
  });

  it('lets a counter named twice see its own earlier charge', () => {
    const d = decideAll([check('a', sliding(3, 1000), 2), check('a', sliding(3, 1000), 2)], new Map(), 0);
    expect(d.admitted).toBe(false);
    expect(d.results.map((r) => r.admitted)).toEqual([true, false]);
  });

  it('admits an empty list', () => {
    expect(decideAll([], new Map(), 0)).toEqual({ admitted: true, results: [], writes: new Map() });
  });
});

// ---- properties ----

const stepsArb = fc.array(
  fc.record({ dt: fc.integer({ min: 0, max: 400 }), cost: fc.integer({ min: 0, max: 4 }) }),
  { minLength: 1, maxLength: 150 },
);
const configArb = (algorithm: RateLimitConfig['algorithm']) =>
  fc.record({
    name: fc.constant('p'),
    limit: fc.integer({ min: 1, max: 12 }),
    duration: fc.integer({ min: 1, max: 2000 }),
    algorithm: fc.constant(algorithm),
  });
const timed = (start: number, steps: ReadonlyArray<{ dt: number; cost: number }>) => {
  let at = start;
  return steps.map(({ dt, cost }) => {
    at += dt;
    return { at, cost };
  });
};
const startArb = fc.integer({ min: 0, max: 2 ** 41 });

describe('sliding_window remaining', () => {
  it('is what the next decision admits, also where the weighted estimate rounds (found by the property below)', () => {
    // 529 ms into a 1587 ms window after a full one: the estimate is 9 × (1 − 1/3), which is
    // 6.000000000000001 in doubles; 3 more fit (6.000000000000001 + 3 rounds to 9).
    const config: RateLimitConfig = { name: 'p', limit: 9, duration: 1587, algorithm: 'sliding_window' };
    const window = 837_080_091;
    const full = decide(config, null, 9, window * 1587 + 1000);
    const at = (window + 1) * 1587 + 529;
    const d = decide(config, full.state, 0, at);
    expect(d.remaining).toBe(3);
    expect(decide(config, d.state, 3, at).admitted).toBe(true);
    expect(decide(config, d.state, 4, at).admitted).toBe(false);
    const spent = decide(config, d.state, 1, at);
    expect(spent.remaining).toBe(2);
    expect(decide(config, spent.state, 2, at).admitted).toBe(true);
    expect(decide(config, spent.state, 3, at).admitted).toBe(false);
  });
});

describe('rate-limit properties', () => {
  it('sliding window never admits more than the limit within a fixed window', () => {
    fc.assert(
      fc.property(configArb('sliding_window'), startArb, stepsArb, (config, start, steps) => {
        const perWindow = new Map<number, number>();
        for (const r of run(config, timed(start, steps))) {
          if (!r.admitted) continue;
          const w = Math.floor(r.at / config.duration);
          perWindow.set(w, (perWindow.get(w) ?? 0) + r.cost);
          expect(perWindow.get(w)).toBeLessThanOrEqual(config.limit);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('token bucket never admits more than capacity + rate × elapsed', () => {
    fc.assert(
      fc.property(configArb('token_bucket'), startArb, stepsArb, (config, start, steps) => {
        const admitted = run(config, timed(start, steps)).filter((r) => r.admitted);
        for (let i = 0; i < admitted.length; i++) {
          let sum = 0;
          for (let j = i; j < admitted.length; j++) {
            const a = admitted[j] as (typeof admitted)[number];
            sum += a.cost;
            const elapsed = a.at - (admitted[i] as (typeof admitted)[number]).at;
            expect(sum).toBeLessThanOrEqual(config.limit + (config.limit / config.duration) * elapsed + 1e-9);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  for (const algorithm of ['sliding_window', 'token_bucket'] as const) {
    it(`${algorithm}: remaining is exact, never negative, and decisions are deterministic`, () => {
      fc.assert(
        fc.property(configArb(algorithm), startArb, stepsArb, (config, start, steps) => {
          let state: CounterState | null = null;
          for (const { at, cost } of timed(start, steps)) {
            const d = decide(config, state, cost, at);
            expect(decide(config, state, cost, at)).toEqual(d);
            expect(Number.isInteger(d.remaining) && d.remaining >= 0).toBe(true);
            expect(decide(config, d.state, d.remaining, at).admitted).toBe(true);
            expect(decide(config, d.state, d.remaining + 1, at).admitted).toBe(false);
            expect(d.reset).toBeGreaterThanOrEqual(at);
            state = d.state;
          }
        }),
        { numRuns: 500 },
      );
    });

    it(`${algorithm}: retryAfterMs is the earliest time the same cost is admitted`, () => {
      fc.assert(
        fc.property(configArb(algorithm), startArb, stepsArb, (config, start, steps) => {
          let state: CounterState | null = null;
          for (const { at, cost } of timed(start, steps)) {
            const d = decide(config, state, cost, at);
            if (!d.admitted) {
              expect(d.retryAfterMs).toBeGreaterThan(0);
              expect(d.retryAfterMs).toBeLessThanOrEqual(2 * config.duration);
              if (cost <= config.limit) {
                expect(decide(config, d.state, cost, at + d.retryAfterMs).admitted).toBe(true);
                expect(decide(config, d.state, cost, at + d.retryAfterMs - 1).admitted).toBe(false);
              }
            }
            state = d.state;
          }
        }),
        { numRuns: 500 },
      );
    });

    it(`${algorithm}: reset tells the truth (issue 10): the next unit when none is left, else a whole limit`, () => {
      fc.assert(
        fc.property(configArb(algorithm), startArb, stepsArb, (config, start, steps) => {
          let state: CounterState | null = null;
          for (const { at, cost } of timed(start, steps)) {
            const d = decide(config, state, cost, at);
            if (d.remaining === 0) {
              // Exactly when one more unit is admitted: not a millisecond earlier.
              expect(decide(config, d.state, 1, d.reset).admitted).toBe(true);
              if (d.reset - 1 > at) expect(decide(config, d.state, 1, d.reset - 1).admitted).toBe(false);
            } else {
              expect(decide(config, d.state, 0, d.reset).remaining).toBe(config.limit);
              if (d.reset - 1 > at)
                expect(decide(config, d.state, 0, d.reset - 1).remaining).toBeLessThan(config.limit);
            }
            state = d.state;
          }
        }),
        { numRuns: 500 },
      );
    });

    it(`${algorithm}: a state past stateExpiresAt behaves like no state`, () => {
      fc.assert(
        fc.property(configArb(algorithm), startArb, stepsArb, fc.nat(5000), (config, start, steps, extra) => {
          let state: CounterState | null = null;
          for (const { at, cost } of timed(start, steps)) state = decide(config, state, cost, at).state;
          if (state === null) return;
          const later = Math.max(stateExpiresAt(config, state), start) + extra;
          const { state: _a, ...fromState } = decide(config, state, 1, later);
          const { state: _b, ...fresh } = decide(config, null, 1, later);
          expect(fromState).toEqual(fresh);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('decideAll admits exactly when each check admits in sequence, and only then writes', () => {
    const checkArb = fc.record({
      counter: fc.constantFrom('x', 'y', 'z'),
      config: fc.oneof(configArb('sliding_window'), configArb('token_bucket')),
      cost: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(checkArb, { maxLength: 4 }), startArb, (rawChecks, now) => {
        // One config per counter, as the engine guarantees.
        const configs = new Map(rawChecks.map((c) => [c.counter, c.config]));
        const checks = rawChecks.map((c) => ({ ...c, config: configs.get(c.counter) as RateLimitConfig }));
        const warm = decideAll(
          checks.map((c) => ({ ...c, cost: 1 })),
          new Map(),
          now,
        );
        const d = decideAll(checks, warm.writes, now + 1);
        const sequential = new Map(warm.writes);
        const each = checks.map((c) => {
          const one = decide(c.config, sequential.get(c.counter) ?? null, c.cost, now + 1);
          if (one.admitted && c.cost > 0) sequential.set(c.counter, one.state);
          return one.admitted;
        });
        expect(d.admitted).toBe(each.every(Boolean));
        expect(d.results.map((r) => r.counter)).toEqual(checks.map((c) => c.counter));
        if (!d.admitted) expect(d.writes.size).toBe(0);
        for (const r of d.results) {
          expect(r.resetAfterMs).toBe(Math.max(0, r.reset - (now + 1)));
          // A check that denied resets when its cost fits again: what Retry-After says.
          if (!r.admitted) expect(r.reset).toBe(now + 1 + r.retryAfterMs);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a denied batch of distinct counters is admitted at its latest retry, not a millisecond before', () => {
    const checkArb = fc.record({
      config: fc.oneof(configArb('sliding_window'), configArb('token_bucket')),
      cost: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(checkArb, { minLength: 1, maxLength: 3 }),
        startArb,
        stepsArb,
        (raw, start, steps) => {
          const checks = raw
            .filter((c) => c.cost <= c.config.limit)
            .map((c, i) => ({ counter: `c${i}`, config: c.config, cost: c.cost }));
          const states = new Map<string, CounterState>();
          for (const { at, cost } of timed(start, steps)) {
            const d = decideAll(
              checks.map((c) => ({ ...c, cost })),
              states,
              at,
            );
            for (const [counter, state] of d.writes) states.set(counter, state);
          }
          const now = start + steps.reduce((sum, s) => sum + s.dt, 0) + 1;
          const d = decideAll(checks, states, now);
          if (d.admitted) return;
          const retry = Math.max(...d.results.map((r) => r.retryAfterMs));
          expect(decideAll(checks, states, now + retry).admitted).toBe(true);
          expect(decideAll(checks, states, now + retry - 1).admitted).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
