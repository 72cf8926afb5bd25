import { afterEach, describe, expect, it } from 'vitest';
import type { AsyncCounterStore } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { createMemoryCounterStore } from '../memory/memory-counter-store.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const limit = (name: string, max: number, mode?: 'dry-run'): RateLimitConfig => ({
  name,
  limit: max,
  duration: 60_000,
  algorithm: 'sliding_window',
  ...(mode === undefined ? {} : { mode }),
});

async function withUsage(): Promise<UsageEvent[]> {
  const events: UsageEvent[] = [];
  h = await createHarness({ usage: { record: (event) => events.push(event) } });
  return events;
}

describe('verifyKey: dry-run rules never deny and report what they would have denied', () => {
  it('a dry-run rate limit counts, and once exhausted answers VALID with would-deny RATE_LIMITED', async () => {
    const events = await withUsage();
    const { key } = await h.issue({ ratelimits: [limit('new-rpm', 2, 'dry-run')] });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await h.engine.verifyKey(key));
    expect(results.map((r) => r.code)).toEqual(['VALID', 'VALID', 'VALID', 'VALID']);
    expect(results.map((r) => r.wouldDeny)).toEqual([
      undefined,
      undefined,
      [{ code: 'RATE_LIMITED', rule: 'new-rpm' }],
      [{ code: 'RATE_LIMITED', rule: 'new-rpm' }],
    ]);
    // Dry-run limits are not the caller's limits: no state, so no RateLimit headers.
    expect(results.every((r) => r.ratelimits.length === 0)).toBe(true);
    expect(events.map((e) => [e.code, e.wouldDeny])).toEqual([
      ['VALID', undefined],
      ['VALID', undefined],
      ['VALID', ['RATE_LIMITED']],
      ['VALID', ['RATE_LIMITED']],
    ]);
    // The window passes: the dry-run limit admits again.
    h.clock.now = T0 + 120_000;
    await expect(h.engine.verifyKey(key)).resolves.not.toHaveProperty('wouldDeny');
  });

  it('an enforced limit denies as before beside a dry-run one, and is charged while the dry-run one is exhausted', async () => {
    h = await createHarness();
    const { key } = await h.issue({ ratelimits: [limit('rpm', 3), limit('strict', 1, 'dry-run')] });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await h.engine.verifyKey(key));
    expect(results.map((r) => r.code)).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    expect(results.map((r) => r.ratelimits.map((s) => [s.name, s.remaining]))).toEqual([
      [['rpm', 2]],
      [['rpm', 1]],
      [['rpm', 0]],
      [['rpm', 0]],
    ]);
    expect(results.map((r) => r.wouldDeny?.map((w) => w.rule))).toEqual([
      undefined,
      ['strict'],
      ['strict'],
      // A denial is unchanged: no dry-run report.
      undefined,
    ]);
  });

  it('a dry-run quota spends while it lasts, then admits without spending (would-deny USAGE_EXCEEDED)', async () => {
    const events = await withUsage();
    const { key, record } = await h.issue({ credits: { refill: null, mode: 'dry-run' } });
    await h.store.credits.set({ kind: 'key', id: record.id }, 1, { refill: null, mode: 'dry-run' }, T0);
    const first = await h.engine.verifyKey(key);
    const second = await h.engine.verifyKey(key, { credits: { cost: 1 } });
    expect(first).toMatchObject({ code: 'VALID' });
    expect(first).not.toHaveProperty('wouldDeny');
    expect(second).toMatchObject({ code: 'VALID', wouldDeny: [{ code: 'USAGE_EXCEEDED', rule: 'key' }] });
    // Exactly one credit was spent, never more than the balance.
    await expect(h.store.credits.get({ kind: 'key', id: record.id }, T0)).resolves.toBe(0);
    expect(events.map((e) => [e.code, e.cost, e.wouldDeny])).toEqual([
      ['VALID', 1, undefined],
      ['VALID', 0, ['USAGE_EXCEEDED']],
    ]);
  });

  it("an enforced quota still denies beside a consumer's empty dry-run quota, which never refunds or blocks it", async () => {
    h = await createHarness();
    const consumer = await h.consumer({ credits: { refill: null, mode: 'dry-run' } });
    await h.store.credits.set(
      { kind: 'consumer', id: consumer.id },
      0,
      { refill: null, mode: 'dry-run' },
      T0,
    );
    const { key, record } = await h.issue({ consumerId: consumer.id, credits: { refill: null } });
    await h.store.credits.set({ kind: 'key', id: record.id }, 1, { refill: null }, T0);
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 0 },
      wouldDeny: [{ code: 'USAGE_EXCEEDED', rule: 'consumer' }],
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'USAGE_EXCEEDED' });
    await expect(h.store.credits.get({ kind: 'key', id: record.id }, T0)).resolves.toBe(0);
    await expect(h.store.credits.get({ kind: 'consumer', id: consumer.id }, T0)).resolves.toBe(0);
  });

  it('a dry-run IP allow-list admits an address outside it, reporting FORBIDDEN_IP', async () => {
    const events = await withUsage();
    const { key } = await h.issue({ allowedIps: ['192.0.2.0/24'], allowedIpsMode: 'dry-run' });
    await expect(h.engine.verifyKey(key, { ip: '192.0.2.7' })).resolves.not.toHaveProperty('wouldDeny');
    await expect(h.engine.verifyKey(key, { ip: '198.51.100.1' })).resolves.toMatchObject({
      code: 'VALID',
      wouldDeny: [{ code: 'FORBIDDEN_IP' }],
    });
    // No address at all is outside the list too.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ wouldDeny: [{ code: 'FORBIDDEN_IP' }] });
    expect(events.map((e) => e.wouldDeny)).toEqual([undefined, ['FORBIDDEN_IP'], ['FORBIDDEN_IP']]);
    // The same list enforced denies.
    const enforced = await h.issue({ allowedIps: ['192.0.2.0/24'] });
    await expect(h.engine.verifyKey(enforced.key, { ip: '198.51.100.1' })).resolves.toMatchObject({
      code: 'FORBIDDEN_IP',
    });
  });

  it('dryRunPermissions reports INSUFFICIENT_PERMISSIONS after the enforced query, which still denies', async () => {
    h = await createHarness();
    const { key } = await h.issue({ permissions: ['sessions:read'] });
    await expect(
      h.engine.verifyKey(key, { permissions: 'sessions:read', dryRunPermissions: 'sessions:write' }),
    ).resolves.toMatchObject({
      code: 'VALID',
      wouldDeny: [{ code: 'INSUFFICIENT_PERMISSIONS', rule: 'sessions:write' }],
    });
    await expect(h.engine.verifyKey(key, { dryRunPermissions: 'sessions:read' })).resolves.not.toHaveProperty(
      'wouldDeny',
    );
    await expect(
      h.engine.verifyKey(key, { permissions: 'admin', dryRunPermissions: 'sessions:read' }),
    ).resolves.toMatchObject({ code: 'INSUFFICIENT_PERMISSIONS' });
    await expect(h.engine.verifyKey(key, { dryRunPermissions: 'a AND (' })).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'dryRunPermissions',
    });
  });

  it('lists every dry-run rule that would have denied, in pipeline order', async () => {
    const events = await withUsage();
    const { key } = await h.issue({
      allowedIps: ['192.0.2.0/24'],
      allowedIpsMode: 'dry-run',
      ratelimits: [limit('zero', 1, 'dry-run')],
    });
    await h.engine.verifyKey(key, { ip: '192.0.2.1' });
    const result = await h.engine.verifyKey(key, { ip: '203.0.113.9', dryRunPermissions: 'admin' });
    expect(result.wouldDeny).toEqual([
      { code: 'FORBIDDEN_IP' },
      { code: 'INSUFFICIENT_PERMISSIONS', rule: 'admin' },
      { code: 'RATE_LIMITED', rule: 'zero' },
    ]);
    expect(events[1]?.wouldDeny).toEqual(['FORBIDDEN_IP', 'INSUFFICIENT_PERMISSIONS', 'RATE_LIMITED']);
  });

  it('works with counters that answer later (as Redis does), and a failing counter call skips only the dry-run rule', async () => {
    const inner = createMemoryCounterStore();
    let failDryRun = false;
    const counters: AsyncCounterStore = {
      kind: 'async',
      consume: async (checks, now) => {
        if (failDryRun && checks.some((check) => check.config.mode === 'dry-run')) {
          throw new Error('counters unreachable');
        }
        return inner.consume(checks, now);
      },
      reset: (counter) => inner.reset(counter),
      close: () => inner.close(),
    };
    h = await createHarness({ counters });
    const { key } = await h.issue({ ratelimits: [limit('rpm', 5), limit('trial', 1, 'dry-run')] });
    await expect(h.engine.verifyKey(key)).resolves.not.toHaveProperty('wouldDeny');
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      ratelimits: [{ name: 'rpm', remaining: 3 }],
      wouldDeny: [{ code: 'RATE_LIMITED', rule: 'trial' }],
    });
    failDryRun = true;
    const skipped = await h.engine.verifyKey(key);
    expect(skipped).toMatchObject({ code: 'VALID', ratelimits: [{ name: 'rpm', remaining: 2 }] });
    expect(skipped).not.toHaveProperty('wouldDeny');
  });
});
