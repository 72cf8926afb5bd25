import { describe, expect, it } from 'vitest';
import { KeywardError } from './errors.js';
import { createFailureThrottle } from './throttle.js';

const T = 1_700_000_000_000;

describe('createFailureThrottle', () => {
  it('blocks a client after maxFailures within the window, for blockMs', () => {
    const throttle = createFailureThrottle({ maxFailures: 3, windowMs: 1000, blockMs: 5000 });
    throttle.fail('203.0.113.1', T);
    throttle.fail('203.0.113.1', T + 10);
    expect(throttle.blocked('203.0.113.1', T + 20)).toBe(0);
    throttle.fail('203.0.113.1', T + 20);
    expect(throttle.blocked('203.0.113.1', T + 20)).toBe(5000);
    expect(throttle.blocked('203.0.113.1', T + 5019)).toBe(1);
    expect(throttle.blocked('203.0.113.1', T + 5020)).toBe(0);
    expect(throttle.blocked('203.0.113.2', T + 20)).toBe(0);
  });

  it('counts failures in a fixed window', () => {
    const throttle = createFailureThrottle({ maxFailures: 3, windowMs: 1000, blockMs: 5000 });
    throttle.fail('198.51.100.1', T);
    throttle.fail('198.51.100.1', T + 999);
    throttle.fail('198.51.100.1', T + 1000);
    expect(throttle.blocked('198.51.100.1', T + 1000)).toBe(0);
    throttle.fail('198.51.100.1', T + 1001);
    throttle.fail('198.51.100.1', T + 1002);
    expect(throttle.blocked('198.51.100.1', T + 1002)).toBe(5000);
  });

  it('does not extend a block on further failures, and starts fresh after it', () => {
    const throttle = createFailureThrottle({ maxFailures: 2, windowMs: 60_000, blockMs: 1000 });
    throttle.fail('192.0.2.1', T);
    throttle.fail('192.0.2.1', T);
    throttle.fail('192.0.2.1', T + 500);
    expect(throttle.blocked('192.0.2.1', T + 500)).toBe(500);
    throttle.fail('192.0.2.1', T + 1000);
    expect(throttle.blocked('192.0.2.1', T + 1000)).toBe(0);
    throttle.fail('192.0.2.1', T + 1001);
    expect(throttle.blocked('192.0.2.1', T + 1001)).toBe(1000);
  });

  it('forgets failures on success, but not an active block', () => {
    const throttle = createFailureThrottle({ maxFailures: 2, windowMs: 60_000, blockMs: 1000 });
    throttle.fail('192.0.2.7', T);
    throttle.succeed('192.0.2.7');
    throttle.fail('192.0.2.7', T + 1);
    expect(throttle.blocked('192.0.2.7', T + 1)).toBe(0);
    throttle.fail('192.0.2.7', T + 2);
    throttle.succeed('192.0.2.7');
    expect(throttle.blocked('192.0.2.7', T + 2)).toBe(1000);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped addresses with IPv4', () => {
    const throttle = createFailureThrottle({ maxFailures: 2 });
    throttle.fail('2001:db8:1:2::1', T);
    throttle.fail('2001:db8:1:2:ffff::9', T);
    expect(throttle.blocked('2001:db8:1:2::abcd', T)).toBeGreaterThan(0);
    expect(throttle.blocked('2001:db8:1:3::1', T)).toBe(0);
    throttle.fail('::ffff:203.0.113.5', T);
    throttle.fail('203.0.113.5', T);
    expect(throttle.blocked('203.0.113.5', T)).toBeGreaterThan(0);
    expect(throttle.blocked('::ffff:203.0.113.5', T)).toBeGreaterThan(0);
  });

  it('keeps memory bounded by forgetting the stalest client', () => {
    const throttle = createFailureThrottle({ maxFailures: 1, maxTracked: 3, blockMs: 10_000 });
    for (let i = 1; i <= 4; i++) throttle.fail(`10.0.0.${i}`, T);
    expect(throttle.blocked('10.0.0.1', T)).toBe(0);
    expect([2, 3, 4].map((i) => throttle.blocked(`10.0.0.${i}`, T))).toEqual([10_000, 10_000, 10_000]);
  });

  it('tolerates any string as an address', () => {
    const throttle = createFailureThrottle({ maxFailures: 1 });
    for (const ip of ['', 'x'.repeat(10_000), 'not:an:ip', '::g']) {
      throttle.fail(ip, T);
      expect(throttle.blocked(ip, T)).toBeGreaterThan(0);
    }
  });

  it('validates its options', () => {
    expect(() => createFailureThrottle({ maxFailures: 0 })).toThrow(KeywardError);
    expect(() => createFailureThrottle({ blockMs: 1.5 })).toThrow(KeywardError);
  });
});
