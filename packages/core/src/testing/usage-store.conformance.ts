import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GRANULARITIES } from '../usage/granularity.js';
import type { UsageEventStore } from '../usage/usage-store.js';
import { describeCredentialUsageCases } from './credential-usage.conformance.js';
import {
  batchOf,
  DAY,
  eventArbitrary,
  HOUR,
  MINUTE,
  naiveRollup,
  rollupKey,
  T0,
  usageEvent,
} from './usage-fixtures.js';

export interface UsageStoreUnderTest {
  usage: UsageEventStore;
  /** Runs raw SQL on the same database (assertions, breaking a table on purpose). */
  select<T>(text: string): Promise<T[]>;
  exec(text: string): Promise<void>;
  cleanup(): Promise<void>;
}

type RollupRecord = {
  bucket: number;
  workspace_id: string;
  api_id: string;
  key_id: string;
  consumer_id: string;
  outcome: string;
  count: number | string;
  cost: number | string;
};

/**
 * The behaviour every `UsageEventStore` shares. `factory` is called before each test and
 * returns a store on an empty, migrated database.
 */
export function describeUsageStoreConformance(
  name: string,
  factory: () => Promise<UsageStoreUnderTest>,
): void {
  describe(`UsageEventStore conformance: ${name}`, () => {
    let t: UsageStoreUnderTest;
    beforeEach(async () => {
      t = await factory();
    });
    afterEach(async () => {
      await t.cleanup();
    });

    describeCredentialUsageCases(() => t);

    it('rolls random batches up exactly as a naive count does (minute, hour, day, per key)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(eventArbitrary(['ws_x', 'ws_y']), { maxLength: 60 }), {
            minLength: 1,
            maxLength: 4,
          }),
          async (batches) => {
            // Each run gets fresh workspaces so that runs do not see each other's rows.
            const tag = randomUUID().slice(0, 8);
            const renamed = batches.map((b) =>
              b.map((e) => ({
                ...e,
                workspaceId: `${e.workspaceId}_${tag}`,
                keyId: e.keyId && `${e.keyId}_${tag}`,
              })),
            );
            for (const events of renamed) await t.usage.write(batchOf(events));
            const all = renamed.flat();
            for (const g of GRANULARITIES) {
              const rows = await t.select<RollupRecord>(
                `select * from usage_${g} where workspace_id like '%_${tag}'`,
              );
              const got = new Map(
                rows.map((r) => [
                  rollupKey({
                    bucket: Number(r.bucket),
                    workspaceId: r.workspace_id,
                    apiId: r.api_id,
                    keyId: r.key_id,
                    consumerId: r.consumer_id,
                    outcome: r.outcome,
                  }),
                  { count: Number(r.count), cost: Number(r.cost) },
                ]),
              );
              expect(got).toEqual(naiveRollup(all, g));
            }
            for (const ws of ['ws_x', 'ws_y'].map((w) => `${w}_${tag}`)) {
              const ids = ['key_1', 'key_2', 'key_3'].map((k) => `${k}_${ws}`);
              const usage = await t.usage.keyUsage(ws, ids);
              for (const id of ids) {
                const mine = all.filter((e) => e.keyId === id && e.workspaceId === ws);
                const valid = mine.filter((e) => e.code === 'VALID');
                expect(usage.get(id)).toEqual(
                  mine.length === 0
                    ? undefined
                    : {
                        keyId: id,
                        lastUsedAt: Math.max(...mine.map((e) => e.time)),
                        lastValidAt: valid.length === 0 ? null : Math.max(...valid.map((e) => e.time)),
                        requests: mine.length,
                        valid: valid.length,
                      },
                );
              }
            }
          },
        ),
        { numRuns: 15 },
      );
    });

    it('stores raw events with their fields, merging identical ones into a counted row', async () => {
      const burst = Array.from({ length: 500 }, () => usageEvent({ tags: ['GET /sessions'] }));
      await t.usage.write(
        batchOf([...burst, usageEvent({ keyId: null, workspaceId: null, code: 'NOT_FOUND' })]),
      );
      const stored = await t.usage.events({ workspaceId: 'ws_a', from: T0, to: T0 + 1 });
      expect(stored).toEqual([
        {
          id: expect.any(Number),
          time: T0,
          workspaceId: 'ws_a',
          apiId: 'api_a',
          keyId: 'key_a',
          consumerId: 'con_a',
          code: 'VALID',
          cost: 1,
          ip: '198.51.100.7',
          tags: ['GET /sessions'],
          count: 500,
        },
      ]);
      const unknown = await t.usage.events({ workspaceId: null, outcome: 'NOT_FOUND', from: T0, to: T0 + 1 });
      expect(unknown.map((e) => [e.keyId, e.code, e.count])).toEqual([[null, 'NOT_FOUND', 1]]);
    });

    it('counts dry-run would-deny outcomes beside the outcome, only when grouped by outcome', async () => {
      const start = Math.floor(T0 / HOUR) * HOUR;
      await t.usage.write(
        batchOf([
          usageEvent({ time: start, wouldDeny: ['RATE_LIMITED', 'FORBIDDEN_IP'] }),
          usageEvent({ time: start, wouldDeny: ['RATE_LIMITED', 'FORBIDDEN_IP'] }),
          usageEvent({ time: start, keyId: 'key_b', wouldDeny: ['RATE_LIMITED'] }),
          usageEvent({ time: start, code: 'RATE_LIMITED', cost: 0 }),
        ]),
      );
      const range = { workspaceId: 'ws_a', from: start, to: start + HOUR, granularity: 'hour' as const };
      await expect(t.usage.query({ ...range, groupBy: 'outcome' })).resolves.toMatchObject({
        series: [
          { start, outcome: 'RATE_LIMITED', count: 1 },
          { start, outcome: 'VALID', count: 3 },
          { start, outcome: 'would_deny:FORBIDDEN_IP', count: 2 },
          { start, outcome: 'would_deny:RATE_LIMITED', count: 3 },
        ],
      });
      // Totals and other groupings count verifications, never the dry-run rules.
      await expect(t.usage.query(range)).resolves.toMatchObject({ series: [{ start, count: 4 }] });
      await expect(t.usage.query({ ...range, groupBy: 'key' })).resolves.toMatchObject({
        series: [
          { start, keyId: 'key_a', count: 3 },
          { start, keyId: 'key_b', count: 1 },
        ],
      });
      await expect(t.usage.keyUsage('ws_a', ['key_a'])).resolves.toEqual(
        new Map([
          ['key_a', { keyId: 'key_a', lastUsedAt: start, lastValidAt: start, requests: 3, valid: 2 }],
        ]),
      );
      const stored = await t.usage.events({
        workspaceId: 'ws_a',
        keyId: 'key_a',
        from: start,
        to: start + 1,
      });
      expect(stored.map((e) => [e.code, e.count, e.wouldDeny])).toEqual([
        ['VALID', 2, ['RATE_LIMITED', 'FORBIDDEN_IP']],
        ['RATE_LIMITED', 1, undefined],
      ]);
      const [rollup] = await t.select<{ cost: number | string }>(
        `select cost from usage_hour where outcome = 'would_deny:RATE_LIMITED' and key_id = 'key_a'`,
      );
      expect(Number(rollup?.cost)).toBe(0);
    });

    it('applies a batch id once, however often it is written', async () => {
      const batch = batchOf([usageEvent(), usageEvent({ code: 'RATE_LIMITED' })]);
      await t.usage.write(batch);
      await t.usage.write(batch);
      const { series } = await t.usage.query({
        workspaceId: 'ws_a',
        from: T0,
        to: T0 + 1,
        granularity: 'minute',
      });
      expect(series.map((p) => p.count)).toEqual([2]);
      await expect(t.usage.keyUsage('ws_a', ['key_a'])).resolves.toEqual(
        new Map([['key_a', { keyId: 'key_a', lastUsedAt: T0, lastValidAt: T0, requests: 2, valid: 1 }]]),
      );
    });

    it('writes nothing of a batch that fails part-way, and all of it on the retry', async () => {
      const batch = batchOf([usageEvent(), usageEvent({ time: T0 + DAY })]);
      await t.exec('alter table usage_day rename to usage_day_away');
      await expect(t.usage.write(batch)).rejects.toThrow(/usage_day/);
      await t.exec('alter table usage_day_away rename to usage_day');
      const counts = async () =>
        (
          await t.select<{ n: number | string }>(
            `select (select count(*) from usage_events) + (select count(*) from usage_minute) + (select count(*) from usage_batches) + (select count(*) from key_usage) as n`,
          )
        ).map((r) => Number(r.n));
      await expect(counts()).resolves.toEqual([0]);
      await t.usage.write(batch);
      const day = await t.usage.query({
        workspaceId: 'ws_a',
        from: T0,
        to: T0 + 2 * DAY,
        granularity: 'day',
      });
      expect(day.series.reduce((sum, p) => sum + p.count, 0)).toBe(2);
    });

    it('answers a dense series ungrouped and a sparse one grouped, filtered and aligned', async () => {
      const start = Math.floor(T0 / HOUR) * HOUR;
      await t.usage.write(
        batchOf([
          usageEvent({ time: start + 5 * MINUTE }),
          usageEvent({ time: start + 5 * MINUTE, code: 'RATE_LIMITED', cost: 0 }),
          usageEvent({ time: start + 7 * MINUTE, keyId: 'key_b', consumerId: null }),
          usageEvent({ time: start + 7 * MINUTE, apiId: 'api_other', keyId: 'key_c' }),
        ]),
      );
      const minute = await t.usage.query({
        workspaceId: 'ws_a',
        apiId: 'api_a',
        from: start + 4 * MINUTE + 30_000,
        to: start + 8 * MINUTE,
        granularity: 'minute',
      });
      expect(minute).toEqual({
        granularity: 'minute',
        from: start + 4 * MINUTE,
        to: start + 8 * MINUTE,
        series: [
          { start: start + 4 * MINUTE, count: 0 },
          { start: start + 5 * MINUTE, count: 2 },
          { start: start + 6 * MINUTE, count: 0 },
          { start: start + 7 * MINUTE, count: 1 },
        ],
      });
      const range = { workspaceId: 'ws_a', from: start, to: start + HOUR, granularity: 'hour' as const };
      await expect(t.usage.query({ ...range, groupBy: 'outcome' })).resolves.toMatchObject({
        series: [
          { start, outcome: 'RATE_LIMITED', count: 1 },
          { start, outcome: 'VALID', count: 3 },
        ],
      });
      await expect(t.usage.query({ ...range, groupBy: 'key' })).resolves.toMatchObject({
        series: [
          { start, keyId: 'key_a', count: 2 },
          { start, keyId: 'key_b', count: 1 },
          { start, keyId: 'key_c', count: 1 },
        ],
      });
      await expect(t.usage.query({ ...range, groupBy: 'consumer' })).resolves.toMatchObject({
        series: [
          { start, consumerId: null, count: 1 },
          { start, consumerId: 'con_a', count: 3 },
        ],
      });
      await expect(t.usage.query({ ...range, keyId: 'key_b' })).resolves.toMatchObject({
        series: [{ start, count: 1 }],
      });
      await expect(t.usage.query({ ...range, consumerId: 'con_a', groupBy: 'key' })).resolves.toMatchObject({
        series: [
          { start, keyId: 'key_a', count: 2 },
          { start, keyId: 'key_c', count: 1 },
        ],
      });
    });

    it("never answers another workspace's usage", async () => {
      await t.usage.write(batchOf([usageEvent(), usageEvent({ workspaceId: 'ws_b', keyId: 'key_b' })]));
      const ofB = await t.usage.query({
        workspaceId: 'ws_b',
        keyId: 'key_a',
        from: T0,
        to: T0 + 1,
        granularity: 'day',
        groupBy: 'key',
      });
      expect(ofB.series).toEqual([]);
      await expect(t.usage.keyUsage('ws_b', ['key_a', 'key_b'])).resolves.toEqual(
        new Map([['key_b', expect.objectContaining({ requests: 1 })]]),
      );
      await expect(t.usage.events({ workspaceId: 'ws_b', from: T0, to: T0 + 1 })).resolves.toHaveLength(1);
    });

    it('refuses ranges and answers too large to serve, naming the field', async () => {
      const base = { workspaceId: 'ws_a', granularity: 'minute' as const };
      await expect(t.usage.query({ ...base, from: T0, to: T0 })).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'to',
      });
      await expect(t.usage.query({ ...base, from: T0, to: T0 + 2 * DAY })).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'from',
      });
      const many = Array.from({ length: 1440 * 7 + 1 }, (_, i) =>
        usageEvent({ time: T0 + (i % 1440) * MINUTE, keyId: `key_${i % 8}` }),
      );
      await t.usage.write(batchOf(many));
      await expect(t.usage.query({ ...base, from: T0, to: T0 + DAY, groupBy: 'key' })).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'from',
      });
    });

    it('prunes each kind of data past its retention, whole buckets only', async () => {
      const now = T0 + 800 * DAY;
      const ages = [8 * DAY, 6 * DAY, 3 * DAY, DAY, 91 * DAY, 732 * DAY];
      await t.usage.write(batchOf(ages.map((age) => usageEvent({ time: now - age }))));
      const before = await t.usage.prune(now);
      expect(before).toEqual({ events: 3, minute: 5, hour: 2, day: 1 });
      const remaining = await t.usage.events({ workspaceId: 'ws_a', from: 0, to: now });
      expect(remaining.map((e) => now - e.time).sort((a, b) => a - b)).toEqual([DAY, 3 * DAY, 6 * DAY]);
      const minutes = await t.select<{ bucket: number | string }>('select bucket from usage_minute');
      expect(minutes.map((r) => now - Number(r.bucket) < 2 * DAY + MINUTE)).toEqual([true]);
      await expect(t.usage.prune(now)).resolves.toEqual({ events: 0, minute: 0, hour: 0, day: 0 });
      // Key totals outlive every retention.
      await expect(t.usage.keyUsage('ws_a', ['key_a'])).resolves.toEqual(
        new Map([['key_a', expect.objectContaining({ requests: 6, lastUsedAt: now - DAY })]]),
      );
    });

    it('keeps the latest times when batches arrive out of order', async () => {
      await t.usage.write(
        batchOf([usageEvent({ time: T0 + 10 }), usageEvent({ time: T0 + 20, code: 'EXPIRED' })]),
      );
      await t.usage.write(
        batchOf([usageEvent({ time: T0 + 5 }), usageEvent({ time: T0 + 1, code: 'DISABLED' })]),
      );
      await expect(t.usage.keyUsage('ws_a', ['key_a', 'key_unknown'])).resolves.toEqual(
        new Map([
          ['key_a', { keyId: 'key_a', lastUsedAt: T0 + 20, lastValidAt: T0 + 10, requests: 4, valid: 2 }],
        ]),
      );
    });

    it('pages raw events by id with filters', async () => {
      await t.usage.write(
        batchOf(
          Array.from({ length: 5 }, (_, i) => usageEvent({ time: T0 + i, ip: i % 2 ? '192.0.2.1' : null })),
        ),
      );
      const first = await t.usage.events({ workspaceId: 'ws_a', from: T0, to: T0 + 10, limit: 2 });
      const rest = await t.usage.events({
        workspaceId: 'ws_a',
        from: T0,
        to: T0 + 10,
        afterId: first.at(-1)?.id ?? 0,
      });
      expect([...first, ...rest].map((e) => e.time)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i));
      const byIp = await t.usage.events({ workspaceId: 'ws_a', ip: '192.0.2.1', from: T0, to: T0 + 10 });
      expect(byIp.map((e) => e.time)).toEqual([T0 + 1, T0 + 3]);
    });
  });
}
