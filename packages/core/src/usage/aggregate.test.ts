import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventArbitrary, naiveRollup, rollupKey, T0, usageEvent } from '../testing/usage-fixtures.js';
import { aggregateBatch } from './aggregate.js';
import { GRANULARITIES } from './granularity.js';

describe('aggregateBatch', () => {
  it('rolls up exactly what a naive count gives, at every granularity', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary(['ws_1', 'ws_2']), { maxLength: 300 }), (events) => {
        const { raw, rollups, keys } = aggregateBatch(events);
        expect(raw.reduce((sum, row) => sum + row.count, 0)).toBe(events.length);
        for (const granularity of GRANULARITIES) {
          const got = new Map(
            rollups[granularity].map((r) => [rollupKey(r), { count: r.count, cost: r.cost }]),
          );
          expect(got).toEqual(naiveRollup(events, granularity));
        }
        for (const k of keys) {
          const mine = events.filter((e) => e.keyId === k.keyId);
          const valid = mine.filter((e) => e.code === 'VALID');
          expect(k.requests).toBe(mine.length);
          expect(k.valid).toBe(valid.length);
          expect(k.lastUsedAt).toBe(Math.max(...mine.map((e) => e.time)));
          expect(k.lastValidAt).toBe(valid.length === 0 ? null : Math.max(...valid.map((e) => e.time)));
        }
        expect(keys.map((k) => k.keyId)).toEqual([...new Set(events.flatMap((e) => e.keyId ?? []))].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('merges runs of identical events into one raw row, and only identical ones', () => {
    const same = usageEvent({ tags: ['GET /x'] });
    const events = [same, { ...same, tags: ['GET /x'] }, same, usageEvent({ ip: '192.0.2.9' }), same];
    const { raw } = aggregateBatch(events);
    expect(raw.map((row) => [row.ip, row.count])).toEqual([
      ['198.51.100.7', 3],
      ['192.0.2.9', 1],
      ['198.51.100.7', 1],
    ]);
    expect(raw[0]?.tags).toBe('["GET /x"]');
  });

  it('sorts rollup rows by primary key and leaves out events without a usable time', () => {
    const { rollups, skipped } = aggregateBatch([
      usageEvent({ workspaceId: 'ws_b', time: T0 }),
      usageEvent({ workspaceId: 'ws_a', time: T0 + 120_000 }),
      usageEvent({ workspaceId: 'ws_a', time: T0 }),
      usageEvent({ time: Number.NaN }),
      usageEvent({ time: -1 }),
    ]);
    expect(skipped).toBe(2);
    expect(rollups.minute.map((r) => [r.workspaceId, r.bucket])).toEqual([
      ['ws_a', 1_699_999_980_000],
      ['ws_a', 1_700_000_100_000],
      ['ws_b', 1_699_999_980_000],
    ]);
  });
});
