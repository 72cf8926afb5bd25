import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderLimits, rateLimitHeaders, secondsUntil, sfString } from './ratelimit-headers.js';

const NOW = 1_700_000_000_000;

/** A strict reader of the lists we write: `"name";k=int;k=int, ...` (an RFC 8941 subset). */
const ITEM = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"((?:;[a-z]+=\d{1,15})+)(, |$)/;
const parseList = (value: string) => {
  const items: Array<{ name: string; params: Record<string, string> }> = [];
  let rest = value;
  while (rest.length > 0) {
    const m = ITEM.exec(rest);
    if (m === null) throw new Error(`not an sf list: ${value}`);
    if (m[3] === ', ' && m[0].length === rest.length) throw new Error(`trailing comma: ${value}`);
    const params = Object.fromEntries(
      (m[2] ?? '')
        .slice(1)
        .split(';')
        .map((p) => p.split('=') as [string, string]),
    );
    items.push({ name: (m[1] ?? '').replace(/\\(.)/g, '$1'), params });
    rest = rest.slice(m[0].length);
  }
  return items;
};

describe('rateLimitHeaders', () => {
  it('writes nothing when no limit applied', () => {
    expect(rateLimitHeaders([], NOW)).toBeNull();
  });

  it('gives each window in whole seconds (w=)', () => {
    const headers = rateLimitHeaders(
      [
        { name: 'per-day', limit: 5000, remaining: 4870, reset: NOW + 51_000_000, duration: 86_400_000 },
        { name: 'per-minute', limit: 100, remaining: 0, reset: NOW + 41_200, duration: 60_000 },
        { name: 'burst', limit: 5, remaining: 3, reset: NOW + 400, duration: 500 },
      ],
      NOW,
    );
    expect(headers).toEqual({
      'ratelimit-policy': '"per-minute";q=100;w=60, "burst";q=5;w=1, "per-day";q=5000;w=86400',
      ratelimit: '"per-minute";r=0;t=42, "burst";r=3;t=1, "per-day";r=4870;t=51000',
    });
  });

  it('puts the most restrictive limit first and keeps one item per name', () => {
    const limits = [
      { name: 'day', limit: 100, remaining: 50, reset: NOW + 1000 },
      { name: 'min', limit: 10, remaining: 2, reset: NOW + 1000 },
      { name: 'burst', limit: 5, remaining: 2, reset: NOW + 5000 },
      { name: 'min', limit: 20, remaining: 19, reset: NOW + 1000 },
    ];
    expect(orderLimits(limits).map((l) => `${l.name}:${l.remaining}`)).toEqual([
      'burst:2',
      'min:2',
      'day:50',
    ]);
  });

  it('always writes well-formed structured fields that round-trip', () => {
    const limit = fc.record({
      name: fc.string({ minLength: 1, maxLength: 20 }),
      limit: fc.integer({ min: 1, max: 1e12 }),
      remaining: fc.integer({ min: 0, max: 1e12 }),
      reset: fc.integer({ min: NOW - 10_000, max: NOW + 1e10 }),
      duration: fc.integer({ min: 1, max: 1e10 }),
    });
    fc.assert(
      fc.property(fc.array(limit, { minLength: 1, maxLength: 5 }), (limits) => {
        const headers = rateLimitHeaders(limits, NOW);
        if (headers === null) throw new Error('expected headers');
        const policy = parseList(headers['ratelimit-policy']);
        const state = parseList(headers.ratelimit);
        const ordered = orderLimits(limits);
        expect(policy.map((p) => p.name)).toEqual(state.map((x) => x.name));
        expect(policy.map((p) => p.params.q)).toEqual(ordered.map((l) => String(l.limit)));
        expect(state.map((s) => Number(s.params.r))).toEqual(ordered.map((l) => l.remaining));
        expect(state.map((s) => Number(s.params.t))).toEqual(ordered.map((l) => secondsUntil(l.reset, NOW)));
        expect(policy.map((p) => p.params.w)).toEqual(
          ordered.map((l) => String(Math.ceil(l.duration / 1000))),
        );
        for (let i = 1; i < ordered.length; i++) {
          expect((ordered[i]?.remaining ?? 0) >= (ordered[i - 1]?.remaining ?? 0)).toBe(true);
        }
      }),
    );
  });
});

describe('sfString', () => {
  it('escapes quotes and backslashes and replaces what an sf-string cannot hold', () => {
    expect(sfString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(sfString('caf\u00e9\n\u{1f600}')).toBe('"caf???"');
  });
});

describe('secondsUntil', () => {
  it('rounds up and never goes negative', () => {
    expect(secondsUntil(NOW + 1, NOW)).toBe(1);
    expect(secondsUntil(NOW + 1000, NOW)).toBe(1);
    expect(secondsUntil(NOW - 5000, NOW)).toBe(0);
  });
});
