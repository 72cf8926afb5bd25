import { KeywardError } from '../contracts/errors.js';

/** Rollup resolutions; each has its own table (`usage_minute`, `usage_hour`, `usage_day`). */
export const GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Bucket length in ms. Buckets are aligned to the Unix epoch, i.e. to UTC days. */
export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = Object.freeze({
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
});

/** Start of the bucket holding `time` (epoch ms). */
export const bucketStart = (time: number, granularity: Granularity): number => {
  const size = GRANULARITY_MS[granularity];
  return time - (((time % size) + size) % size);
};

export interface AlignedRange {
  /** First bucket start (inclusive). */
  from: number;
  /** End of the last bucket (exclusive); a multiple of the bucket length. */
  to: number;
  buckets: number;
}

/**
 * Widens `[from, to)` to whole buckets: `from` down to its bucket start, `to` up to the next
 * bucket boundary (so the current, partial bucket is included). `VALIDATION` naming the
 * field when the range is empty or spans more than `maxBuckets`.
 *
 * @example alignRange(90_000, 150_000, 'minute', 100) // { from: 60_000, to: 180_000, buckets: 2 }
 */
export function alignRange(
  from: number,
  to: number,
  granularity: Granularity,
  maxBuckets: number,
): AlignedRange {
  if (!Number.isSafeInteger(from) || from < 0) {
    throw new KeywardError('VALIDATION', 'from must be epoch milliseconds', { field: 'from' });
  }
  if (!Number.isSafeInteger(to) || to <= from) {
    throw new KeywardError('VALIDATION', 'to must be epoch milliseconds after from', { field: 'to' });
  }
  const size = GRANULARITY_MS[granularity];
  const start = bucketStart(from, granularity);
  const end = bucketStart(to - 1, granularity) + size;
  const buckets = (end - start) / size;
  if (buckets > maxBuckets) {
    throw new KeywardError(
      'VALIDATION',
      `from..to spans ${buckets} ${granularity} buckets; at most ${maxBuckets}: narrow the range or use a coarser granularity`,
      { field: 'from' },
    );
  }
  return { from: start, to: end, buckets };
}
