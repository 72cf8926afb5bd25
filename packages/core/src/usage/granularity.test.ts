import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignRange, bucketStart, GRANULARITIES, GRANULARITY_MS } from './granularity.js';

describe('buckets', () => {
  it('start on a multiple of the bucket length at or before the time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.constantFrom(...GRANULARITIES), (time, g) => {
        const start = bucketStart(time, g);
        expect(start % GRANULARITY_MS[g]).toBe(0);
        expect(start <= time && time < start + GRANULARITY_MS[g]).toBe(true);
      }),
    );
  });

  it('align a range to whole buckets, the partial last one included', () => {
    expect(alignRange(90_000, 150_000, 'minute', 10)).toEqual({ from: 60_000, to: 180_000, buckets: 2 });
    expect(alignRange(60_000, 120_000, 'minute', 10)).toEqual({ from: 60_000, to: 120_000, buckets: 1 });
  });

  it('name the field at fault', () => {
    expect(() => alignRange(10, 10, 'minute', 10)).toThrow(expect.objectContaining({ field: 'to' }));
    expect(() => alignRange(-1, 10, 'minute', 10)).toThrow(expect.objectContaining({ field: 'from' }));
    expect(() => alignRange(0, 11 * 60_000, 'minute', 10)).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'from' }),
    );
  });
});
