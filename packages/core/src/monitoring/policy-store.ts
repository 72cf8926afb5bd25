import type { SqlRunner } from '../sql-runner/sql-runner.js';
import type { MonitoringDatabase } from './monitoring-schema.js';
import { type MonitoringPolicy, type MonitoringPolicyInput, resolvePolicy } from './policy.js';

/** Each workspace's monitoring policy; a workspace that never saved one has the defaults. */
export interface PolicyStore {
  /** The saved policy completed with today's defaults (new settings get their default), or the defaults. */
  get(workspaceId: string): Promise<MonitoringPolicy>;
  /** Replaces the policy (already resolved: see `resolvePolicy`). */
  put(workspaceId: string, policy: MonitoringPolicy, now: number): Promise<void>;
}

export function createPolicyStore(runner: SqlRunner<MonitoringDatabase>): PolicyStore {
  const { db, run } = runner;
  return {
    async get(workspaceId) {
      const { rows } = await run(
        db.selectFrom('monitoring_policies').select('policy').where('workspace_id', '=', workspaceId),
      );
      const saved = rows[0];
      return resolvePolicy(saved === undefined ? {} : (JSON.parse(saved.policy) as MonitoringPolicyInput));
    },
    async put(workspaceId, policy, now) {
      const text = JSON.stringify(policy);
      await run(
        db
          .insertInto('monitoring_policies')
          .values({ workspace_id: workspaceId, policy: text, updated_at: now })
          .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ policy: text, updated_at: now })),
      );
    },
  };
}
