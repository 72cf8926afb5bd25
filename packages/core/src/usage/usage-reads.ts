import type { UsageOutcome, VerifyCode } from '@keyward/protocol';
import { type Kysely, sql } from 'kysely';
import { KeywardError } from '../contracts/errors.js';
import { WOULD_DENY_PREFIX } from './aggregate.js';
import { readCredentialUsage } from './credential-usage.js';
import { alignRange, bucketStart, GRANULARITIES, GRANULARITY_MS, type Granularity } from './granularity.js';
import type { UsageDatabase, UsageEventRow } from './usage-schema.js';
import { ROLLUP_TABLES } from './usage-sql.js';
import {
  type KeyUsage,
  type PruneResult,
  type StoredUsageEvent,
  USAGE_QUERY_LIMITS,
  type UsageEventStore,
  type UsagePoint,
  type UsageRetention,
} from './usage-store.js';

/** Rows deleted per statement by `prune`: short statements never hold the write lock for long. */
const PRUNE_CHUNK = 5_000;
/** Ids per `in (...)` list. */
const ID_CHUNK = 500;

const GROUP_COLUMNS = { outcome: 'outcome', key: 'key_id', consumer: 'consumer_id' } as const;

const orNull = (value: string): string | null => (value === '' ? null : value);

const fromEventRow = (row: Omit<UsageEventRow, 'id'> & { id: number | string }): StoredUsageEvent => ({
  id: Number(row.id),
  time: Number(row.time),
  workspaceId: row.workspace_id,
  apiId: row.api_id,
  keyId: row.key_id,
  consumerId: row.consumer_id,
  code: row.outcome as VerifyCode,
  cost: Number(row.cost),
  ip: row.ip,
  tags: row.tags === '[]' ? [] : (JSON.parse(row.tags) as string[]),
  count: Number(row.count),
  ...(row.would_deny === null || row.would_deny === undefined
    ? {}
    : { wouldDeny: JSON.parse(row.would_deny) as string[] }),
});

export interface UsageReadsOptions {
  db: Kysely<UsageDatabase>;
  retention: Readonly<UsageRetention>;
}

