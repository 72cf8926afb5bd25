import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITORING_POLICY } from '../policy.js';
import { detectIpSpread, type KeyIpCount } from './ip-spread.js';
import { detectNewNetworks } from './new-network.js';

const window = { from: 1_000_000, to: 1_900_000 };
const { ipSpread, newNetwork } = DEFAULT_MONITORING_POLICY;

/** `n` distinct addresses for `keyId`, spread over a few /24s. */
const spread = (keyId: string, n: number, count = 3): KeyIpCount[] =>
  Array.from({ length: n }, (_, i) => ({ keyId, ip: `198.51.${Math.floor(i / 200)}.${i % 200}`, count }));

describe('ip spread detector', () => {
  it('raises for a key used from more distinct addresses than allowed, busiest first', () => {
    const rows = [...spread('key_leaked', 60), { keyId: 'key_leaked', ip: '203.0.113.9', count: 500 }];
    const [finding, ...rest] = detectIpSpread(rows, ipSpread, window);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      detector: 'ip_spread',
      subject: { type: 'key', id: 'key_leaked' },
      evidence: { distinctIps: 61, maxDistinctIps: 50, windowFrom: window.from, windowTo: window.to },
    });
    const top =
      (finding?.evidence as { topIps: Array<{ ip: string; count: number }> } | undefined)?.topIps ?? [];
    expect(top).toHaveLength(20);
    expect(top[0]).toEqual({ ip: '203.0.113.9', count: 500 });
    expect(finding?.summary).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
  });

  it('stays quiet at the limit, and for many keys each with few addresses', () => {
    const rows = [...spread('key_a', 50), ...spread('key_b', 10), ...spread('key_c', 49)];
    expect(detectIpSpread(rows, ipSpread, window)).toEqual([]);
  });

  it('counts an address once however many rows it has', () => {
    const rows = Array.from({ length: 80 }, () => ({ keyId: 'key_a', ip: '192.0.2.1', count: 1 }));
    expect(detectIpSpread(rows, ipSpread, window)).toEqual([]);
  });
});

describe('new network detector', () => {
  const history: KeyIpCount[] = [
    { keyId: 'key_a', ip: '192.0.2.10', count: 80 },
    { keyId: 'key_a', ip: '192.0.2.11', count: 40 },
    { keyId: 'key_a', ip: '2001:db8:1:2::1', count: 10 },
  ];

  it('raises for a key with habits calling from a /24 it never used', () => {
    const recent: KeyIpCount[] = [
      { keyId: 'key_a', ip: '192.0.2.99', count: 5 }, // known /24
      { keyId: 'key_a', ip: '2001:db8:1:ffff::7', count: 2 }, // known /48
      { keyId: 'key_a', ip: '203.0.113.5', count: 3 },
      { keyId: 'key_a', ip: '203.0.113.6', count: 1 },
    ];
    const [finding, ...rest] = detectNewNetworks(recent, history, newNetwork, window);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      detector: 'new_network',
      subject: { type: 'key', id: 'key_a' },
      evidence: {
        historyEvents: 130,
        knownNetworks: 2,
        newNetworks: [{ network: '203.0.113.0/24', count: 4, ips: ['203.0.113.5', '203.0.113.6'] }],
      },
    });
  });

  it('treats a new /48 as new and an IPv4-mapped address as its IPv4 network', () => {
    const recent: KeyIpCount[] = [
      { keyId: 'key_a', ip: '::ffff:192.0.2.200', count: 1 },
      { keyId: 'key_a', ip: '2001:db8:2::1', count: 1 },
    ];
    const [finding] = detectNewNetworks(recent, history, newNetwork, window);
    expect(
      (finding?.evidence as { newNetworks: Array<{ network: string }> } | undefined)?.newNetworks,
    ).toEqual([expect.objectContaining({ network: '2001:db8:2::/48' })]);
  });

  it('stays quiet for known networks, and for keys without enough history', () => {
    const known: KeyIpCount[] = [{ keyId: 'key_a', ip: '192.0.2.200', count: 50 }];
    expect(detectNewNetworks(known, history, newNetwork, window)).toEqual([]);
    const newcomer: KeyIpCount[] = [{ keyId: 'key_new', ip: '203.0.113.5', count: 50 }];
    const thin: KeyIpCount[] = [{ keyId: 'key_new', ip: '192.0.2.1', count: 99 }];
    expect(detectNewNetworks(newcomer, thin, newNetwork, window)).toEqual([]);
    expect(
      detectNewNetworks(newcomer, [{ ...thin[0], count: 100 } as KeyIpCount], newNetwork, window),
    ).toHaveLength(1);
  });
});
