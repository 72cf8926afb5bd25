import { afterEach, describe, expect, it } from 'vitest';
import type { LimitCheck, SyncCounterStore } from '../contracts/counter-store.js';
import type { RateLimitConfig } from '../contracts/model.js';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { createMemoryCounterStore } from '../memory/memory-counter-store.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const limit = (name: string, max: number, duration = 60_000): RateLimitConfig => ({
  name,
  limit: max,
  duration,
  algorithm: 'sliding_window',
});

/** A memory counter store that also records the checks it was asked for. */
function recordingCounters(): SyncCounterStore & { seen: LimitCheck[][] } {
  const inner = createMemoryCounterStore();
  const seen: LimitCheck[][] = [];
  return {
    kind: 'sync',
    seen,
    consume: (checks, now) => {
      seen.push([...checks]);
      return inner.consume(checks, now);
    },
    reset: (counter) => inner.reset(counter),
    close: () => inner.close(),
  };
}

describe('verifyKey: rate limits', () => {
  it('applies every key and consumer limit at cost 1 by default, under stable counter ids', async () => {
    const counters = recordingCounters();
    h = await createHarness({ counters });
    const consumer = await h.consumer({ ratelimits: [limit('daily', 1000, 86_400_000)] });
    const { key, record } = await h.issue({ consumerId: consumer.id, ratelimits: [limit('rpm', 2)] });
    const first = await h.engine.verifyKey(key);
    expect(first).toMatchObject({
      code: 'VALID',
      ratelimits: [
        {
          name: 'rpm',
          limit: 2,
          remaining: 1,
          scope: 'key',
          // One unit left: reset is when the limit is whole again, the end of the next window.
          reset: T0 + 120_000 - (T0 % 60_000),
          duration: 60_000,
        },
        { name: 'daily', limit: 1000, remaining: 999, scope: 'consumer', duration: 86_400_000 },
      ],
    });
    expect(counters.seen[0]?.map((c) => [c.counter, c.cost])).toEqual([
      [`key:${record.id}:rpm`, 1],
      [`consumer:${consumer.id}:daily`, 1],
    ]);
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
    const denied = await h.engine.verifyKey(key);
    expect(denied).toMatchObject({
      valid: false,
      code: 'RATE_LIMITED',
      identity: { keyId: record.id },
      ratelimits: [
        { name: 'rpm', remaining: 0 },
        { name: 'daily', remaining: 998 },
      ],
    });
    expect(denied.valid === false && denied.retryAfterMs).toBeGreaterThan(0);
    // The limit that denied resets when the request would be admitted again.
    expect(denied.ratelimits[0]?.reset).toBe(T0 + (denied.valid === false ? (denied.retryAfterMs ?? 0) : 0));
  });

  it('applies only the named limits, with their costs; unknown names are ignored', async () => {
    const counters = recordingCounters();
    h = await createHarness({ counters });
    const { key, record } = await h.issue({ ratelimits: [limit('reads', 10), limit('writes', 3)] });
    const result = await h.engine.verifyKey(key, {
      ratelimits: [{ name: 'writes', cost: 2 }, { name: 'nope' }],
    });
    expect(result).toMatchObject({ code: 'VALID', ratelimits: [{ name: 'writes', remaining: 1 }] });
    expect(counters.seen[0]).toEqual([
      expect.objectContaining({ counter: `key:${record.id}:writes`, cost: 2 }),
    ]);
    await expect(
      h.engine.verifyKey(key, { ratelimits: [{ name: 'writes', cost: 2 }] }),
    ).resolves.toMatchObject({
      code: 'RATE_LIMITED',
    });
    // Cost 0 reads the state without taking anything.
    await expect(
      h.engine.verifyKey(key, { ratelimits: [{ name: 'writes', cost: 0 }] }),
    ).resolves.toMatchObject({
      code: 'VALID',
      ratelimits: [{ name: 'writes', remaining: 1 }],
    });
    // Naming only unknown limits applies none.
    await expect(h.engine.verifyKey(key, { ratelimits: [{ name: 'nope' }] })).resolves.toMatchObject({
      code: 'VALID',
      ratelimits: [],
    });
  });

  it("shares a consumer's limit among all its keys", async () => {
    h = await createHarness();
    const consumer = await h.consumer({ ratelimits: [limit('shared', 3)] });
    const a = await h.issue({ consumerId: consumer.id });
    const b = await h.issue({ consumerId: consumer.id });
    const codes = [];
    for (const key of [a.key, b.key, a.key, b.key]) codes.push((await h.engine.verifyKey(key)).code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
  });

  it('admits exactly L of 10 × L concurrent verifications', async () => {
    h = await createHarness();
    const { key } = await h.issue({ ratelimits: [limit('burst', 25)] });
    const results = await Promise.all(Array.from({ length: 250 }, () => h.engine.verifyKey(key)));
    expect(results.filter((r) => r.valid)).toHaveLength(25);
    expect(results.filter((r) => r.code === 'RATE_LIMITED')).toHaveLength(225);
  });

  it('charges no limit for a denied permission', async () => {
    h = await createHarness();
    const { key } = await h.issue({ ratelimits: [limit('rpm', 1)] });
    await expect(h.engine.verifyKey(key, { permissions: 'admin' })).resolves.toMatchObject({
      code: 'INSUFFICIENT_PERMISSIONS',
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'VALID' });
  });
});

describe('verifyKey: credits', () => {
  const keyOwner = (id: string) => ({ kind: 'key' as const, id });

  it('spends one credit per verification until none is left', async () => {
    h = await createHarness();
    const { key, record } = await h.issue({ credits: { refill: null } });
    await h.store.credits.set(keyOwner(record.id), 2, { refill: null }, T0);
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 1 },
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 0 },
    });
    await expect(h.engine.verifyKey(key)).resolves.toEqual(
      expect.objectContaining({
        valid: false,
        code: 'USAGE_EXCEEDED',
        credits: { remaining: 0 },
        retryAfterMs: null,
      }),
    );
    // Cost 0 reads the balance and is admitted even at zero.
    await expect(h.engine.verifyKey(key, { credits: { cost: 0 } })).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 0 },
    });
  });

  it('honours the cost, and says when a calendar refill comes', async () => {
    h = await createHarness();
    const config = { refill: { interval: 'daily' as const, amount: 10 } };
    const { key, record } = await h.issue({ credits: config });
    await h.store.credits.set(keyOwner(record.id), 5, config, T0);
    await expect(h.engine.verifyKey(key, { credits: { cost: 5 } })).resolves.toMatchObject({
      credits: { remaining: 0 },
    });
    const denied = await h.engine.verifyKey(key, { credits: { cost: 1 } });
    expect(denied).toMatchObject({ code: 'USAGE_EXCEEDED', retryAfterMs: 86_400_000 - (T0 % 86_400_000) });
  });

  it('fails closed when a quota is configured but its balance row is missing (never unlimited)', async () => {
    h = await createHarness();
    const consumer = await h.consumer({ credits: { refill: null } });
    const { key, record } = await h.issue({ consumerId: consumer.id, credits: { refill: null } });
    // Neither balance was ever written: the key's quota refuses, nothing is spent anywhere.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      valid: false,
      code: 'USAGE_EXCEEDED',
      credits: { remaining: 0 },
    });
    await h.store.credits.set(keyOwner(record.id), 3, { refill: null }, T0);
    await h.engine.invalidate({ type: 'key', keyId: record.id, digests: [record.digest] });
    // The key's balance is there now; its consumer's configured quota still has none.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
    await expect(h.store.credits.get(keyOwner(record.id), T0)).resolves.toBe(3);
  });

  it('spends credits of a balance set without a quota config', async () => {
    h = await createHarness();
    const { key, record } = await h.issue();
    await h.store.credits.set(keyOwner(record.id), 1, null, T0);
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 0 },
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({ code: 'USAGE_EXCEEDED' });
  });

  it('never spends credits on a denied verification', async () => {
    const events: UsageEvent[] = [];
    h = await createHarness({ usage: { record: (event) => events.push(event) } });
    const { key, record } = await h.issue({
      credits: { refill: null },
      ratelimits: [limit('rpm', 1)],
      allowedIps: ['10.0.0.0/8'],
    });
    await h.store.credits.set(keyOwner(record.id), 5, { refill: null }, T0);
    await h.engine.verifyKey(key, { ip: '192.0.2.1' });
    await h.engine.verifyKey(key, { ip: '10.0.0.1', permissions: 'admin' });
    await h.engine.verifyKey(key, { ip: '10.0.0.1' });
    await h.engine.verifyKey(key, { ip: '10.0.0.1' });
    expect(events.map((e) => [e.code, e.cost])).toEqual([
      ['FORBIDDEN_IP', 0],
      ['INSUFFICIENT_PERMISSIONS', 0],
      ['VALID', 1],
      ['RATE_LIMITED', 0],
    ]);
    await expect(h.store.credits.get(keyOwner(record.id), T0)).resolves.toBe(4);
  });

  it("charges the key and its consumer, and refunds the key when the consumer's credits are short", async () => {
    h = await createHarness();
    const consumer = await h.consumer({ credits: { refill: null } });
    await h.store.credits.set({ kind: 'consumer', id: consumer.id }, 1, { refill: null }, T0);
    const { key, record } = await h.issue({ consumerId: consumer.id, credits: { refill: null } });
    await h.store.credits.set(keyOwner(record.id), 5, { refill: null }, T0);
    // The smaller balance is what this key can still spend.
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'VALID',
      credits: { remaining: 0 },
    });
    await expect(h.engine.verifyKey(key)).resolves.toMatchObject({
      code: 'USAGE_EXCEEDED',
      credits: { remaining: 0 },
    });
    await expect(h.store.credits.get(keyOwner(record.id), T0)).resolves.toBe(4);
  });

  it('never overspends under concurrency', async () => {
    h = await createHarness();
    const { key, record } = await h.issue({ credits: { refill: null } });
    await h.store.credits.set(keyOwner(record.id), 7, { refill: null }, T0);
    const results = await Promise.all(Array.from({ length: 40 }, () => h.engine.verifyKey(key)));
    expect(results.filter((r) => r.valid)).toHaveLength(7);
    await expect(h.store.credits.get(keyOwner(record.id), T0)).resolves.toBe(0);
  });
});
