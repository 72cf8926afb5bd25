import { afterEach, describe, expect, it } from 'vitest';
import type { CacheBus } from '../contracts/cache-bus.js';
import type { Engine, EngineOptions } from '../contracts/engine.js';
import { KeywardError } from '../contracts/errors.js';
import type { CreditLedger, Store } from '../contracts/store.js';
import { generateKey } from '../keys/key-format.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';
import { createHarness, type Harness, T0 } from './engine.fixtures.js';
import { createEngine } from './engine.js';

/**
 * What verification does while the store fails: stale entries within the configured
 * window, UNAVAILABLE for everything else, a deadline per call and a circuit breaker.
 */

interface Outage {
  /** `down`: every store call rejects; `hang`: every call waits for ever; `up`: calls go through. */
  mode: 'up' | 'down' | 'hang';
  calls: number;
}

/** The harness's store behind a switch; only the areas verification reads fail. */
function faultyStore(store: Store, outage: Outage): Store {
  const fail = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop) {
        const value: unknown = Reflect.get(obj, prop);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          outage.calls++;
          if (outage.mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
          if (outage.mode === 'hang') return new Promise(() => {});
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return {
    ...store,
    keys: fail(store.keys),
    roles: fail(store.roles),
    consumers: fail(store.consumers),
    credits: fail(store.credits),
  };
}

let h: Harness;
let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await h.close();
});

const TTL = 1_000;
const STALE = 10_000;

async function setup(options: Partial<EngineOptions> = {}) {
  h = await createHarness();
  const outage: Outage = { mode: 'up', calls: 0 };
  engine = createEngine({
    store: faultyStore(h.store, outage),
    now: () => h.clock.now,
    cacheTtlMs: TTL,
    staleWhileErrorMs: STALE,
    ...options,
  });
  return { outage, engine };
}

describe('verification while the store fails', () => {
  it('serves an expired entry for at most staleWhileErrorMs, then refuses', async () => {
    const { outage, engine } = await setup();
    const { key } = await h.issue();
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    outage.mode = 'down';
    h.clock.now = T0 + TTL + STALE - 1;
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    h.clock.now = T0 + TTL + STALE;
    await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('never serves a stale entry when the store answers', async () => {
    const { outage, engine } = await setup();
    const { key, record } = await h.issue();
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    await h.store.keys.revoke(h.ws.id, record.id, T0 + 1);
    h.clock.now = T0 + TTL + 1;
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: false, code: 'REVOKED' });
    expect(outage.calls).toBeGreaterThan(0);
  });

  it('refuses an uncached key (UNAVAILABLE), never accepts it', async () => {
    const { outage, engine } = await setup();
    const { key } = await h.issue();
    outage.mode = 'down';
    await expect(engine.verifyKey(key)).rejects.toBeInstanceOf(KeywardError);
    await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('keeps answering a cached negative entry as unknown', async () => {
    const { outage, engine } = await setup();
    // The right format and checksum, never issued: the store answers "no such key".
    const unknown = generateKey(h.api.prefix);
    await expect(engine.verifyKey(unknown)).resolves.toMatchObject({ code: 'NOT_FOUND' });
    outage.mode = 'down';
    h.clock.now = T0 + TTL + 1;
    await expect(engine.verifyKey(unknown)).resolves.toMatchObject({ valid: false, code: 'NOT_FOUND' });
  });

  it('serves nothing stale by default (staleWhileErrorMs 0)', async () => {
    const { outage, engine } = await setup({ staleWhileErrorMs: 0 });
    const { key } = await h.issue();
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    outage.mode = 'down';
    h.clock.now = T0 + TTL;
    await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('serves no entry that an invalidation dropped', async () => {
    const { outage, engine } = await setup();
    const { key, record } = await h.issue();
    await engine.verifyKey(key);
    await engine.invalidate({ type: 'key', keyId: record.id, digests: [] });
    outage.mode = 'down';
    await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('gives a hanging store storeTimeoutMs, then serves stale or refuses', async () => {
    const { outage, engine } = await setup({ storeTimeoutMs: 30 });
    const { key } = await h.issue();
    const { key: uncached } = await h.issue();
    await engine.verifyKey(key);
    outage.mode = 'hang';
    h.clock.now = T0 + TTL + 1;
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    await expect(engine.verifyKey(uncached)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('stops calling a failing store (circuit open) and recovers by itself', async () => {
    const states: CircuitState[] = [];
    const { outage, engine } = await setup({
      storeBreaker: { failureThreshold: 3, resetMs: 5_000 },
      onStoreStateChange: (state) => states.push(state),
    });
    const { key } = await h.issue();
    outage.mode = 'down';
    for (let i = 0; i < 3; i++)
      await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(states).toEqual(['open']);
    const callsWhenOpened = outage.calls;
    for (let i = 0; i < 20; i++)
      await expect(engine.verifyKey(key)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(outage.calls).toBe(callsWhenOpened);
    outage.mode = 'up';
    h.clock.now = T0 + 5_000;
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true });
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });
});

describe('engine wiring', () => {
  it('resolves invalidate when the bus fails, reports it and still drops the local entry', async () => {
    h = await createHarness();
    const failure = new Error('redis down');
    const errors: unknown[] = [];
    const bus: CacheBus = {
      publish: () => Promise.reject(failure),
      subscribe: () => () => {},
      close: async () => {},
    };
    let lookups = 0;
    const store: Store = {
      ...h.store,
      keys: {
        ...h.store.keys,
        findByDigest: (digest) => {
          lookups++;
          return h.store.keys.findByDigest(digest);
        },
      },
    };
    engine = createEngine({ store, bus, onBusError: (error) => errors.push(error), now: () => h.clock.now });
    const { key, record } = await h.issue();
    await engine.verifyKey(key);
    await expect(engine.invalidate({ type: 'key', keyId: record.id, digests: [] })).resolves.toBeUndefined();
    expect(errors).toEqual([failure]);
    await engine.verifyKey(key);
    expect(lookups).toBe(2);
  });

  it('answers a key of another workspace NOT_FOUND before touching its limits', async () => {
    h = await createHarness();
    const limit = { name: 'burst', limit: 1, duration: 60_000, algorithm: 'sliding_window' as const };
    const { key } = await h.issue({ ratelimits: [limit] });
    await expect(h.engine.verifyKey(key, { workspaceId: 'ws_other' })).resolves.toMatchObject({
      code: 'NOT_FOUND',
      identity: null,
    });
    await expect(h.engine.verifyKey(key, { workspaceId: h.ws.id })).resolves.toMatchObject({ valid: true });
  });

  it('spends credits from options.credits when given', async () => {
    h = await createHarness();
    const spent: string[] = [];
    const base = h.store.credits;
    if (base.kind !== 'durable') throw new Error('the harness store has the database ledger');
    const credits: CreditLedger = {
      ...base,
      spend: (owner, cost, now) => {
        spent.push(owner.id);
        return base.spend(owner, cost, now);
      },
    };
    engine = createEngine({ store: h.store, credits, now: () => h.clock.now });
    const { key, record } = await h.issue({ credits: { refill: null } });
    await h.store.credits.set({ kind: 'key', id: record.id }, 5, { refill: null }, T0);
    await expect(engine.verifyKey(key)).resolves.toMatchObject({ valid: true, credits: { remaining: 4 } });
    expect(spent).toEqual([record.id]);
  });
});
