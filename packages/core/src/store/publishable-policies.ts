import type { PublishablePolicyStore } from '../contracts/store.js';
import { fromJsonArray, toJson, toMs } from './codec.js';
import type { StoreContext } from './context.js';

/** Publishable-key policies, one row per API; reads are scoped to the workspace. */
export function createPublishablePolicyStore({ db }: StoreContext): PublishablePolicyStore {
  return {
    async get(workspaceId, apiId) {
      const row = await db
        .selectFrom('api_publishable_policies')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .executeTakeFirst();
      if (row === undefined) return null;
      return {
        workspaceId: row.workspace_id,
        apiId: row.api_id,
        publicPermissions: fromJsonArray<string>(row.public_permissions),
        allowedOrigins: fromJsonArray<string>(row.allowed_origins),
        updatedAt: toMs(row.updated_at),
      };
    },

    async put(policy) {
      const values = {
        public_permissions: toJson(policy.publicPermissions),
        allowed_origins: toJson(policy.allowedOrigins),
        updated_at: policy.updatedAt,
      };
      await db
        .insertInto('api_publishable_policies')
        .values({ api_id: policy.apiId, workspace_id: policy.workspaceId, ...values })
        .onConflict((oc) => oc.column('api_id').doUpdateSet(values))
        .execute();
    },
  };
}
