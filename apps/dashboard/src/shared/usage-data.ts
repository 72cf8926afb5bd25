/** One point of `GET /v1/usage` (or the portal's usage), as the charts read it. */
export interface UsagePointLike {
  start: number;
  outcome?: string;
  keyId?: string | null;
  consumerId?: string | null;
  count: number;
}

export interface UsageSeriesLike {
  granularity: 'minute' | 'hour' | 'day';
  from: number;
  to: number;
  series: UsagePointLike[];
}

const STEP = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Columns for a chart: bucket starts (seconds, as uPlot wants), and one count per bucket for each group. */
export interface ChartColumns {
  x: number[];
  groups: Array<{ name: string; counts: number[] }>;
}

/**
 * Turns a (possibly grouped) usage series into chart columns: every bucket of the range,
 * zeros where a group had no traffic, groups ordered by their total (largest first).
 *
 * @example toColumns(series, (p) => p.outcome ?? 'total')
 */
export function toColumns(usage: UsageSeriesLike, groupOf: (point: UsagePointLike) => string): ChartColumns {
  const step = STEP[usage.granularity];
  const starts: number[] = [];
  for (let t = usage.from; t < usage.to; t += step) starts.push(t);
  const index = new Map(starts.map((t, i) => [t, i]));
  const groups = new Map<string, number[]>();
  for (const point of usage.series) {
    const i = index.get(point.start);
    if (i === undefined) continue;
    const name = groupOf(point);
    let counts = groups.get(name);
    if (counts === undefined) {
      counts = new Array<number>(starts.length).fill(0);
      groups.set(name, counts);
    }
    counts[i] = (counts[i] ?? 0) + point.count;
  }
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  return {
    x: starts.map((t) => t / 1000),
    groups: [...groups.entries()]
      .map(([name, counts]) => ({ name, counts }))
      .sort((a, b) => total(b.counts) - total(a.counts) || a.name.localeCompare(b.name)),
  };
}

/** Totals per group over the whole range, largest first (top keys, top consumers). */
export function topGroups(
  usage: UsageSeriesLike,
  groupOf: (point: UsagePointLike) => string | null,
  limit: number,
): Array<{ name: string; count: number }> {
  const totals = new Map<string, number>();
  for (const point of usage.series) {
    const name = groupOf(point);
    if (name === null) continue;
    totals.set(name, (totals.get(name) ?? 0) + point.count);
  }
  return [...totals.entries()]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** Colours of the verification outcomes: green for VALID, warm for refusals, grey for the rest. */
export const OUTCOME_COLORS: Record<string, string> = {
  VALID: '#15803d',
  RATE_LIMITED: '#d97706',
  USAGE_EXCEEDED: '#b45309',
  INSUFFICIENT_PERMISSIONS: '#7c3aed',
  FORBIDDEN_IP: '#db2777',
  FORBIDDEN_ORIGIN: '#be185d',
  NOT_FOUND: '#6b7280',
  REVOKED: '#b91c1c',
  EXPIRED: '#9a3412',
  DISABLED: '#475569',
};
const PALETTE = ['#2563eb', '#0891b2', '#65a30d', '#c026d3', '#ea580c', '#4f46e5', '#0d9488', '#be123c'];

/** Dry-run outcomes (`would_deny:<CODE>`, docs/dry-run.md) share one colour, apart from real refusals. */
const WOULD_DENY_COLOR = '#7c3aed';

export const colorFor = (name: string, i: number): string =>
  OUTCOME_COLORS[name] ??
  (name.startsWith('would_deny:') ? WOULD_DENY_COLOR : undefined) ??
  PALETTE[i % PALETTE.length] ??
  '#2563eb';
