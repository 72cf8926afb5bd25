import { type CounterState, decideAll, type LimitCheck, type RateLimitConfig } from '@keyward/core';
import type { RateLimitState, VerifiedIdentity } from '@keyward/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerFor } from './answers.js';

/**
 * Issue 10, defect 9: a 3-per-minute limit answered `RateLimit: "requests";r=0;t=59` with
 * `Retry-After: 79`, and admitted the key again only after ~79 s. The rule, checked here
 * end to end from the pure decisions (core's `decideAll`) through the header builder
 * (`answerFor`): every `RateLimit` header agrees with `Retry-After` and with when the
 * request is admitted again, whatever the local clock says at answer time.
 */

const configArb = fc.record({
  name: fc.constantFrom('requests', 'burst', 'daily'),
  limit: fc.integer({ min: 1, max: 8 }),
  duration: fc.integer({ min: 1000, max: 120_000 }),
  algorithm: fc.constantFrom<RateLimitConfig['algorithm']>('sliding_window', 'token_bucket'),
});
const historyArb = fc.array(
  fc.record({ dt: fc.integer({ min: 0, max: 30_000 }), cost: fc.integer({ min: 0, max: 2 }) }),
  {
    maxLength: 40,
  },
);

/** Checks of distinct counters (each limit of a key has its own), at `cost` each. */
const checksOf = (configs: RateLimitConfig[], cost: number): LimitCheck[] =>
  configs.map((config, i) => ({ counter: `c${i}`, config: { ...config, name: `${config.name}${i}` }, cost }));

/** Plays a history through the counters; returns their states and the time after it. */
function play(configs: RateLimitConfig[], start: number, history: Array<{ dt: number; cost: number }>) {
  const states = new Map<string, CounterState>();
  let at = start;
  for (const { dt, cost } of history) {
    at += dt;
    for (const [counter, state] of decideAll(checksOf(configs, cost), states, at).writes)
      states.set(counter, state);
  }
  return { states, at };
}

/** What the engine reports for one verification's limits (see engine-limits.ts). */
const infos = (checks: LimitCheck[], results: ReturnType<typeof decideAll>['results']): RateLimitState[] =>
  results.map((r, i) => ({
    name: checks[i]?.config.name ?? '',
    limit: r.limit,
    remaining: r.remaining,
    reset: r.reset,
    resetAfterMs: r.resetAfterMs,
    duration: checks[i]?.config.duration ?? 0,
    scope: 'key',
  }));

const IDENTITY: VerifiedIdentity = {
  keyId: 'key_1',
  workspaceId: 'ws_1',
  apiId: 'api_1',
  consumer: null,
  name: null,
  meta: null,
  permissions: [],
  roles: [],
  expiresAt: null,
  environment: 'live',
  parentKeyId: null,
};

/** `"name";r=1;t=2, ...` → [{ name, r, t }]. */
const parse = (header: string) =>
  header.split(', ').map((item) => {
    const match = /^"([^"]+)";r=(\d+);t=(\d+)$/.exec(item);
    if (match === null) throw new Error(`unparsable RateLimit item ${item}`);
    return { name: match[1] as string, r: Number(match[2]), t: Number(match[3]) };
  });

describe('RateLimit tells the truth', () => {
  it('a denial: the first item and Retry-After name the same second, and the request is admitted then', () => {
    fc.assert(
      fc.property(
        fc.array(configArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        historyArb,
        fc.integer({ min: 0, max: 999 }),
        (configs, start, history, skew) => {
          const { states, at } = play(configs, start, history);
          const checks = checksOf(configs, 1);
          const decided = decideAll(checks, states, at + 1);
          if (decided.admitted) return;
          const retryAfterMs = Math.max(...decided.results.map((r) => r.retryAfterMs));
          // The answer is built a little later than the decision: the headers must not care.
          const answer = answerFor(
            {
              kind: 'verified',
              verification: {
                valid: false,
                code: 'RATE_LIMITED',
                identity: IDENTITY,
                ratelimits: infos(checks, decided.results),
                credits: null,
                retryAfterMs,
              },
            },
            { realm: 'r', now: at + 1 + skew },
          );
          if (answer.allow) throw new Error('expected a denial');
          const retryAfter = Number(answer.headers['retry-after']);
          const first = parse(answer.headers.ratelimit ?? '')[0];
          expect(first).toMatchObject({ r: 0, t: retryAfter });
          // Admitted once Retry-After has passed, and not before the limit's own reset.
          expect(decideAll(checks, states, at + 1 + retryAfter * 1000).admitted).toBe(true);
          expect(decideAll(checks, states, at + retryAfterMs).admitted).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('an admission that leaves nothing: t is when the next request is admitted', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 0, max: 2 ** 40 }), historyArb, (config, start, history) => {
        const { states, at } = play([config], start, history);
        const checks = checksOf([config], 1);
        const decided = decideAll(checks, states, at + 1);
        if (!decided.admitted || decided.results[0]?.remaining !== 0) return;
        const answer = answerFor(
          {
            kind: 'verified',
            verification: {
              valid: true,
              code: 'VALID',
              identity: IDENTITY,
              ratelimits: infos(checks, decided.results),
              credits: null,
              retryAfterMs: null,
            },
          },
          { realm: 'r', now: at + 1 },
        );
        if (!answer.allow) throw new Error('expected an admission');
        const { t } = parse(answer.headers.ratelimit ?? '')[0] ?? { t: -1 };
        const after = new Map(states);
        for (const [counter, state] of decided.writes) after.set(counter, state);
        const reset = decided.results[0]?.reset ?? 0;
        expect(t).toBe(Math.ceil((reset - at - 1) / 1000));
        expect(decideAll(checks, after, at + 1 + t * 1000).admitted).toBe(true);
        expect(decideAll(checks, after, reset - 1).admitted).toBe(reset - 1 <= at + 1);
      }),
      { numRuns: 1000 },
    );
  });
});
