import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreditsConfig, KeyRecord, RateLimitConfig } from '../contracts/model.js';
import { createHarness, T0 } from './engine.fixtures.js';

type Mode = 'enforce' | 'dry-run';

interface Config {
  limits: Array<{ limit: number; duration: number; algorithm: RateLimitConfig['algorithm']; mode: Mode }>;
  quota: { balance: number; mode: Mode } | null;
  ips: Mode | null;
  dryRunPermission: boolean;
}

interface Step {
  advanceMs: number;
  inside: boolean;
  cost: number;
}

const mode = fc.constantFrom<Mode>('enforce', 'dry-run');
const config: fc.Arbitrary<Config> = fc.record({
  limits: fc.array(
    fc.record({
      limit: fc.integer({ min: 1, max: 4 }),
      duration: fc.constantFrom(1000, 5000),
      algorithm: fc.constantFrom<RateLimitConfig['algorithm']>('sliding_window', 'token_bucket'),
      mode,
    }),
    { maxLength: 3 },
  ),
  quota: fc.option(fc.record({ balance: fc.integer({ min: 0, max: 6 }), mode }), { nil: null }),
  ips: fc.option(mode, { nil: null }),
  dryRunPermission: fc.boolean(),
});
const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.record({
    advanceMs: fc.constantFrom(0, 0, 300, 1200),
    inside: fc.boolean(),
    cost: fc.integer({ min: 0, max: 2 }),
  }),
  { minLength: 1, maxLength: 12 },
);

/** The key's settings; `withDryRun` false leaves every dry-run rule out. */
function keySettings(c: Config, withDryRun: boolean): Partial<KeyRecord> {
  const keep = (m: Mode) => withDryRun || m === 'enforce';
  const quota = c.quota !== null && keep(c.quota.mode) ? c.quota : null;
  const credits: CreditsConfig | null =
    quota === null ? null : { refill: null, ...(quota.mode === 'dry-run' ? { mode: 'dry-run' } : {}) };
  return {
    ratelimits: c.limits.flatMap((l, i) =>
      keep(l.mode)
        ? [
            {
              name: `l${i}`,
              limit: l.limit,
              duration: l.duration,
              algorithm: l.algorithm,
              ...(l.mode === 'dry-run' ? { mode: 'dry-run' as const } : {}),
            },
          ]
        : [],
    ),
    credits,
    allowedIps: c.ips !== null && keep(c.ips) ? ['192.0.2.0/24'] : [],
    ...(c.ips === 'dry-run' && withDryRun ? { allowedIpsMode: 'dry-run' as const } : {}),
  };
}

/** Runs the steps against a fresh engine; answers what each verification decided. */
async function run(c: Config, withDryRun: boolean, plan: readonly Step[]) {
  const h = await createHarness();
  try {
    const settings = keySettings(c, withDryRun);
    const { key, record } = await h.issue(settings);
    if (settings.credits !== null && settings.credits !== undefined && c.quota !== null) {
      await h.store.credits.set({ kind: 'key', id: record.id }, c.quota.balance, settings.credits, T0);
    }
    const decisions = [];
    for (const step of plan) {
      h.clock.now += step.advanceMs;
      const result = await h.engine.verifyKey(key, {
        ip: step.inside ? '192.0.2.10' : '198.51.100.10',
        credits: { cost: step.cost },
        ...(withDryRun && c.dryRunPermission ? { dryRunPermissions: 'admin' } : {}),
      });
      decisions.push({
        code: result.code,
        ratelimits: result.ratelimits,
        credits: result.credits,
        retryAfterMs: result.retryAfterMs,
      });
    }
    return decisions;
  } finally {
    await h.close();
  }
}

describe('verifyKey: dry-run rules (property)', () => {
  it('decide exactly as the same key with its dry-run rules removed', async () => {
    await fc.assert(
      fc.asyncProperty(config, steps, async (c, plan) => {
        const withRules = await run(c, true, plan);
        const without = await run(c, false, plan);
        expect(withRules).toEqual(without);
      }),
      { numRuns: 40 },
    );
  });
});
