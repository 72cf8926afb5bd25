import type { LifetimePolicy, LifetimePolicyStore } from '../contracts/lifetime-policy.js';
import { toMs } from './codec.js';
import type { StoreContext } from './context.js';
import type { LifetimePolicyRow } from './schema.js';

const orNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

const policyFromRow = (row: LifetimePolicyRow): LifetimePolicy => ({
  workspaceId: row.workspace_id,
  apiId: row.api_id,
  maxTtlDays: orNull(row.max_ttl_days),
  rotateAfterDays: orNull(row.rotate_after_days),
  rotationGraceDays: Number(row.rotation_grace_days),
  idleDisableAfterDays: orNull(row.idle_disable_after_days),
  remindBeforeDays: Number(row.remind_before_days),
  mode: row.mode === 'dry-run' ? 'dry-run' : 'enforce',
  createdAt: toMs(row.created_at),
  updatedAt: toMs(row.updated_at),
});

const policyToRow = (policy: LifetimePolicy): LifetimePolicyRow => ({
  api_id: policy.apiId,
  workspace_id: policy.workspaceId,
  max_ttl_days: policy.maxTtlDays,
  rotate_after_days: policy.rotateAfterDays,
  rotation_grace_days: policy.rotationGraceDays,
  idle_disable_after_days: policy.idleDisableAfterDays,
  remind_before_days: policy.remindBeforeDays,
  mode: policy.mode,
  created_at: policy.createdAt,
  updated_at: policy.updatedAt,
});

/** Lifetime policies by API (`api_lifetime_policies`) and the reminders sent (`lifetime_notices`). */
export function createLifetimePolicyStore({ db }: StoreContext): LifetimePolicyStore {
  return {
    async get(workspaceId, apiId) {
      const row = await db
        .selectFrom('api_lifetime_policies')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .executeTakeFirst();
      return row === undefined ? null : policyFromRow(row);
    },

    async put(policy) {
      const row = policyToRow(policy);
      const { api_id: _apiId, created_at: _createdAt, ...changes } = row;
      await db
        .insertInto('api_lifetime_policies')
        .values(row)
        .onConflict((oc) => oc.column('api_id').doUpdateSet(changes))
        .execute();
    },

    async delete(workspaceId, apiId) {
      const deleted = await db
        .deleteFrom('api_lifetime_policies')
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .returning('api_id')
        .executeTakeFirst();
      return deleted !== undefined;
    },

    async listAll() {
      const rows = await db.selectFrom('api_lifetime_policies').selectAll().orderBy('api_id').execute();
      return rows.map(policyFromRow);
    },

    async claimNotice(keyId, kind, deadline, now) {
      const inserted = await db
        .insertInto('lifetime_notices')
        .values({ key_id: keyId, kind, deadline, created_at: now })
        .onConflict((oc) => oc.columns(['key_id', 'kind', 'deadline']).doNothing())
        .returning('key_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
  };
}
