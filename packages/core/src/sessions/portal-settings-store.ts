import { type SqlExecutor, tablesOf } from '../sql/sql-handle.js';
import {
  DEFAULT_PORTAL_POLICY,
  type PortalBranding,
  type PortalBrandingSettings,
  type PortalPolicy,
  type PortalPolicySettings,
} from './session-model.js';
import type { SessionDatabase } from './session-schema.js';

/** The portal's settings: one policy per API, one branding per workspace. */
export interface PortalSettingsStore {
  /** The API's saved policy completed with today's defaults, or the default policy (hidden) when never saved. */
  getPolicy(workspaceId: string, apiId: string): Promise<PortalPolicy>;
  /** Saved policies of the workspace (APIs without one use the default: hidden). */
  listPolicies(workspaceId: string): Promise<PortalPolicy[]>;
  /** Replaces the API's policy. */
  putPolicy(
    workspaceId: string,
    apiId: string,
    policy: PortalPolicySettings,
    now: number,
  ): Promise<PortalPolicy>;
  /** Forgets an API's policy (when the API is deleted). */
  deletePolicy(workspaceId: string, apiId: string): Promise<void>;
  /** The saved branding, or all-null (keyward's defaults) when never saved. */
  getBranding(workspaceId: string): Promise<PortalBranding>;
  putBranding(workspaceId: string, branding: PortalBrandingSettings, now: number): Promise<PortalBranding>;
}

const policyOf = (
  workspaceId: string,
  apiId: string,
  text: string | null,
  updatedAt: number,
): PortalPolicy => ({
  ...DEFAULT_PORTAL_POLICY,
  ...(text === null ? {} : (JSON.parse(text) as Partial<PortalPolicySettings>)),
  workspaceId,
  apiId,
  updatedAt,
});

const settingsOf = (policy: PortalPolicySettings): PortalPolicySettings => ({
  enabled: policy.enabled,
  allowCreate: policy.allowCreate,
  allowRoll: policy.allowRoll,
  allowRevoke: policy.allowRevoke,
  permissions: [...policy.permissions],
  ratelimits: policy.ratelimits.map((limit) => ({ ...limit })),
  credits: policy.credits === null ? null : { ...policy.credits },
  maxKeysPerConsumer: policy.maxKeysPerConsumer,
});

export function createPortalSettingsStore(sql: SqlExecutor): PortalSettingsStore {
  const db = tablesOf<SessionDatabase>(sql);
  return {
    async getPolicy(workspaceId, apiId) {
      const rows = await db
        .selectFrom('portal_policies')
        .select(['policy', 'updated_at'])
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .execute();
      const row = rows[0];
      return row === undefined
        ? policyOf(workspaceId, apiId, null, 0)
        : policyOf(workspaceId, apiId, row.policy, Number(row.updated_at));
    },
    async listPolicies(workspaceId) {
      const rows = await db
        .selectFrom('portal_policies')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('api_id')
        .execute();
      return rows.map((row) => policyOf(workspaceId, row.api_id, row.policy, Number(row.updated_at)));
    },
    async putPolicy(workspaceId, apiId, policy, now) {
      const text = JSON.stringify(settingsOf(policy));
      await db
        .insertInto('portal_policies')
        .values({ workspace_id: workspaceId, api_id: apiId, policy: text, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'api_id']).doUpdateSet({ policy: text, updated_at: now }),
        )
        .execute();
      return policyOf(workspaceId, apiId, text, now);
    },
    async deletePolicy(workspaceId, apiId) {
      await db
        .deleteFrom('portal_policies')
        .where('workspace_id', '=', workspaceId)
        .where('api_id', '=', apiId)
        .execute();
    },
    async getBranding(workspaceId) {
      const rows = await db
        .selectFrom('portal_branding')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .execute();
      const row = rows[0];
      const saved = row === undefined ? {} : (JSON.parse(row.branding) as Partial<PortalBrandingSettings>);
      return {
        name: saved.name ?? null,
        logoUrl: saved.logoUrl ?? null,
        accentColor: saved.accentColor ?? null,
        apiBaseUrl: saved.apiBaseUrl ?? null,
        workspaceId,
        updatedAt: row === undefined ? 0 : Number(row.updated_at),
      };
    },
    async putBranding(workspaceId, branding, now) {
      const settings: PortalBrandingSettings = {
        name: branding.name,
        logoUrl: branding.logoUrl,
        accentColor: branding.accentColor,
        apiBaseUrl: branding.apiBaseUrl,
      };
      const text = JSON.stringify(settings);
      await db
        .insertInto('portal_branding')
        .values({ workspace_id: workspaceId, branding: text, updated_at: now })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ branding: text, updated_at: now }))
        .execute();
      return { ...settings, workspaceId, updatedAt: now };
    },
  };
}
