import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeywardError } from '../contracts/errors.js';
import {
  compilePermissions,
  evaluatePermissionQuery,
  formatPermissionQuery,
  type PermissionQuery,
  parsePermissionQuery,
  permissionMatches,
  requiredPermissions,
  validatePermission,
} from './permissions.js';

const parseError = (query: string): KeywardError => {
  try {
    parsePermissionQuery(query);
  } catch (error) {
    if (error instanceof KeywardError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
};

describe('permissionMatches', () => {
  it.each([
    ['sessions:read', 'sessions:read', true],
    ['sessions:read', 'sessions:write', false],
    ['sessions:read', 'Sessions:read', false],
    ['sessions:*', 'sessions:read', true],
    ['sessions:*', 'sessions:read:own', true],
    ['sessions:*', 'sessions', false],
    ['sessions:*', 'chargers:read', false],
    ['*', 'anything:at:all', true],
    ['*', 'admin', true],
    ['*:read', 'sessions:read', true],
    ['*:read', 'sessions:read:own', false],
    ['*:read', 'sessions:write', false],
    ['a:*:c', 'a:b:c', true],
    ['a:*:c', 'a:b:x:c', false],
    ['api.*.keys:read', 'api.1.keys:read', false],
    ['api.1.keys:read', 'api.1.keys:read', true],
    ['a:b', 'a:b:c', false],
    ['a:b:c', 'a:b', false],
  ])('%s grants %s: %s', (granted, required, expected) => {
    expect(permissionMatches(granted, required)).toBe(expected);
  });
});

describe('validatePermission', () => {
  it.each(['a', 'sessions:read', 'sessions:*', '*', 'api.api_1.keys:read', 'x-y_z:1'])('accepts %s', (p) => {
    expect(validatePermission(p)).toBe(true);
  });
  it.each(['', 'a::b', ':a', 'a:', 'sess*:read', 'a b', 'é', 'AND', 'or', 'a'.repeat(257)])(
    'rejects %j',
    (p) => {
      expect(validatePermission(p)).toBe(false);
    },
  );
});

describe('parsePermissionQuery', () => {
  const p = (permission: string): PermissionQuery => ({ kind: 'permission', permission });

  it('binds AND tighter than OR', () => {
    expect(parsePermissionQuery('a OR b AND c')).toEqual({
      kind: 'or',
      operands: [p('a'), { kind: 'and', operands: [p('b'), p('c')] }],
    });
  });

  it('honours parentheses and case-insensitive operators', () => {
    expect(parsePermissionQuery('sessions:read and (chargers:read Or admin)')).toEqual({
      kind: 'and',
      operands: [p('sessions:read'), { kind: 'or', operands: [p('chargers:read'), p('admin')] }],
    });
    expect(parsePermissionQuery('((a))')).toEqual(p('a'));
    expect(parsePermissionQuery('a AND(b)OR c')).toEqual({
      kind: 'or',
      operands: [{ kind: 'and', operands: [p('a'), p('b')] }, p('c')],
    });
  });

  it.each([
    ['sessions:read AND chargers:read)', 'permissions: unexpected ")" at position 31'],
    ['a AND', 'permissions: unexpected end of query at position 5'],
    ['OR a', 'permissions: unexpected "OR" at position 0'],
    ['a b', 'permissions: unexpected "b" at position 2'],
    ['(a OR b', 'permissions: unclosed "(" at position 0'],
    ['a AND ()', 'permissions: unexpected ")" at position 7'],
    ['a AND b!', 'permissions: unexpected "!" at position 7'],
    ['a AND b::c', 'permissions: invalid permission "b::c" at position 6'],
    ['', 'permissions: empty query at position 0'],
    ['   ', 'permissions: empty query at position 0'],
  ])('rejects %j with a 0-based position', (query, message) => {
    const error = parseError(query);
    expect(error.code).toBe('VALIDATION');
    expect(error.field).toBe('permissions');
    expect(error.message).toBe(message);
  });

  it('limits length and nesting', () => {
    const deep = (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`;
    expect(parsePermissionQuery(deep(32))).toEqual(p('a'));
    expect(parseError(deep(33)).message).toBe('permissions: nesting deeper than 32 at position 32');
    const long = Array.from({ length: 200 }, () => 'ab').join(' OR ');
    expect(long.length).toBeGreaterThan(1000);
    expect(parseError(long).message).toBe('permissions: query longer than 1000 characters');
  });

  it('takes a permission and a query of exactly the maximum length, and nothing longer', () => {
    expect(validatePermission('a'.repeat(256))).toBe(true);
    expect(validatePermission('a'.repeat(257))).toBe(false);
    const longest = `${'ab OR '.repeat(166)}abcd`;
    expect(longest).toHaveLength(1000);
    expect(parsePermissionQuery(longest).kind).toBe('or');
  });

  it('prints with only the parentheses the precedence needs', () => {
    for (const [query, printed] of [
      ['a AND b OR c', 'a AND b OR c'],
      ['(a AND b) OR c', 'a AND b OR c'],
      ['(a OR b) AND c', '(a OR b) AND c'],
      ['a OR (b OR c)', 'a OR (b OR c)'],
      ['a AND (b AND c)', 'a AND (b AND c)'],
      ['(a)', 'a'],
    ] as const) {
      expect(formatPermissionQuery(parsePermissionQuery(query)), query).toBe(printed);
    }
  });

  it('lists required permissions once each', () => {
    expect(requiredPermissions(parsePermissionQuery('a AND (b OR a) AND c:*'))).toEqual(['a', 'b', 'c:*']);
  });
});

describe('evaluatePermissionQuery', () => {
  it.each([
    ['sessions:read AND (chargers:read OR admin)', ['sessions:*', 'admin'], true],
    ['sessions:read AND (chargers:read OR admin)', ['sessions:read'], false],
    ['sessions:read OR chargers:read AND admin', ['sessions:read'], true],
    ['sessions:read OR chargers:read AND admin', ['chargers:read'], false],
    ['anything AND else', ['*'], true],
    ['a', [], false],
  ])('%s with %j: %s', (query, granted, expected) => {
    expect(evaluatePermissionQuery(parsePermissionQuery(query), granted)).toBe(expected);
  });
});

// ---- properties ----

const segment = fc.constantFrom('a', 'b', 'c', 'read', 'x.y', '*');
const permissionArb = fc
  .array(segment, { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join(':'))
  .filter(validatePermission);
const requiredArb = fc
  .array(fc.constantFrom('a', 'b', 'c', 'read', 'x.y'), { minLength: 1, maxLength: 4 })
  .map((s) => s.join(':'));

const queryArb: fc.Arbitrary<PermissionQuery> = fc.letrec<{ node: PermissionQuery }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    requiredArb.map((permission): PermissionQuery => ({ kind: 'permission', permission })),
    fc
      .record({
        kind: fc.constantFrom<'and' | 'or'>('and', 'or'),
        operands: fc.array(tie('node'), { minLength: 2, maxLength: 3 }),
      })
      .map((n): PermissionQuery => n),
  ),
})).node;

/** Independent matcher: the granted permission as a regular expression. */
const referenceMatch = (granted: string, required: string): boolean => {
  if (granted === '*') return true;
  const parts = granted
    .split(':')
    .map((s) => (s === '*' ? '[^:]+' : s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')));
  const source = granted.endsWith(':*') ? `${parts.slice(0, -1).join(':')}:[^:]+(:[^:]+)*` : parts.join(':');
  return new RegExp(`^${source}$`).test(required);
};

/** Independent evaluator: JavaScript's own && / || precedence over the printed text. */
const referenceEvaluate = (text: string, granted: readonly string[]): boolean => {
  const js = text.replace(/[A-Za-z0-9_.:*-]+/g, (word) => {
    const upper = word.toUpperCase();
    if (upper === 'AND') return '&&';
    if (upper === 'OR') return '||';
    return String(granted.some((g) => referenceMatch(g, word)));
  });
  return new Function(`return (${js});`)() as boolean;
};

/** Prints with random operator case and redundant parentheses/whitespace. */
const noisyPrint = (q: PermissionQuery, noise: () => number): string => {
  if (q.kind === 'permission') return noise() > 0.8 ? `( ${q.permission} )` : q.permission;
  const words = q.kind === 'and' ? ['AND', 'and', 'And'] : ['OR', 'or', 'oR'];
  return `(${q.operands.map((o) => noisyPrint(o, noise)).join(` ${words[Math.floor(noise() * 3)]}\t`)})`;
};

describe('permission properties', () => {
  it('matching agrees with a regular-expression reference', () => {
    fc.assert(
      fc.property(permissionArb, requiredArb, (granted, required) => {
        expect(permissionMatches(granted, required)).toBe(referenceMatch(granted, required));
      }),
      { numRuns: 5000 },
    );
  });

  it('compiled grants cover exactly what one of the grants matches, malformed grants included', () => {
    // Stored permissions are validated on write; the matcher must agree even on ones that are not.
    const anyGrant = fc.oneof(
      permissionArb,
      fc.string({ unit: fc.constantFrom('a', 'b', ':', '*', '.'), maxLength: 8 }),
    );
    const anyRequired = fc.oneof(
      requiredArb,
      fc.string({ unit: fc.constantFrom('a', 'b', ':', '*'), maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(anyGrant, { maxLength: 5 }), anyRequired, (granted, required) => {
        const expected = granted.some((g) => permissionMatches(g, required));
        expect(compilePermissions(granted).covers(required)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('printing then parsing gives back the tree', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        expect(parsePermissionQuery(formatPermissionQuery(query))).toEqual(query);
      }),
      { numRuns: 2000 },
    );
  });

  it('evaluation matches a reference evaluator', () => {
    fc.assert(
      fc.property(
        queryArb,
        fc.array(permissionArb, { maxLength: 4 }),
        fc.infiniteStream(fc.double({ min: 0, max: 0.999, noNaN: true })),
        (query, granted, stream) => {
          const text = noisyPrint(query, () => stream.next().value);
          fc.pre(text.length <= 1000);
          const parsed = parsePermissionQuery(text);
          expect(evaluatePermissionQuery(parsed, granted)).toBe(referenceEvaluate(text, granted));
          expect(evaluatePermissionQuery(query, granted)).toBe(referenceEvaluate(text, granted));
          expect(evaluatePermissionQuery(parsed, compilePermissions(granted))).toBe(
            referenceEvaluate(text, granted),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('random input never throws anything but a VALIDATION KeywardError', () => {
    const alphabet = fc.constantFrom(
      'a',
      ':',
      '*',
      '(',
      ')',
      ' ',
      'AND',
      'OR',
      'and',
      '!',
      '\u00e9',
      '\n',
      '-',
      'ab',
    );
    const input = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')),
      // Well-formed nested queries too (printed by the test's own printer), so that the round
      // trip below is exercised, not only the errors.
      queryArb.map((query) => noisyPrint(query, () => 0.5)),
    );
    fc.assert(
      fc.property(input, (query) => {
        let parsed: ReturnType<typeof parsePermissionQuery>;
        try {
          parsed = parsePermissionQuery(query);
        } catch (error) {
          // Only the parse of the random input may fail, and only as a VALIDATION naming where.
          expect(error).toBeInstanceOf(KeywardError);
          expect((error as KeywardError).code).toBe('VALIDATION');
          expect((error as KeywardError).message).toMatch(/^permissions: .*(position \d+|characters)$/);
          return;
        }
        // A query that parsed must print to one that parses back to the same tree: no error is acceptable here.
        expect(parsePermissionQuery(formatPermissionQuery(parsed))).toEqual(parsed);
      }),
      { numRuns: 10_000 },
    );
  });
});
