import { describe, expect, it } from 'vitest';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { CLIENT_CAPS } from '../usage/credential-usage.js';
import { batchOf, MINUTE, T0, usageEvent } from './usage-fixtures.js';
import type { UsageStoreUnderTest } from './usage-store.conformance.js';

const ROLL = T0 - 10 * MINUTE;

const used = (credential: 'current' | 'previous', over: Partial<UsageEvent> = {}): UsageEvent =>
  usageEvent({ credential, rolledAt: ROLL, ...over });

/** Rotation telemetry of `UsageEventStore` (`key_credential_usage`, `key_credential_clients`). */
export function describeCredentialUsageCases(t: () => UsageStoreUnderTest): void {
  const usage = () => t().usage;
  describe('rotation telemetry', () => {
    it('counts each credential of a roll apart, with first and last use, in its workspace only', async () => {
      await usage().write(
        batchOf([
          used('previous', { time: T0 + 5, userAgent: 'legacy/1.0' }),
          used('previous', { time: T0 + 1, code: 'REVOKED', ip: '203.0.113.9' }),
          used('current', { time: T0 + 3, userAgent: 'app/2.0' }),
          // No credential, another roll, another workspace: not this roll's.
          usageEvent({ time: T0 + 9 }),
          used('previous', { rolledAt: ROLL - 1 }),
          used('previous', { workspaceId: 'ws_b', keyId: 'key_b' }),
        ]),
      );
      await usage().write(batchOf([used('previous', { time: T0 + 7, userAgent: 'legacy/1.0' })]));
      const found = await usage().credentialUsage('ws_a', 'key_a', ROLL);
      expect(found).toEqual([
        {
          credential: 'current',
          requests: 1,
          valid: 1,
          firstSeen: T0 + 3,
          lastSeen: T0 + 3,
          ips: {
            distinct: 1,
            capped: false,
            recent: [{ value: '198.51.100.7', requests: 1, lastSeen: T0 + 3 }],
          },
          userAgents: {
            distinct: 1,
            capped: false,
            recent: [{ value: 'app/2.0', requests: 1, lastSeen: T0 + 3 }],
          },
        },
        {
          credential: 'previous',
          requests: 3,
          valid: 2,
          firstSeen: T0 + 1,
          lastSeen: T0 + 7,
          ips: {
            distinct: 2,
            capped: false,
            recent: [
              { value: '198.51.100.7', requests: 2, lastSeen: T0 + 7 },
              { value: '203.0.113.9', requests: 1, lastSeen: T0 + 1 },
            ],
          },
          userAgents: {
            distinct: 1,
            capped: false,
            recent: [{ value: 'legacy/1.0', requests: 2, lastSeen: T0 + 7 }],
          },
        },
      ]);
      await expect(usage().credentialUsage('ws_b', 'key_b', ROLL)).resolves.toMatchObject([
        { credential: 'previous', requests: 1 },
      ]);
      await expect(usage().credentialUsage('ws_b', 'key_a', ROLL)).resolves.toEqual([]);
      await expect(usage().credentialUsage('ws_a', 'key_a', ROLL - 1)).resolves.toMatchObject([
        { credential: 'previous', requests: 1 },
      ]);
      await expect(usage().credentialUsage('ws_a', 'key_b', ROLL)).resolves.toEqual([]);
    });

    it('applies a batch written twice once', async () => {
      const batch = batchOf([used('previous'), used('previous', { ip: '203.0.113.1' })]);
      await usage().write(batch);
      await usage().write(batch);
      await expect(usage().credentialUsage('ws_a', 'key_a', ROLL)).resolves.toMatchObject([
        { credential: 'previous', requests: 2, ips: { distinct: 2 } },
      ]);
    });

    it('writes nothing of a batch whose telemetry fails, and all of it on the retry', async () => {
      const batch = batchOf([used('previous', { userAgent: 'legacy/1.0' })]);
      await t().exec('alter table key_credential_clients rename to key_credential_clients_away');
      await expect(usage().write(batch)).rejects.toThrow(/key_credential_clients/);
      await t().exec('alter table key_credential_clients_away rename to key_credential_clients');
      await expect(usage().keyUsage('ws_a', ['key_a'])).resolves.toEqual(new Map());
      await expect(usage().credentialUsage('ws_a', 'key_a', ROLL)).resolves.toEqual([]);
      await usage().write(batch);
      await expect(usage().credentialUsage('ws_a', 'key_a', ROLL)).resolves.toMatchObject([
        { credential: 'previous', requests: 1, userAgents: { distinct: 1 } },
      ]);
    });

    it('keeps at most the cap of distinct addresses, and still counts the stored ones past it', async () => {
      const ip = (i: number) => `10.0.${Math.floor(i / 256)}.${i % 256}`;
      const events = (from: number, to: number, time: number) =>
        Array.from({ length: to - from }, (_, i) => used('previous', { ip: ip(from + i), time }));
      // The second batch crosses the cap: only its first new addresses fit.
      await usage().write(batchOf(events(0, 60, T0)));
      await usage().write(batchOf(events(60, 130, T0 + 1)));
      await usage().write(
        batchOf([...events(130, 140, T0 + 2), used('previous', { ip: ip(0), time: T0 + 3 })]),
      );
      const [previous] = await usage().credentialUsage('ws_a', 'key_a', ROLL);
      expect(previous?.requests).toBe(141);
      expect(previous?.ips.distinct).toBe(CLIENT_CAPS.ip);
      expect(previous?.ips.capped).toBe(true);
      expect(previous?.ips.recent[0]).toEqual({ value: ip(0), requests: 2, lastSeen: T0 + 3 });
      expect(previous?.ips.recent).toHaveLength(20);
    });
  });
}
