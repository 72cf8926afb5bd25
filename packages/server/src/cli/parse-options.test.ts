import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import {
  collect,
  parseCount,
  parseDuration,
  parseExpires,
  parseMeta,
  parseRateLimit,
} from './parse-options.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
  ])('%s → %d ms', (raw, ms) => {
    expect(parseDuration(raw, '--grace')).toBe(ms);
  });

  it.each(['0s', '', '1.5h', '-1m', '1y', 'm', '99999999999999999d'])(
    'rejects "%s" naming the option',
    (raw) => {
      expect(() => parseDuration(raw, '--grace')).toThrow(/^--grace must be a positive duration/);
    },
  );
});

describe('parseExpires', () => {
  it('takes a duration from now', () => {
    expect(parseExpires('30d', NOW)).toBe(NOW + 30 * 86_400_000);
  });

  it('takes a date or a date-time', () => {
    expect(parseExpires('2026-01-31', NOW)).toBe(Date.parse('2026-01-31T00:00:00Z'));
    expect(parseExpires('2026-01-31T12:30:00Z', NOW)).toBe(Date.parse('2026-01-31T12:30:00Z'));
  });

  it('rejects the past and nonsense', () => {
    expect(() => parseExpires('2020-01-01', NOW)).toThrow(
      '--expires must be in the future (got "2020-01-01")',
    );
    expect(() => parseExpires('tomorrow', NOW)).toThrow(/^--expires must be a duration like 30d/);
    expect(() => parseExpires('2026-13-45', NOW)).toThrow(CliError);
  });
});

describe('parseRateLimit', () => {
  it('reads name:limit:duration', () => {
    expect(parseRateLimit('requests:100:1m')).toEqual({ name: 'requests', limit: 100, duration: 60_000 });
    expect(parseRateLimit('burst:5:1000')).toEqual({ name: 'burst', limit: 5, duration: 1000 });
  });

  it('reads a :dry-run suffix as a dry-run limit', () => {
    expect(parseRateLimit('trial:10:1m:dry-run')).toEqual({
      name: 'trial',
      limit: 10,
      duration: 60_000,
      mode: 'dry-run',
    });
  });

  it.each([
    'requests:100',
    'requests:0:1m',
    ':10:1s',
    'a:b:c',
    'x:10:1m:extra',
    'x:10:1m:enforce:1',
    'sp ace:1:1s',
  ])('rejects "%s"', (raw) => {
    expect(() => parseRateLimit(raw)).toThrow(CliError);
  });

  it('names the limit when its duration is wrong', () => {
    expect(() => parseRateLimit('requests:10:soon')).toThrow(
      '--ratelimit requests duration must be a positive duration',
    );
  });
});

describe('parseCount, parseMeta, collect', () => {
  it('parses counts with a minimum', () => {
    expect(parseCount('1000', '--credits')).toBe(1000);
    expect(parseCount('0', '--credits')).toBe(0);
    expect(() => parseCount('0', '--limit', 1)).toThrow('--limit must be an integer of at least 1 (got "0")');
    expect(() => parseCount('1e3', '--credits')).toThrow(CliError);
  });

  it('parses a JSON object for --meta', () => {
    expect(parseMeta('{"plan":"pro","seats":3}')).toEqual({ plan: 'pro', seats: 3 });
    for (const raw of ['[1]', 'null', '"x"', '{bad'])
      expect(() => parseMeta(raw)).toThrow(/^--meta must be a JSON object/);
  });

  it('collects repeated options in order', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });
});
