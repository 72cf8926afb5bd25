import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A duration such as `500ms`, `30s`, `15m`, `1h`, `7d`, `2w`, or bare milliseconds, in ms.
 *
 * @example parseDuration('1m', '--grace') // 60000
 */
export function parseDuration(raw: string, what: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)?$/.exec(raw.trim());
  const amount = match ? Number(match[1]) : Number.NaN;
  const unit = UNITS[match?.[2] ?? 'ms'] ?? 1;
  const ms = amount * unit;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new CliError(`${what} must be a positive duration like 30s, 15m, 1h, 7d (got "${raw}")`);
  }
  return ms;
}

/** `--expires`: a duration from now (`30d`) or a date/time (`2026-01-31`, `2026-01-31T12:00:00Z`), as epoch ms. */
export function parseExpires(raw: string, now: number): number {
  if (/^\d+(ms|s|m|h|d|w)$/.test(raw.trim())) return now + parseDuration(raw, '--expires');
  const at = /^\d{4}-\d{2}-\d{2}/.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new CliError(`--expires must be a duration like 30d or a date like 2026-01-31 (got "${raw}")`);
  }
  if (at <= now) throw new CliError(`--expires must be in the future (got "${raw}")`);
  return at;
}

export interface RateLimitSpec {
  name: string;
  limit: number;
  duration: number;
  /** Present only for `:dry-run` (docs/dry-run.md). */
  mode?: 'dry-run';
}

/**
 * `--ratelimit name:limit:duration[:dry-run]`, e.g. `requests:100:1m` (100 per minute);
 * `:dry-run` adds the limit in dry run (counted, never denies).
 *
 * @example parseRateLimit('burst:10:1s') // { name: 'burst', limit: 10, duration: 1000 }
 */
export function parseRateLimit(raw: string): RateLimitSpec {
  const parts = raw.split(':');
  const [name = '', limit = '', duration = '', mode] = parts;
  if (
    (parts.length !== 3 && !(parts.length === 4 && mode === 'dry-run')) ||
    !/^[A-Za-z0-9_.-]{1,64}$/.test(name) ||
    !/^[1-9]\d*$/.test(limit)
  ) {
    throw new CliError(
      `--ratelimit must look like name:limit:duration[:dry-run], e.g. requests:100:1m (got "${raw}")`,
    );
  }
  const spec = {
    name,
    limit: Number(limit),
    duration: parseDuration(duration, `--ratelimit ${name} duration`),
  };
  return mode === 'dry-run' ? { ...spec, mode: 'dry-run' } : spec;
}

/** A non-negative integer option such as `--credits 1000` or `--limit 20`. */
export function parseCount(raw: string, what: string, min = 0): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new CliError(`${what} must be an integer of at least ${min} (got "${raw}")`);
  }
  return value;
}

/** `--meta '{"plan":"pro"}'`: a JSON object. */
export function parseMeta(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new CliError('--meta must be a JSON object, e.g. \'{"plan":"pro"}\'');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError('--meta must be a JSON object, e.g. \'{"plan":"pro"}\'');
  }
  return value as Record<string, unknown>;
}

/** Commander collector for repeatable options (`--permission a --permission b`). */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];