/** The reads and the prune of `UsageEventStore`, identical on both dialects. */
export function createUsageReads(
  options: UsageReadsOptions,
): Pick<UsageEventStore, 'query' | 'keyUsage' | 'credentialUsage' | 'events' | 'prune'> {
  const { db, retention } = options;

  const pruneEvents = async (cutoff: number): Promise<number> => {
    let total = 0;
    for (;;) {
      const result = await db
        .deleteFrom('usage_events')
        .where('id', 'in', (eb) =>
          eb.selectFrom('usage_events').select('id').where('time', '<', cutoff).limit(PRUNE_CHUNK),
        )
        .executeTakeFirst();
      const deleted = Number(result.numDeletedRows);
      total += deleted;
      if (deleted < PRUNE_CHUNK) return total;
    }
  };

  return {
    credentialUsage: (workspaceId, keyId, rolledAt) => readCredentialUsage(db, workspaceId, keyId, rolledAt),

    async query(query) {
      const { workspaceId, apiId, keyId, consumerId, parentKeyId, granularity, groupBy } = query;
      if (!GRANULARITIES.includes(granularity)) {
        throw new KeywardError('VALIDATION', 'granularity must be minute, hour or day', {
          field: 'granularity',
        });
      }
      if (groupBy !== undefined && !(groupBy in GROUP_COLUMNS)) {
        throw new KeywardError('VALIDATION', 'groupBy must be outcome, key or consumer', {
          field: 'groupBy',
        });
      }
      const range = alignRange(query.from, query.to, granularity, USAGE_QUERY_LIMITS.maxBuckets);
      const column = groupBy === undefined ? null : GROUP_COLUMNS[groupBy];
      const base = db
        .selectFrom(ROLLUP_TABLES[granularity])
        .where('workspace_id', '=', workspaceId)
        .where('bucket', '>=', range.from)
        .where('bucket', '<', range.to)
        .$if(apiId !== undefined, (qb) => qb.where('api_id', '=', apiId as string))
        .$if(keyId !== undefined, (qb) => qb.where('key_id', '=', keyId as string))
        .$if(consumerId !== undefined, (qb) => qb.where('consumer_id', '=', consumerId as string))
        // Usage lives in the keys' database (one handle): a parent's children are one subquery away.
        .$if(parentKeyId !== undefined, (qb) =>
          qb.where(
            sql<boolean>`key_id in (select id from keys where workspace_id = ${workspaceId} and parent_key_id = ${parentKeyId})`,
          ),
        )
        // Would-deny rows count dry-run rules, not verifications: only the outcome grouping shows them.
        .$if(groupBy !== 'outcome', (qb) => qb.where('outcome', 'not like', `${WOULD_DENY_PREFIX}%`));
      const total = sql<number | string>`cast(sum("count") as bigint)`.as('total');
      const rows =
        column === null
          ? (await base.select(['bucket', total]).groupBy('bucket').orderBy('bucket').execute()).map(
              (row) => ({
                ...row,
                grp: '',
              }),
            )
          : await base
              .select(['bucket', sql<string>`${sql.ref(column)}`.as('grp'), total])
              .groupBy(['bucket', column])
              .orderBy('bucket')
              .orderBy(column)
              .limit(USAGE_QUERY_LIMITS.maxPoints + 1)
              .execute();
      if (rows.length > USAGE_QUERY_LIMITS.maxPoints) {
        throw new KeywardError(
          'VALIDATION',
          `more than ${USAGE_QUERY_LIMITS.maxPoints} points: narrow from..to, use a coarser granularity or filter by api, key or consumer`,
          { field: 'from' },
        );
      }
      const { from, to } = range;
      if (groupBy === undefined) {
        const counts = new Map(rows.map((row) => [Number(row.bucket), Number(row.total)]));
        const size = GRANULARITY_MS[granularity];
        const series: UsagePoint[] = [];
        for (let start = from; start < to; start += size)
          series.push({ start, count: counts.get(start) ?? 0 });
        return { granularity, from, to, series };
      }
      const series = rows.map((row): UsagePoint => {
        const start = Number(row.bucket);
        const count = Number(row.total);
        if (groupBy === 'outcome') return { start, outcome: row.grp as UsageOutcome, count };
        if (groupBy === 'key') return { start, keyId: orNull(row.grp), count };
        return { start, consumerId: orNull(row.grp), count };
      });
      return { granularity, from, to, series };
    },

    async keyUsage(workspaceId, keyIds) {
      const found = new Map<string, KeyUsage>();
      const ids = [...new Set(keyIds)];
      for (let i = 0; i < ids.length; i += ID_CHUNK) {
        const rows = await db
          .selectFrom('key_usage')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('key_id', 'in', ids.slice(i, i + ID_CHUNK))
          .execute();
        for (const row of rows) {
          found.set(row.key_id, {
            keyId: row.key_id,
            lastUsedAt: Number(row.last_used_at),
            lastValidAt: row.last_valid_at === null ? null : Number(row.last_valid_at),
            requests: Number(row.requests),
            valid: Number(row.valid),
          });
        }
      }
      return found;
    },

    async events(query) {
      const { workspaceId, keyId, ip, outcome, from, to, afterId, limit = 1000 } = query;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
        throw new KeywardError('VALIDATION', 'limit must be 1-10000', { field: 'limit' });
      }
      const rows = await db
        .selectFrom('usage_events')
        .selectAll()
        .$if(workspaceId === null, (qb) => qb.where('workspace_id', 'is', null))
        .$if(workspaceId !== null, (qb) => qb.where('workspace_id', '=', workspaceId as string))
        .where('time', '>=', from)
        .where('time', '<', to)
        .$if(keyId !== undefined, (qb) => qb.where('key_id', '=', keyId as string))
        .$if(ip !== undefined, (qb) => qb.where('ip', '=', ip as string))
        .$if(outcome !== undefined, (qb) => qb.where('outcome', '=', outcome as string))
        .$if(afterId !== undefined, (qb) => qb.where('id', '>', afterId as number))
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(fromEventRow);
    },

    async prune(now) {
      const eventsCutoff = now - retention.eventsMs;
      const result: PruneResult = { events: await pruneEvents(eventsCutoff), minute: 0, hour: 0, day: 0 };
      await db.deleteFrom('usage_batches').where('created_at', '<', eventsCutoff).execute();
      const periods: Record<Granularity, number> = {
        minute: retention.minuteMs,
        hour: retention.hourMs,
        day: retention.dayMs,
      };
      for (const granularity of GRANULARITIES) {
        // Whole buckets only: a bucket goes once all of it is older than the retention.
        const cutoff = bucketStart(now - periods[granularity], granularity);
        const deleted = await db
          .deleteFrom(ROLLUP_TABLES[granularity])
          .where('bucket', '<', cutoff)
          .executeTakeFirst();
        result[granularity] = Number(deleted.numDeletedRows);
      }
      return result;
    },
  };
}
