import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeywardError } from '../contracts/errors.js';
import { compileAllowList, validateCidr } from './ip-allow.js';

describe('validateCidr', () => {
  it.each([
    '10.0.0.0/8',
    '10.0.0.1',
    '0.0.0.0/0',
    '203.0.113.7/32',
    '2001:db8::/32',
    '2001:db8::1',
    '::/0',
    '::1/128',
    '::ffff:192.0.2.0/120',
    '10.0.0.1/8',
  ])('accepts %s', (value) => {
    expect(validateCidr(value)).toBe(true);
  });

  it.each([
    '',
    '10.0.0.0/33',
    '10.0.0/8',
    '127.1',
    '010.0.0.1',
    '0x7f.0.0.1',
    '256.0.0.1',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/8/8',
    ' 10.0.0.0/8',
    '2001:db8::/129',
    '2001:db8:::1',
    'fe80::1%eth0',
    'localhost',
  ])('rejects %j', (value) => {
    expect(validateCidr(value)).toBe(false);
  });
});

describe('compileAllowList', () => {
  it('allows everything when empty', () => {
    const allowed = compileAllowList([]);
    expect(allowed('203.0.113.1')).toBe(true);
    expect(allowed('not an ip')).toBe(true);
  });

  it('matches IPv4 rules at their boundaries', () => {
    const allowed = compileAllowList(['192.0.2.0/24', '198.51.100.7']);
    expect(allowed('192.0.2.0')).toBe(true);
    expect(allowed('192.0.2.255')).toBe(true);
    expect(allowed('192.0.3.0')).toBe(false);
    expect(allowed('192.0.1.255')).toBe(false);
    expect(allowed('198.51.100.7')).toBe(true);
    expect(allowed('198.51.100.8')).toBe(false);
  });

  it('matches IPv6 rules', () => {
    const allowed = compileAllowList(['2001:db8:abcd::/48']);
    expect(allowed('2001:db8:abcd:1::5')).toBe(true);
    expect(allowed('2001:DB8:ABCD:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(allowed('2001:db8:abce::1')).toBe(false);
    expect(allowed('fe80::1%eth0')).toBe(false);
    expect(allowed('192.0.2.1')).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    const allowed = compileAllowList(['192.0.2.0/24']);
    expect(allowed('::ffff:192.0.2.9')).toBe(true);
    expect(allowed('::ffff:c000:0209')).toBe(true);
    expect(allowed('::ffff:192.0.3.9')).toBe(false);
    const mappedRule = compileAllowList(['::ffff:198.51.100.0/120']);
    expect(mappedRule('198.51.100.20')).toBe(true);
    expect(mappedRule('198.51.101.20')).toBe(false);
  });

  it('reads a bare address as that one address (/32, /128), an IPv4-mapped one too', () => {
    const v6 = compileAllowList(['2001:db8::1']);
    expect(v6('2001:db8::1')).toBe(true);
    expect(v6('2001:db8::2')).toBe(false);
    const mapped = compileAllowList(['::ffff:192.0.2.1']);
    expect(mapped('192.0.2.1')).toBe(true);
    expect(mapped('192.0.2.2')).toBe(false);
    // /96 of the mapped range is every IPv4 address; /95 reaches beyond it.
    expect(compileAllowList(['::ffff:0.0.0.0/96'])('203.0.113.7')).toBe(true);
    expect(compileAllowList(['::ffff:0.0.0.0/97'])('203.0.113.7')).toBe(false);
  });

  it('allows all addresses with /0 rules', () => {
    const allowed = compileAllowList(['0.0.0.0/0', '::/0']);
    expect(allowed('255.255.255.255')).toBe(true);
    expect(allowed('2001:db8::1')).toBe(true);
  });

  it('never matches a malformed address', () => {
    const allowed = compileAllowList(['0.0.0.0/0', '::/0']);
    for (const ip of ['', 'garbage', '127.1', '1.2.3.4.5', '::ffff:1.2.3.4.5', '1.2.3.4/32']) {
      expect(allowed(ip)).toBe(false);
    }
  });

  it('names the bad entry', () => {
    expect(() => compileAllowList(['10.0.0.0/8', '10.0.0.0/40'])).toThrow(
      expect.objectContaining({ code: 'VALIDATION', field: 'allowedIps[1]' }) as unknown as KeywardError,
    );
  });

  it('agrees with integer range arithmetic for random IPv4 rules', () => {
    const toIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
    fc.assert(
      fc.property(
        fc.nat(0xffffffff),
        fc.integer({ min: 0, max: 32 }),
        fc.nat(0xffffffff),
        (net, prefix, probe) => {
          const size = 2 ** (32 - prefix);
          const start = Math.floor(net / size) * size;
          const inside = probe >= start && probe < start + size;
          const allowed = compileAllowList([`${toIp(net)}/${prefix}`]);
          expect(allowed(toIp(probe))).toBe(inside);
          expect(allowed(`::ffff:${toIp(probe)}`)).toBe(inside);
          expect(allowed(toIp(start + (probe % size)))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
