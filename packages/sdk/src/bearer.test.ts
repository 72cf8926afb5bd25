import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorizationLines,
  hasQueryToken,
  headerLines,
  MAX_TOKEN_LENGTH,
  parseAuthorization,
  parseBearerValue,
  parseCombinedAuthorization,
} from './bearer.js';

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Header values near and far from the grammar: random text, and Bearer with odd separators and tokens. */
const anyHeader = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer-', 'Bear', ' Bearer'),
      fc.constantFrom('', ' ', '  ', '\t', ':', ' \t'),
      fc.stringMatching(/^[A-Za-z0-9\-._~+/= ,"\t]{0,40}$/),
      fc.constantFrom('', ' ', '\t', '=', '\u00e9'),
    )
    .map((parts) => parts.join('')),
);

describe('parseBearerValue', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['BeArEr abc', 'abc'],
    ['Bearer    abc', 'abc'],
    ['  Bearer abc \t', 'abc'],
    ['Bearer amp_live_3kTq9fQ2', 'amp_live_3kTq9fQ2'],
    ['Bearer a-._~+/b==', 'a-._~+/b=='],
  ])('accepts %j', (value, token) => {
    expect(parseBearerValue(value)).toEqual({ kind: 'ok', token });
  });

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer\tabc',
    'Bearer  ',
    'Bearer a b',
    'Bearer a=b',
    'Bearer =abc',
    'Bearer abc,def',
    'Bearer "abc"',
    'Bearer ab\u00e9',
    'Bearer ab\r\ncd',
    'Bearer ab\u0000',
    'Bearer:abc',
  ])('calls %j malformed', (value) => {
    expect(parseBearerValue(value)).toEqual({ kind: 'malformed' });
  });

  it.each([
    '',
    ' ',
    '\t',
    'Basic dXNlcjpwYXNz',
    'Token abc',
    'Bearerabc',
    'Bearer-x abc',
    'Digest a="b", c="d"',
    '\u00e9',
  ])('calls %j missing (no Bearer credentials: RFC 6750 §3.1)', (value) => {
    expect(parseBearerValue(value)).toEqual({ kind: 'missing' });
  });

  it('rejects tokens longer than the verify API accepts', () => {
    expect(parseBearerValue(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}`)).toEqual({
      kind: 'ok',
      token: 'a'.repeat(MAX_TOKEN_LENGTH),
    });
    expect(parseBearerValue(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`)).toEqual({ kind: 'malformed' });
  });

  it('agrees with the RFC 6750 grammar on any input', () => {
    fc.assert(
      fc.property(anyHeader, (value) => {
        const result = parseBearerValue(value);
        const trimmed = value.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
        const match = /^bearer( +)(.*)$/is.exec(trimmed);
        const bearerScheme = /^bearer(?![!#$%&'*+\-.^_`|~0-9A-Za-z])/i.test(trimmed);
        expect(result.kind === 'missing').toBe(!bearerScheme);
        if (result.kind === 'ok') {
          expect(match).not.toBeNull();
          expect(result.token).toBe(match?.[2]);
          expect(TOKEN68.test(result.token)).toBe(true);
        } else if (result.kind === 'malformed') {
          expect(
            match !== null && TOKEN68.test(match[2] ?? '') && (match[2] ?? '').length <= MAX_TOKEN_LENGTH,
          ).toBe(false);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('accepts every well-formed credential whatever the scheme case and spacing', () => {
    const scheme = fc
      .array(fc.boolean(), { minLength: 6, maxLength: 6 })
      .map((upper) => [...'bearer'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    const token = fc
      .tuple(fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,200}$/), fc.nat({ max: 3 }))
      .map(([body, pad]) => body + '='.repeat(pad));
    fc.assert(
      fc.property(scheme, fc.integer({ min: 1, max: 5 }), token, (s, spaces, t) => {
        expect(parseBearerValue(`${s}${' '.repeat(spaces)}${t}`)).toEqual({ kind: 'ok', token: t });
      }),
    );
  });
});

describe('parseAuthorization', () => {
  it('sees no header as missing and two headers as a duplicate, even when both are valid', () => {
    expect(parseAuthorization([])).toEqual({ kind: 'missing' });
    expect(parseAuthorization(['Bearer a', 'Bearer a'])).toEqual({ kind: 'duplicate' });
    expect(parseAuthorization(['', 'Bearer a'])).toEqual({ kind: 'duplicate' });
  });
});

describe('parseCombinedAuthorization (Fetch Headers join repeats with ", ")', () => {
  it.each([
    ['Bearer a, Bearer b', 'duplicate'],
    ['Bearer a, Basic b', 'duplicate'],
    ['Bearer a,Bearer b', 'duplicate'],
    ['Bearer a,b', 'malformed'],
    ['Bearer a,', 'malformed'],
    ['Digest username="a", realm="b"', 'missing'],
    ['Bearer abc', 'ok'],
  ])('%j is %s', (value, kind) => {
    expect(parseCombinedAuthorization(value).kind).toBe(kind);
  });

  it('treats an absent header as missing', () => {
    expect(parseCombinedAuthorization(null)).toEqual({ kind: 'missing' });
    expect(parseCombinedAuthorization(undefined)).toEqual({ kind: 'missing' });
  });
});

describe('authorizationLines', () => {
  it('collects every Authorization line of rawHeaders, any case', () => {
    const raw = ['Host', 'x', 'authorization', 'Bearer a', 'X-Other', 'y', 'AUTHORIZATION', 'Bearer b'];
    expect(authorizationLines(raw)).toEqual(['Bearer a', 'Bearer b']);
    expect(authorizationLines(['Proxy-Authorization', 'Bearer a'])).toEqual([]);
  });

  it('keeps, in order, exactly the values of the lines named like the header in any case', () => {
    const name = fc.constantFrom(
      'Authorization',
      'authorization',
      'X-Api-Key',
      'x-api-KEY',
      'Authorizatio',
      'Host',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string())), (lines) => {
        const raw = lines.flat();
        const expected = lines.filter(([n]) => n.toLowerCase() === 'x-api-key').map(([, value]) => value);
        expect(headerLines(raw, 'x-api-key')).toEqual(expected);
        expect(authorizationLines(raw)).toEqual(
          lines.filter(([n]) => n.toLowerCase() === 'authorization').map(([, value]) => value),
        );
      }),
    );
  });
});

describe('hasQueryToken', () => {
  it.each([
    ['/stations?access_token=abc', true],
    ['/stations?x=1&access_token=', true],
    ['/stations?access_token', true],
    ['/stations?access%5Ftoken=abc', true],
    ['http://host/stations?a=b&access_token=abc#frag', true],
    ['/stations', false],
    ['/stations?token=abc', false],
    ['/stations?access_tokens=abc', false],
    ['/access_token', false],
    ['/stations#?access_token=abc', false],
  ])('%j → %s', (target, expected) => {
    expect(hasQueryToken(target)).toBe(expected);
  });
});
