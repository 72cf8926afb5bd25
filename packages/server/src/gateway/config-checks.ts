import { type ConfigIssue, type ConfigPath, type ConfigSource, formatPath } from './config-source.js';

/** Longest timeout or interval a gateway file accepts: one hour. */
export const MAX_MS = 3_600_000;

/**
 * Small typed readers over a parsed config document. Each reader returns the value or
 * `undefined`, and records an issue (located at the offending node) when the value is wrong,
 * so one pass reports every problem at once.
 */
export class ConfigChecker {
  readonly issues: ConfigIssue[] = [];
  readonly #source: ConfigSource;

  constructor(source: ConfigSource) {
    this.#source = source;
  }

  fail(path: ConfigPath, message: string, at: 'value' | 'key' = 'value'): undefined {
    this.issues.push({ ...this.#source.locate(path, at), field: formatPath(path), message });
    return undefined;
  }

  /** A mapping whose keys are all in `allowed` (unknown keys are reported, typos included). */
  object(value: unknown, path: ConfigPath, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `must be a mapping (got ${describe(value)})`);
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key)) {
        const hint = allowed.find((name) => distance(name.toLowerCase(), key.toLowerCase()) <= 2);
        this.fail(
          [...path, key],
          `unknown field${hint ? ` (did you mean "${hint}"?)` : `; allowed: ${allowed.join(', ')}`}`,
          'key',
        );
      }
    }
    return record;
  }

  array(value: unknown, path: ConfigPath, { min = 0 }: { min?: number } = {}): unknown[] | undefined {
    if (!Array.isArray(value)) return this.fail(path, `must be a list (got ${describe(value)})`);
    if (value.length < min)
      return this.fail(path, `must have at least ${min} entr${min === 1 ? 'y' : 'ies'}`);
    return value;
  }

  string(
    value: unknown,
    path: ConfigPath,
    { pattern, what }: { pattern?: RegExp; what?: string } = {},
  ): string | undefined {
    if (typeof value !== 'string' || value.length === 0) {
      return this.fail(path, `must be a non-empty string (got ${describe(value)})`);
    }
    if (pattern && !pattern.test(value))
      return this.fail(path, `must be ${what ?? `a string matching ${pattern}`}`);
    return value;
  }

  integer(value: unknown, path: ConfigPath, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      return this.fail(path, `must be an integer from ${min} to ${max} (got ${describe(value)})`);
    }
    return value;
  }

  boolean(value: unknown, path: ConfigPath): boolean | undefined {
    if (typeof value !== 'boolean') return this.fail(path, `must be true or false (got ${describe(value)})`);
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** Levenshtein distance, for "did you mean" hints on short field names. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost);
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
