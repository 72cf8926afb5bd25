import { sql } from 'kysely';
import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import { WOULD_DENY_PREFIX } from '../usage/aggregate.js';
import type { UsageDatabase } from '../usage/usage-schema.js';
import type { InvalidFromIp } from './detectors/brute-force.js';
import type { KeyIpCount } from './detectors/ip-spread.js';
import type { PreviousCredentialUse } from './detectors/rotation-grace-ending.js';

/** Most (key, address) pairs one read returns: a bound on memory, far above any threshold. */
const MAX_PAIRS = 100_000;
const ID_CHUNK = 500;

/**
 * What the traffic detectors read from the usage tables (`0002_usage`): rollups for
 * volumes, raw events for addresses (kept `eventsMs`, default 7 days), `key_usage` for
 * last use. Only the given workspace's rows; addresses stay in the returned values.
 */
export interface UsageSignals {
  /** Verifications per key in [from, to) (minute rollups: pass whole minutes); keys with none are absent. */
  keyCounts(workspaceId: string, from: number, to: number): Promise<Map<string, number>>;
  /** Verifications per key and hour start in [from, to) (hour rollups), for the given keys. */
  hourlyCounts(
    workspaceId: string,
    keyIds: readonly string[],
    from: number,
    to: number,
  ): Promise<Map<string, Map<number, number>>>;
  /** Verifications per (key, address) in [from, to), any outcome; optionally only for some keys. */
  keyIps(workspaceId: string, from: number, to: number, keyIds?: readonly string[]): Promise<KeyIpCount[]>;
  /** Unknown-key (NOT_FOUND) verifications per address in [from, to), addresses with at least `min`; those without an address as one row with `ip: null`. */
  invalidByIp(workspaceId: string, from: number, to: number, min: number): Promise<InvalidFromIp[]>;
  /** Last verification of each given key that was ever verified. */
  lastUsed(workspaceId: string, keyIds: readonly string[]): Promise<Map<string, number>>;
  /** Old secrets of rolled keys (rotation telemetry) presented at or after `since`: per key and roll, the last use and the count. */
  previousCredentialUse(workspaceId: string, since: number): Promise<PreviousCredentialUse[]>;
}

const chunks = <T>(items: readonly T[]): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ID_CHUNK) out.push(items.slice(i, i + ID_CHUNK));
  return out;
};

/** Usage signals on the database's handle (the one the usage store writes through). */
export function createUsageSignals(executor: SqlExecutor): UsageSignals {
  const db = tablesOf<UsageDatabase>(executor);
  const total = sql<number | string>`cast(sum("count") as bigint)`;

  const pairs = async (workspaceId: string, from: number, to: number, keyIds: readonly string[] | null) => {
    const rows = await db
      .selectFrom('usage_events')
      .select(['key_id', 'ip', total.as('n')])
      .where('workspace_id', '=', workspaceId)
      .where('time', '>=', from)
      .where('time', '<', to)
      .where('key_id', 'is not', null)
      .where('ip', 'is not', null)
      .$if(keyIds !== null, (qb) => qb.where('key_id', 'in', keyIds as string[]))
      .groupBy(['key_id', 'ip'])
      .limit(MAX_PAIRS)
      .execute();
    return rows.map((row) => ({ keyId: row.key_id as string, ip: row.ip as string, count: Number(row.n) }));
  };

  return {
    async keyCounts(workspaceId, from, to) {
      const rows = await db
        .selectFrom('usage_minute')
        .select(['key_id', total.as('n')])
        .where('workspace_id', '=', workspaceId)
        .where('bucket', '>=', from)
        .where('bucket', '<', to)
        .where('key_id', '<>', '')
        .where('outcome', 'not like', `${WOULD_DENY_PREFIX}%`)
        .groupBy('key_id')
        .execute();
      return new Map(rows.map((row) => [row.key_id, Number(row.n)]));
    },

    async hourlyCounts(workspaceId, keyIds, from, to) {
      const out = new Map<string, Map<number, number>>();
      for (const ids of chunks(keyIds)) {
        const rows = await db
          .selectFrom('usage_hour')
          .select(['key_id', 'bucket', total.as('n')])
          .where('workspace_id', '=', workspaceId)
          .where('key_id', 'in', ids)
          .where('bucket', '>=', from)
          .where('bucket', '<', to)
          .where('outcome', 'not like', `${WOULD_DENY_PREFIX}%`)
          .groupBy(['key_id', 'bucket'])
          .execute();
        for (const row of rows) {
          const hours = out.get(row.key_id) ?? new Map<number, number>();
          hours.set(Number(row.bucket), Number(row.n));
          out.set(row.key_id, hours);
        }
      }
      return out;
    },

    async keyIps(workspaceId, from, to, keyIds) {
      if (keyIds === undefined) return pairs(workspaceId, from, to, null);
      const out: KeyIpCount[] = [];
      for (const ids of chunks(keyIds)) out.push(...(await pairs(workspaceId, from, to, ids)));
      return out;
    },

    async invalidByIp(workspaceId, from, to, min) {
      const rows = await db
        .selectFrom('usage_events')
        .select([
          'ip',
          total.as('n'),
          sql<number | string>`min("time")`.as('first_at'),
          sql<number | string>`max("time")`.as('last_at'),
        ])
        .where('workspace_id', '=', workspaceId)
        .where('outcome', '=', 'NOT_FOUND')
        .where('time', '>=', from)
        .where('time', '<', to)
        .groupBy('ip')
        .having(sql`sum("count")`, '>=', min)
        .limit(MAX_PAIRS)
        .execute();
      return rows.map((row) => ({
        ip: row.ip ?? null,
        count: Number(row.n),
        firstAt: Number(row.first_at),
        lastAt: Number(row.last_at),
      }));
    },

    async lastUsed(workspaceId, keyIds) {
      const out = new Map<string, number>();
      for (const ids of chunks(keyIds)) {
        const rows = await db
          .selectFrom('key_usage')
          .select(['key_id', 'last_used_at'])
          .where('workspace_id', '=', workspaceId)
          .where('key_id', 'in', ids)
          .execute();
        for (const row of rows) out.set(row.key_id, Number(row.last_used_at));
      }
      return out;
    },

    async previousCredentialUse(workspaceId, since) {
      const rows = await db
        .selectFrom('key_credential_usage')
        .select(['key_id', 'rolled_at', 'last_seen', 'requests'])
        .where('workspace_id', '=', workspaceId)
        .where('credential', '=', 'previous')
        .where('last_seen', '>=', since)
        .limit(MAX_PAIRS)
        .execute();
      return rows.map((row) => ({
        keyId: row.key_id,
        rolledAt: Number(row.rolled_at),
        lastSeen: Number(row.last_seen),
        requests: Number(row.requests),
      }));
    },
  };
}
