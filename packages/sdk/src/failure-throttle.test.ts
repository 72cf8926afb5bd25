import { describe, expect, it } from 'vitest';
import { clientOf, createFailureThrottle } from './failure-throttle.js';

const T0 = 1_700_000_000_000;

describe('createFailureThrottle', () => {
  it('blocks a client for blockMs once it reaches maxFailures within the window', () => {
    const throttle = createFailureThrottle({ maxFailures: 3, windowMs: 60_000, blockMs: 300_000 });
    throttle.fail('203.0.113.7', T0);
    throttle.fail('203.0.113.7', T0 + 1);
    expect(throttle.blocked('203.0.113.7', T0 + 2)).toBe(0);
    throttle.fail('203.0.113.7', T0 + 2);
    expect(throttle.blocked('203.0.113.7', T0 + 2)).toBe(300_000);
    expect(throttle.blocked('203.0.113.7', T0 + 300_001)).toBe(1);
    expect(throttle.blocked('203.0.113.7', T0 + 300_002)).toBe(0);
    expect(throttle.blocked('203.0.113.8', T0 + 2)).toBe(0);
  });

  it('counts failures in a fixed window and clears the count (not a block) on success', () => {
    const throttle = createFailureThrottle({ maxFailures: 2, windowMs: 1000 });
    throttle.fail('198.51.100.1', T0);
    throttle.fail('198.51.100.1', T0 + 1000);
    expect(throttle.blocked('198.51.100.1', T0 + 1000)).toBe(0);
    throttle.succeed('198.51.100.1');
    throttle.fail('198.51.100.1', T0 + 1001);
    expect(throttle.blocked('198.51.100.1', T0 + 1001)).toBe(0);
    throttle.fail('198.51.100.1', T0 + 1002);
    expect(throttle.blocked('198.51.100.1', T0 + 1002)).toBeGreaterThan(0);
    throttle.succeed('198.51.100.1');
    expect(throttle.blocked('198.51.100.1', T0 + 1003)).toBeGreaterThan(0);
  });

  it('groups IPv6 clients by /64 and IPv4-mapped addresses with IPv4', () => {
    const throttle = createFailureThrottle({ maxFailures: 2 });
    throttle.fail('2001:db8:1:2::1', T0);
    throttle.fail('2001:db8:1:2:ffff::9', T0);
    expect(throttle.blocked('2001:db8:1:2:abcd::', T0)).toBeGreaterThan(0);
    expect(throttle.blocked('2001:db8:1:3::1', T0)).toBe(0);
    throttle.fail('::ffff:192.0.2.1', T0);
    throttle.fail('192.0.2.1', T0);
    expect(throttle.blocked('192.0.2.1', T0)).toBeGreaterThan(0);
  });

  it('forgets the least recently failing client past maxTracked', () => {
    const throttle = createFailureThrottle({ maxFailures: 1, maxTracked: 2 });
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) throttle.fail(ip, T0);
    expect(throttle.blocked('192.0.2.1', T0)).toBe(0);
    expect(throttle.blocked('192.0.2.2', T0)).toBeGreaterThan(0);
    expect(throttle.blocked('192.0.2.3', T0)).toBeGreaterThan(0);
  });

  it('rejects nonsense settings', () => {
    expect(() => createFailureThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => createFailureThrottle({ blockMs: 1.5 })).toThrow(RangeError);
  });
});

describe('clientOf', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['2001:db8::1::2', '2001:db8::1::2'],
  ])('%s → %s', (ip, client) => {
    expect(clientOf(ip)).toBe(client);
  });
});
