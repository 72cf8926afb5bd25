import type { Generated } from 'kysely';

/**
 * Row shapes of the tables as Kysely sees them (snake_case columns). Records of model.ts
 * are built from rows only in each table's `*-rows.ts` mapping; rows never leave the store.
 *
 * Storage conventions, identical on both dialects except where noted:
 * - times are epoch milliseconds in 64-bit integers (`bigint` on PostgreSQL: a pool made
 *   by `createPostgresPool` parses int8 as number; mappers still coerce with `Number()`
 *   so that a pool without that parser works too);
 * - JSON values are text (`JSON.stringify`), parsed by the mappers;
 * - booleans are integers 0/1 on SQLite and `boolean` on PostgreSQL (`DbBool`);
 * - ids and digests compare bytewise (`collate "C"` on PostgreSQL, SQLite's default), so
 *   that time-sortable ids page in creation order on both.
 */

export type DbBool = number | boolean;

export interface WorkspaceRow {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiRow {
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  created_at: number;
  updated_at: number;
}

export interface ConsumerRow {
  id: string;
  workspace_id: string;
  external_id: string;
  name: string | null;
  meta: string | null;
  ratelimits: string;
  credits: string | null;
  created_at: number;
  updated_at: number;
}

export interface RoleRow {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface KeyRow {
  id: string;
  workspace_id: string;
  api_id: string;
  consumer_id: string | null;
  digest: string;
  hint: string;
  name: string | null;
  meta: string | null;
  permissions: string;
  roles: string;
  ratelimits: string;
  credits: string | null;
  allowed_ips: string;
  /** `enforce` or `dry-run` (migration 0010). */
  allowed_ips_mode: string;
  environment: string;
  enabled: DbBool;
  disabled_reason: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  imported: DbBool;
  /** `0009_lifetime_policies`: when the current secret was issued by a roll; null: never rolled. */
  rolled_at: number | null;
  /** `secret` or `publishable` (migration 0013). */
  kind: string;
  created_at: number;
  updated_at: number;
  /** Child keys (migration `0011_child_keys`): null/0/null on every other key. */
  parent_key_id: string | null;
  depth: number;
  parent_binding: string | null;
}

/** Per-API child-key policy (migration `0011_child_keys`); an API without a row has the defaults. */
export interface ApiChildKeyPolicyRow {
  api_id: string;
  workspace_id: string;
  enabled: DbBool;
  max_expires_in_seconds: number;
  max_depth: number;
  updated_at: number;
}

/** A previous digest of a rolled key, findable until (and after) `grace_until`. */
export interface KeyDigestRow {
  digest: string;
  key_id: string;
  grace_until: number;
  /** When the digest was rolled away (0: before migration `0012_rotation_telemetry`). */
  rolled_at: Generated<number>;
}

export interface RootKeyRow {
  id: string;
  workspace_id: string;
  digest: string;
  hint: string;
  name: string | null;
  permissions: string;
  revoked_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface AuditEventRow {
  id: string;
  workspace_id: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before_data: string | null;
  after_data: string | null;
  ip: string | null;
  request_id: string | null;
  created_at: number;
  /** Hash chain (migration `0003_audit_chain`): position, predecessor's hash, own hash. */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** One row per workspace with audit events: the chain's last seq and hash, locked by every append. */
export interface AuditChainHeadRow {
  workspace_id: string;
  seq: number;
  hash: string;
}

export interface IdempotencyRow {
  workspace_id: string;
  idempotency_key: string;
  fingerprint: string;
  status: number;
  body: string;
  created_at: number;
}

export interface LeakReportRow {
  source: string;
  digest: string;
  feedback: string;
  created_at: number;
}

export interface PublishablePolicyRow {
  api_id: string;
  workspace_id: string;
  /** JSON arrays of strings. */
  public_permissions: string;
  allowed_origins: string;
  updated_at: number;
}

export interface CreditRow {
  owner_kind: string;
  owner_id: string;
  remaining: number;
  last_refill_at: number;
  config: string | null;
}

export interface Database {
  workspaces: WorkspaceRow;
  apis: ApiRow;
  consumers: ConsumerRow;
  roles: RoleRow;
  keys: KeyRow;
  key_digests: KeyDigestRow;
  root_keys: RootKeyRow;
  audit_events: AuditEventRow;
  audit_chain_heads: AuditChainHeadRow;
  idempotency: IdempotencyRow;
  leak_reports: LeakReportRow;
  api_lifetime_policies: LifetimePolicyRow;
  lifetime_notices: LifetimeNoticeRow;
  api_publishable_policies: PublishablePolicyRow;
  credits: CreditRow;
  api_child_key_policies: ApiChildKeyPolicyRow;
}

/** `0009_lifetime_policies`: one lifetime policy per API. */
export interface LifetimePolicyRow {
  api_id: string;
  workspace_id: string;
  max_ttl_days: number | null;
  rotate_after_days: number | null;
  rotation_grace_days: number;
  idle_disable_after_days: number | null;
  remind_before_days: number;
  mode: string;
  created_at: number;
  updated_at: number;
}

/** `0009_lifetime_policies`: a lifetime reminder sent, once per (key, kind, deadline). */
export interface LifetimeNoticeRow {
  key_id: string;
  kind: string;
  deadline: number;
  created_at: number;
}
