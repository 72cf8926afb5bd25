const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const number = new Intl.NumberFormat('en');

/** `Dec 2, 2026, 3:04 AM`, or an em dash for none. */
export const formatTime = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '—' : dateTime.format(ms);

export const formatNumber = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : number.format(n);

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `3 hours ago`, `in 2 days`, `just now`. */
export function formatRelative(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined) return 'never';
  const diff = ms - now;
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return relative.format(Math.round(diff / size), unit);
  }
  return 'just now';
}

/** A duration in ms as people say it: `1 min`, `10 s`, `2 h`, `1 day`. */
export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** `100 / 1 min` for a rate limit. */
export const formatLimit = (limit: { limit: number; duration: number }): string =>
  `${formatNumber(limit.limit)} / ${formatDuration(limit.duration)}`;
