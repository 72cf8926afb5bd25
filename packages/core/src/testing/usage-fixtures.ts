import { randomUUID } from 'node:crypto';
import type { VerifyCode } from '@keyward/protocol';
import fc from 'fast-check';
import type { UsageEvent } from '../contracts/usage-sink.js';
import { bucketStart, type Granularity } from '../usage/granularity.js';
import type { UsageBatch } from '../usage/usage-store.js';

/** Test builders for the usage pipeline; times are around T0 (a Tuesday, 2023-11-14 22:13:20 UTC). */

export const T0 = 1_700_000_000_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const usageEvent = (over: Partial<UsageEvent> = {}): UsageEvent => ({
  time: T0,
  workspaceId: 'ws_a',
  apiId: 'api_a',
  keyId: 'key_a',
  consumerId: 'con_a',
  code: 'VALID',
  cost: 1,
  ip: '198.51.100.7',
  tags: [],
  ...over,
});

export const batchOf = (events: readonly UsageEvent[]): UsageBatch => ({ id: randomUUID(), events });

const CODES: VerifyCode[] = ['VALID', 'NOT_FOUND', 'RATE_LIMITED', 'USAGE_EXCEEDED', 'DISABLED'];

/** Events over ~3 days among a few keys, consumers and outcomes: buckets and groups collide often. */
export const eventArbitrary = (workspaces: readonly string[]): fc.Arbitrary<UsageEvent> =>
  fc
    .record({
      time: fc.integer({ min: T0 - 2 * DAY, max: T0 + DAY }),
      workspace: fc.constantFrom(...workspaces),
      api: fc.constantFrom('api_1', 'api_2'),
      key: fc.option(fc.constantFrom('key_1', 'key_2', 'key_3'), { nil: null }),
      consumer: fc.option(fc.constantFrom('con_1', 'con_2'), { nil: null }),
      code: fc.constantFrom(...CODES),
      cost: fc.integer({ min: 0, max: 3 }),
      ip: fc.option(fc.constantFrom('192.0.2.1', '2001:db8::1'), { nil: null }),
      tags: fc.array(fc.constantFrom('GET /a', 'POST /b'), { maxLength: 2 }),
      // Dry-run rules that would have denied (mostly none; a repeated code counts once).
      wouldDeny: fc.array(fc.constantFrom('RATE_LIMITED', 'FORBIDDEN_IP', 'USAGE_EXCEEDED'), {
        maxLength: 3,
      }),
    })
    .map(
      (r): UsageEvent => ({
        time: r.time,
        workspaceId: r.workspace,
        apiId: r.api,
        // A key belongs to one workspace.
        keyId: r.key === null ? null : `${r.key}_${r.workspace}`,
        consumerId: r.key === null ? null : r.consumer,
        code: r.code,
        cost: r.cost,
        ip: r.ip,
        tags: r.tags,
        ...(r.wouldDeny.length === 0 ? {} : { wouldDeny: r.wouldDeny }),
      }),
    );

/** The obvious count, one event at a time: what every rollup must equal. Keyed like `rollupKey`. */
export function naiveRollup(
  events: readonly UsageEvent[],
  granularity: Granularity,
): Map<string, { count: number; cost: number }> {
  const totals = new Map<string, { count: number; cost: number }>();
  for (const e of events) {
    const id = rollupKey({
      bucket: bucketStart(e.time, granularity),
      workspaceId: e.workspaceId ?? '',
      apiId: e.apiId ?? '',
      keyId: e.keyId ?? '',
      consumerId: e.consumerId ?? '',
      outcome: e.code,
    });
    const found = totals.get(id) ?? { count: 0, cost: 0 };
    found.count++;
    found.cost += e.cost;
    totals.set(id, found);
    // One would-deny row per distinct dry-run code, cost 0.
    for (const code of new Set(e.wouldDeny ?? [])) {
      const wouldId = rollupKey({
        bucket: bucketStart(e.time, granularity),
        workspaceId: e.workspaceId ?? '',
        apiId: e.apiId ?? '',
        keyId: e.keyId ?? '',
        consumerId: e.consumerId ?? '',
        outcome: `would_deny:${code}`,
      });
      const would = totals.get(wouldId) ?? { count: 0, cost: 0 };
      would.count++;
      totals.set(wouldId, would);
    }
  }
  return totals;
}

export const rollupKey = (r: {
  bucket: number;
  workspaceId: string;
  apiId: string;
  keyId: string;
  consumerId: string;
  outcome: string;
}): string => [r.bucket, r.workspaceId, r.apiId, r.keyId, r.consumerId, r.outcome].join('|');
