import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import type { MonitoringDatabase } from './monitoring-schema.js';
import { type MonitoringPolicy, type MonitoringPolicyInput, resolvePolicy } from './policy.js';

/** Each workspace's monitoring policy; a workspace that never saved one has the defaults. */
export interface PolicyStore {
  /** The saved policy completed with today's defaults (new settings get their default), or the defaults. */
  get(workspaceId: string): Promise<MonitoringPolicy>;
  /** Replaces the policy (already resolved: see `resolvePolicy`). */
  put(workspaceId: string, policy: MonitoringPolicy, now: number): Promise<void>;
  /** The same store inside a transaction of the database (`StoreTransaction.sql`). */
  within(tx: SqlExecutor): PolicyStore;
}

/** A `PolicyStore` on the database's handle, or a transaction on it (see `createMonitoringStores`). */
export function createPolicyStore(sql: SqlExecutor): PolicyStore {
  const db = tablesOf<MonitoringDatabase>(sql);
  return {
    within: (tx) => createPolicyStore(tx),
    async get(workspaceId) {
      const rows = await db
        .selectFrom('monitoring_policies')
        .select('policy')
        .where('workspace_id', '=', workspaceId)
        .execute();
      const saved = rows[0];
      return resolvePolicy(saved === undefined ? {} : (JSON.parse(saved.policy) as MonitoringPolicyInput));
    },
    async put(workspaceId, policy, now) {
      const text = JSON.stringify(policy);
      await db
        .insertInto('monitoring_policies')
        .values({ workspace_id: workspaceId, policy: text, updated_at: now })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ policy: text, updated_at: now }))
        .execute();
    },
  };
}
