import * as protocol from '@keyward/protocol';
import { describe, expect, it } from 'vitest';
import {
  describeFieldError,
  describeFieldErrors,
  flagOfField,
  PATTERN_RULES,
  plainMessage,
  withFlags,
} from './flag-errors.js';

describe('flagOfField', () => {
  it.each([
    ['querystring.limit', '--limit'],
    ['body.prefix', '--prefix'],
    ['body.externalId', '--external-id'],
    ['body.apiId', '--api'],
    ['querystring.consumerId', '--consumer'],
    ['body.expiresAt', '--expires'],
    ['body.gracePeriodMs', '--grace'],
    ['body.permissions[2]', '--permission #3'],
    ['body.ratelimits[0].limit', '--ratelimit #1 limit'],
    ['body.credits.remaining', '--credits remaining'],
    ['body.url', '<url>'],
    ['params.id', '<id>'],
    ['not-a-wire-path', 'not-a-wire-path'],
  ])('%s is %s', (field, flag) => {
    expect(flagOfField(field)).toBe(flag);
  });

  it("takes a command's own names first, longest prefix winning", () => {
    const own = { 'body.credits.cost': '--cost', body: '--never' };
    expect(flagOfField('body.credits.cost', own)).toBe('--cost');
    expect(flagOfField('body.credits', { 'body.credits.cost': '--cost' })).toBe('--credits');
    expect(flagOfField('body.disabledReason', { 'body.disabledReason': '--reason' })).toBe('--reason');
  });
});

describe('plainMessage', () => {
  it.each([
    ['must be <= 100', 'must be at most 100'],
    ['must be >= 1', 'must be at least 1'],
    ['must NOT have more than 200 characters', 'must be at most 200 characters long'],
    ['must NOT have fewer than 1 characters', 'must not be empty'],
    ['must NOT have more than 50 items', 'can be given at most 50 times'],
    [
      'must NOT have duplicate items (items ## 1 and 0 are identical)',
      'must not be given twice with the same value',
    ],
    ['must be integer', 'must be a whole number'],
    [
      'must match pattern "^[a-z][a-z0-9_]{1,15}$"',
      'must be 2-16 lowercase letters, digits or _, starting with a letter',
    ],
    ['must match pattern "^x+$"', 'is not in the expected format'],
    ['is required', 'is required'],
    ['must be one of "daily", "monthly"', 'must be one of "daily", "monthly"'],
  ])('%s → %s', (message, plain) => {
    expect(plainMessage(message)).toBe(plain);
  });

  it('has a readable rule for every pattern of the wire schemas', () => {
    const patterns = new Set<string>();
    JSON.stringify(protocol, (key, value: unknown) => {
      if (key === 'pattern' && typeof value === 'string') patterns.add(value);
      return value;
    });
    expect(patterns.size).toBeGreaterThan(3);
    expect([...patterns].filter((pattern) => PATTERN_RULES[pattern] === undefined)).toEqual([]);
  });
});

describe('describeFieldErrors', () => {
  it('joins every field error into one line of flags, never wire paths', () => {
    const line = describeFieldErrors([
      { field: 'body.prefix', message: 'must match pattern "^[a-z][a-z0-9_]{1,15}$"' },
      { field: 'querystring.limit', message: 'must be <= 100' },
    ]);
    expect(line).toBe(
      '--prefix must be 2-16 lowercase letters, digits or _, starting with a letter; --limit must be at most 100',
    );
    expect(line).not.toMatch(/body\.|querystring\.|pattern/);
  });
});

describe('messages that carry their field', () => {
  it.each([
    [
      { field: 'body.ip', message: 'body.ip is not an IPv4 or IPv6 address' },
      '--ip is not an IPv4 or IPv6 address',
    ],
    [
      { field: 'body.allowedIps[0]', message: 'body.allowedIps[0] is not an IP address or CIDR' },
      '--allowed-ip #1 is not an IP address or CIDR',
    ],
    [
      { field: 'body.permissions', message: 'permissions: unexpected end of query at position 7' },
      '--permission: unexpected end of query at position 7',
    ],
    [
      { field: 'body.url', message: 'body.url must be an http or https URL' },
      '<url> must be an http or https URL',
    ],
  ])('%o → %s', (error, line) => {
    expect(describeFieldError(error)).toBe(line);
  });

  it('replaces wire paths inside a sentence', () => {
    expect(withFlags('body.externalId "acme" is taken by querystring.consumerId')).toBe(
      '--external-id "acme" is taken by --consumer',
    );
    expect(withFlags('API not found')).toBe('API not found');
  });
});
