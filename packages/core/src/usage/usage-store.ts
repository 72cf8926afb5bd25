import type { UsageOutcome, VerifyCode } from '@keyward/protocol';
import type { UsageEvent } from '../contracts/usage-sink.js';
import type { CredentialUsage } from './credential-usage.js';
import type { Granularity } from './granularity.js';

/** Events written together, atomically. */
export interface UsageBatch {
  /**
   * Unique per batch. A retry keeps the id, so that a batch whose commit succeeded but
   * whose answer was lost (a dropped connection) is not counted twice.
   */
  id: string;
  events: readonly UsageEvent[];
}

export type UsageGroupBy = 'outcome' | 'key' | 'consumer';

export interface UsageQuery {
  /** Tenant boundary: only this workspace's usage is read. */
  workspaceId: string;
  apiId?: string;
  keyId?: string;
  consumerId?: string;
  /** Only the verifications of this key's child keys (direct children, `keys.parent_key_id`). */
  parentKeyId?: string;
  /** Epoch ms, inclusive; widened down to its bucket start. */
  from: number;
  /** Epoch ms, exclusive; widened up to the next bucket boundary. */
  to: number;
  granularity: Granularity;
  /** Absent: one total per bucket. */
  groupBy?: UsageGroupBy;
}

/** One bucket (of one group, when grouped). */
export interface UsagePoint {
  /** Bucket start, epoch ms. */
  start: number;
  /** A verification code, or `would_deny:<CODE>` (dry-run rules, counted besides the verification's own outcome). */
  outcome?: UsageOutcome;
  /** null: verifications that matched no key. */
  keyId?: string | null;
  /** null: keys without a consumer. */
  consumerId?: string | null;
  count: number;
}

export interface UsageSeries {
  granularity: Granularity;
  /** The aligned range actually covered. */
  from: number;
  to: number;
  /**
   * By `start`, then group value. Ungrouped: every bucket of the range, zeros included.
   * Grouped: only buckets and groups with traffic.
   */
  series: UsagePoint[];
}

/** Per-key totals since the key's first verification (kept regardless of retention). */
export interface KeyUsage {
  keyId: string;
  /** Last verification of the key, whatever its outcome. */
  lastUsedAt: number | null;
  /** Last VALID verification. */
  lastValidAt: number | null;
  /** Verifications, whatever their outcome. */
  requests: number;
  /** VALID verifications. */
  valid: number;
}

/** One stored raw event; `count` identical events that arrived in one batch share a row. */
export interface StoredUsageEvent extends UsageEvent {
  /** Increases with insertion (on PostgreSQL, concurrent batches may commit out of id order). */
  id: number;
  count: number;
}

export interface UsageEventQuery {
  /** A workspace id, or null for verifications that matched no key. */
  workspaceId: string | null;
  keyId?: string;
  ip?: string;
  outcome?: VerifyCode;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** Only rows with a larger id (paging). */
  afterId?: number;
  /** 1-10_000, default 1000. */
  limit?: number;
}

/** How long each kind of usage data is kept, in ms. */
export interface UsageRetention {
  /** Raw events (and batch ids). Default 7 days. */
  eventsMs: number;
  /** Minute rollups. Default 2 days. */
  minuteMs: number;
  /** Hour rollups. Default 90 days. */
  hourMs: number;
  /** Day rollups. Default 2 years (730 days). */
  dayMs: number;
}

const DAY = 86_400_000;

export const DEFAULT_USAGE_RETENTION: Readonly<UsageRetention> = Object.freeze({
  eventsMs: 7 * DAY,
  minuteMs: 2 * DAY,
  hourMs: 90 * DAY,
  dayMs: 730 * DAY,
});

/** Rows deleted by one prune. */
export interface PruneResult {
  events: number;
  minute: number;
  hour: number;
  day: number;
}

/** Query limits of `UsageEventStore.query`. */
export const USAGE_QUERY_LIMITS = Object.freeze({
  /** One day of minutes, 60 days of hours, ~4 years of days. */
  maxBuckets: 1440,
  /** Points in one answer (grouped series). */
  maxPoints: 10_000,
});

/** Where the recorder writes. */
export interface UsageWriter {
  /**
   * Writes the raw events, the minute/hour/day rollups and the per-key totals of one batch
   * in one transaction: all or nothing. Writing a batch id twice changes nothing the second
   * time (PostgreSQL records ids in `usage_batches`; SQLite, whose local commits are never
   * unseen, remembers the last 10 000 ids of the process).
   */
  write(batch: UsageBatch): Promise<void>;
}

/**
 * Usage persistence on SQLite or PostgreSQL (`createSqliteUsageStore`,
 * `createPostgresUsageStore`); both pass `usage-store.conformance.ts`. Analytics read the
 * rollups only, never a scan of raw events.
 */
export interface UsageEventStore extends UsageWriter {
  /** A time series from the rollups. `VALIDATION` naming the field when the range is empty or too large. */
  query(query: UsageQuery): Promise<UsageSeries>;
  /** Totals of the given keys of one workspace; keys never verified (or of another workspace) are absent. */
  keyUsage(workspaceId: string, keyIds: readonly string[]): Promise<Map<string, KeyUsage>>;
  /**
   * Rotation telemetry of one roll (`KeyRollRef.rolledAt`) of a key of the workspace: one
   * entry per credential presented (`current` before `previous`), none when neither was.
   */
  credentialUsage(workspaceId: string, keyId: string, rolledAt: number): Promise<CredentialUsage[]>;
  /** Raw events in id order (for detectors and exports). */
  events(query: UsageEventQuery): Promise<StoredUsageEvent[]>;
  /** Deletes data older than the retention at `now`, in chunks; returns the rows deleted. */
  prune(now: number): Promise<PruneResult>;
  /** Releases what the store created itself; the database handle or pool stays open (its owner closes it). */
  close(): Promise<void>;
}
