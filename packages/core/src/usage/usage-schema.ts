import type { Generated } from 'kysely';

/**
 * Row shapes of the usage tables (migration `0002_usage`), with the conventions of
 * `store/schema.ts`: epoch ms in 64-bit integers, JSON as text, bytewise ids.
 * Rollup dimensions are '' (never null) where an event had none, so that they can be
 * part of the primary key that upserts increment.
 */

export interface UsageEventRow {
  id: Generated<number>;
  time: number;
  workspace_id: string | null;
  api_id: string | null;
  key_id: string | null;
  consumer_id: string | null;
  outcome: string;
  /** Credits spent by each of the `count` events. */
  cost: number;
  ip: string | null;
  /** JSON array of strings. */
  tags: string;
  /** Identical consecutive events merged into this row. */
  count: number;
  /** JSON array of the codes dry-run rules would have denied with; null: none (migration 0010). */
  would_deny: string | null;
}

/** `usage_minute`, `usage_hour` and `usage_day` share this shape. */
export interface UsageRollupRow {
  bucket: number;
  workspace_id: string;
  api_id: string;
  key_id: string;
  consumer_id: string;
  outcome: string;
  count: number;
  /** Total credits spent. */
  cost: number;
}

export interface KeyUsageRow {
  key_id: string;
  workspace_id: string;
  last_used_at: number;
  last_valid_at: number | null;
  requests: number;
  valid: number;
}

/** Ids of written batches (kept as long as raw events), so that a retried batch is applied once. */
export interface UsageBatchRow {
  id: string;
  created_at: number;
}

/** Rotation telemetry per key, roll and credential (migration `0012_rotation_telemetry`). */
export interface KeyCredentialUsageRow {
  key_id: string;
  rolled_at: number;
  /** `current` or `previous`. */
  credential: string;
  workspace_id: string;
  requests: number;
  valid: number;
  first_seen: number;
  last_seen: number;
}

/** One client (kind `ip` or `ua`) of a key's credential in a roll; a bounded set per group. */
export interface KeyCredentialClientRow {
  key_id: string;
  rolled_at: number;
  credential: string;
  kind: string;
  value: string;
  workspace_id: string;
  requests: number;
  last_seen: number;
}

export interface UsageDatabase {
  usage_events: UsageEventRow;
  usage_minute: UsageRollupRow;
  usage_hour: UsageRollupRow;
  usage_day: UsageRollupRow;
  key_usage: KeyUsageRow;
  usage_batches: UsageBatchRow;
  key_credential_usage: KeyCredentialUsageRow;
  key_credential_clients: KeyCredentialClientRow;
}

export type RollupTable = 'usage_minute' | 'usage_hour' | 'usage_day';
