import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { type UsageBackend, usageBackends } from '../testing/usage-backends.js';
import { usageEvent } from '../testing/usage-fixtures.js';
import { createUsageRecorder, type UsageRecorderOptions } from './recorder.js';
import type { UsageBatch } from './usage-store.js';

const HOUR = 3_600_000;
/** Event number `i`, findable in the database through its tag. */
const numbered = (i: number): UsageEvent => usageEvent({ tags: [`#${i}`] });
const numbers = async (backend: UsageBackend) =>
  (await backend.tags()).map((tags) => Number(tags[0]?.slice(1))).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const ticks = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A sink over a real store that logs batch sizes and can be held (writes wait for `release`). */
function observed(backend: UsageBackend) {
  const sizes: number[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open = () => {};
  return {
    sizes,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
    sink: {
      async write(batch: UsageBatch) {
        sizes.push(batch.events.length);
        await gate;
        await backend.usage.write(batch);
      },
    },
  };
}

describe.each(await usageBackends())('usage recorder on %s', (_name, open) => {
  let backend: UsageBackend;
  const recorders: Array<{ close(): Promise<void> }> = [];
  const recorder = (
    options: Omit<UsageRecorderOptions, 'sink'> & Partial<Pick<UsageRecorderOptions, 'sink'>>,
  ) => {
    const created = createUsageRecorder({ sink: backend.usage, flushIntervalMs: HOUR, ...options });
    recorders.push(created);
    return created;
  };
  beforeEach(async () => {
    backend = await open();
  });
  afterEach(async () => {
    await Promise.allSettled(recorders.splice(0).map((r) => r.close()));
    await backend.cleanup();
  });

  it('records without writing on the caller path, and writes a full batch at once', async () => {
    const o = observed(backend);
    const usage = recorder({ sink: o.sink, batchSize: 100 });
    for (let i = 0; i < 99; i++) usage.record(numbered(i));
    await ticks();
    expect(o.sizes).toEqual([]);
    usage.record(numbered(99));
    expect(o.sizes).toEqual([]); // not even for the event that fills the batch
    await vi.waitFor(() => expect(usage.written()).toBe(100));
    expect(o.sizes).toEqual([100]);
    for (let i = 100; i < 130; i++) usage.record(numbered(i));
    await ticks();
    expect(usage.depth()).toBe(30);
    await usage.close();
    expect(o.sizes).toEqual([100, 30]);
    await expect(numbers(backend)).resolves.toEqual(range(0, 130));
  });

  it('writes a partial batch every flush interval', async () => {
    const usage = recorder({ flushIntervalMs: 20 });
    for (let i = 0; i < 5; i++) usage.record(numbered(i));
    await vi.waitFor(() => expect(usage.written()).toBe(5));
    await expect(backend.stored()).resolves.toBe(5);
    expect(usage.depth()).toBe(0);
  });

  it('drop-newest: a full buffer refuses new events and counts them', async () => {
    const o = observed(backend);
    o.hold();
    const usage = recorder({ sink: o.sink, maxBuffer: 10, batchSize: 4 });
    for (let i = 0; i < 4; i++) usage.record(numbered(i));
    await vi.waitFor(() => expect(o.sizes).toEqual([4]));
    for (let i = 4; i < 14; i++) usage.record(numbered(i));
    expect(usage.depth()).toBe(10);
    expect(usage.dropped()).toBe(4);
    o.release();
    await usage.close();
    await expect(numbers(backend)).resolves.toEqual(range(0, 10));
    expect(usage.dropped()).toBe(4);
  });

  it('drop-oldest: a full buffer evicts the oldest events not being written', async () => {
    const o = observed(backend);
    o.hold();
    const usage = recorder({ sink: o.sink, maxBuffer: 10, batchSize: 4, overflow: 'drop-oldest' });
    for (let i = 0; i < 4; i++) usage.record(numbered(i));
    await vi.waitFor(() => expect(o.sizes).toEqual([4]));
    for (let i = 4; i < 14; i++) usage.record(numbered(i));
    expect(usage.depth()).toBe(10);
    expect(usage.dropped()).toBe(4);
    o.release();
    await usage.close();
    await expect(numbers(backend)).resolves.toEqual([...range(0, 4), ...range(8, 14)]);
  });

  it('close() writes everything, then refuses (and counts) new events', async () => {
    const usage = recorder({ batchSize: 1000 });
    for (let i = 0; i < 2500; i++) usage.record(numbered(i));
    await usage.close();
    await expect(backend.stored()).resolves.toBe(2500);
    expect(usage.depth()).toBe(0);
    usage.record(numbered(2500));
    expect(usage.dropped()).toBe(1);
    await expect(usage.close()).resolves.toBeUndefined();
  });

  it('keeps a failed batch and retries it with backoff until the store is back, counting each event once', async () => {
    const errors: unknown[] = [];
    const usage = recorder({
      batchSize: 50,
      retry: { initialMs: 5, maxMs: 20 },
      onError: (error) => errors.push(error),
    });
    await backend.exec('alter table usage_minute rename to usage_minute_away');
    for (let i = 0; i < 120; i++) usage.record(numbered(i));
    await expect(usage.flush()).rejects.toThrow(/usage_minute/);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(3));
    expect(usage.depth()).toBe(120);
    expect(usage.written()).toBe(0);
    await backend.exec('alter table usage_minute_away rename to usage_minute');
    await vi.waitFor(() => expect(usage.written()).toBe(120));
    await expect(numbers(backend)).resolves.toEqual(range(0, 120));
    expect(usage.dropped()).toBe(0);
  });

  it('holds at most maxBuffer events while the store is down', async () => {
    const usage = recorder({ maxBuffer: 50, batchSize: 10, retry: { initialMs: 5, maxMs: 10 } });
    await backend.exec('alter table usage_events rename to usage_events_away');
    for (let i = 0; i < 80; i++) usage.record(numbered(i));
    await expect(usage.flush()).rejects.toThrow(/usage_events/);
    expect(usage.depth()).toBe(50);
    expect(usage.dropped()).toBe(30);
    await backend.exec('alter table usage_events_away rename to usage_events');
    await usage.flush();
    await expect(numbers(backend)).resolves.toEqual(range(0, 50));
  });

  it('close() gives up after closeTimeoutMs while the store stays down, and says how many were lost', async () => {
    const usage = recorder({ closeTimeoutMs: 30, retry: { initialMs: 5, maxMs: 10 } });
    await backend.exec('alter table usage_events rename to usage_events_away');
    for (let i = 0; i < 7; i++) usage.record(numbered(i));
    await expect(usage.close()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: /7 usage events/ });
    expect(usage.dropped()).toBe(7);
    expect(usage.depth()).toBe(0);
    await backend.exec('alter table usage_events_away rename to usage_events');
  });

  it('tells onWritten about each durable batch, and prunes on its interval', async () => {
    const seen: number[] = [];
    let prunes = 0;
    const usage = recorder({
      sink: {
        write: (batch) => backend.usage.write(batch),
        prune: async (now) => {
          prunes++;
          return backend.usage.prune(now);
        },
      },
      batchSize: 3,
      pruneIntervalMs: 10,
      onWritten: (events) => seen.push(events.length),
    });
    for (let i = 0; i < 7; i++) usage.record(numbered(i));
    await usage.flush();
    expect(seen.reduce((a, b) => a + b, 0)).toBe(7);
    await vi.waitFor(() => expect(prunes).toBeGreaterThan(0));
  });
});

describe('usage recorder options', () => {
  it('refuses bad settings, naming the field', () => {
    const sink = { write: async () => {} };
    expect(() => createUsageRecorder({ sink, batchSize: 0 })).toThrow(
      expect.objectContaining({ field: 'batchSize' }),
    );
    expect(() => createUsageRecorder({ sink, maxBuffer: 1.5 })).toThrow(
      expect.objectContaining({ field: 'maxBuffer' }),
    );
    expect(() => createUsageRecorder({ sink, overflow: 'block' as 'drop-newest' })).toThrow(
      expect.objectContaining({ field: 'overflow' }),
    );
  });
});
