import type { ChildKeyPolicyStore } from '../contracts/store.js';
import type { StoreContext } from './context.js';

/** Child-key policies, one row per API (`api_child_key_policies`); a put replaces the row. */
export function createChildKeyPolicyStore({ db, bool }: StoreContext): ChildKeyPolicyStore {
  return {
    async get(workspaceId, apiId) {
      const row = await db
        .selectFrom('api_child_key_policies')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        enabled: Boolean(row.enabled),
        maxExpiresInSeconds: Number(row.max_expires_in_seconds),
        maxDepth: Number(row.max_depth),
      };
    },

    async put(workspaceId, apiId, policy, now) {
      const values = {
        enabled: bool(policy.enabled),
        max_expires_in_seconds: policy.maxExpiresInSeconds,
        max_depth: policy.maxDepth,
        updated_at: now,
      };
      await db
        .insertInto('api_child_key_policies')
        .values({ api_id: apiId, workspace_id: workspaceId, ...values })
        .onConflict((oc) =>
          oc
            .column('api_id')
            .doUpdateSet(values)
            .where('api_child_key_policies.workspace_id', '=', workspaceId),
        )
        .execute();
    },
  };
}
