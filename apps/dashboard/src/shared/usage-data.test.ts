import { describe, expect, it } from 'vitest';
import { colorFor, toColumns, topGroups, type UsageSeriesLike } from './usage-data.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2030, 0, 1);

const series: UsageSeriesLike = {
  granularity: 'hour',
  from: T0,
  to: T0 + 4 * HOUR,
  series: [
    { start: T0, outcome: 'VALID', keyId: 'key_a', count: 3 },
    { start: T0, outcome: 'RATE_LIMITED', keyId: 'key_b', count: 1 },
    { start: T0 + 2 * HOUR, outcome: 'VALID', keyId: 'key_b', count: 5 },
    // Outside the range: ignored.
    { start: T0 + 9 * HOUR, outcome: 'VALID', keyId: 'key_a', count: 100 },
  ],
};

describe('toColumns', () => {
  it('has every bucket of the range, zeros where a group had no traffic, largest group first', () => {
    const columns = toColumns(series, (p) => p.outcome ?? 'total');
    expect(columns.x).toEqual([0, 1, 2, 3].map((h) => (T0 + h * HOUR) / 1000));
    expect(columns.groups).toEqual([
      { name: 'VALID', counts: [3, 0, 5, 0] },
      { name: 'RATE_LIMITED', counts: [1, 0, 0, 0] },
    ]);
  });

  it('sums points that fall into one group', () => {
    const columns = toColumns(series, () => 'all');
    expect(columns.groups).toEqual([{ name: 'all', counts: [4, 0, 5, 0] }]);
  });

  it('has no group for an empty series', () => {
    expect(toColumns({ ...series, series: [] }, () => 'x').groups).toEqual([]);
  });
});

describe('topGroups', () => {
  it('totals per group, largest first, without the null group, at most `limit`', () => {
    expect(topGroups(series, (p) => p.keyId ?? null, 5)).toEqual([
      { name: 'key_a', count: 103 },
      { name: 'key_b', count: 6 },
    ]);
    expect(topGroups(series, (p) => p.keyId ?? null, 1)).toHaveLength(1);
    expect(topGroups(series, () => null, 5)).toEqual([]);
  });
});

describe('colorFor', () => {
  it('gives VALID green and any other group a palette colour', () => {
    expect(colorFor('VALID', 3)).toBe('#15803d');
    expect(colorFor('key_x', 0)).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('gives every dry-run would-deny outcome one violet, whatever its place', () => {
    expect(colorFor('would_deny:RATE_LIMITED', 0)).toBe('#7c3aed');
    expect(colorFor('would_deny:FORBIDDEN_IP', 5)).toBe('#7c3aed');
  });
});
