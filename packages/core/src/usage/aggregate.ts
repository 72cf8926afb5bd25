import type { UsageEvent } from '../contracts/usage-sink.js';
import {
  aggregateCredentials,
  type CredentialClientDelta,
  type CredentialUsageDelta,
} from './credential-usage.js';
import { bucketStart, type Granularity } from './granularity.js';

/** A raw-events row: `count` identical, consecutive events. */
export interface RawRow {
  time: number;
  workspaceId: string | null;
  apiId: string | null;
  keyId: string | null;
  consumerId: string | null;
  outcome: string;
  /** Credits spent by each of the `count` events. */
  cost: number;
  ip: string | null;
  /** JSON array. */
  tags: string;
  count: number;
  /** JSON array of the codes dry-run rules would have denied with; null: none. */
  wouldDeny: string | null;
}

/** The rollup outcome of a dry-run rule that would have denied: `would_deny:<CODE>`. */
export const WOULD_DENY_PREFIX = 'would_deny:';

/** One rollup increment. Dimensions are '' where the event had null (so that they can be part of a primary key). */
export interface RollupRow {
  bucket: number;
  workspaceId: string;
  apiId: string;
  keyId: string;
  consumerId: string;
  outcome: string;
  count: number;
  cost: number;
}

/** One per-key totals increment. */
export interface KeyUsageDelta {
  keyId: string;
  workspaceId: string;
  lastUsedAt: number;
  lastValidAt: number | null;
  requests: number;
  valid: number;
}

export interface AggregatedBatch {
  raw: RawRow[];
  /** Sorted by primary key (workspace, bucket, api, key, consumer, outcome): concurrent writers lock rows in one order. */
  rollups: Record<Granularity, RollupRow[]>;
  /** Sorted by key id. */
  keys: KeyUsageDelta[];
  /** Malformed events left out (time not a non-negative finite number, or no code). */
  skipped: number;
  /** Rotation telemetry: per key, roll and credential (see `credential-usage.ts`). */
  credentials: CredentialUsageDelta[];
  /** Rotation telemetry: the addresses and user agents of those credentials. */
  clients: CredentialClientDelta[];
}

const EMPTY_TAGS = '[]';

const sameTags = (a: readonly string[], b: readonly string[]): boolean => {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Same row: every field equal (time to the ms). Cheap enough for every event of a busy verifier. */
const sameRow = (a: UsageEvent, b: UsageEvent): boolean =>
  a.time === b.time &&
  a.keyId === b.keyId &&
  a.code === b.code &&
  a.cost === b.cost &&
  a.ip === b.ip &&
  a.apiId === b.apiId &&
  a.workspaceId === b.workspaceId &&
  a.consumerId === b.consumerId &&
  sameTags(a.tags, b.tags) &&
  sameTags(a.wouldDeny ?? EMPTY, b.wouldDeny ?? EMPTY);

const EMPTY: readonly string[] = Object.freeze([]);

/** The dry-run codes of an event: strings only, each once (an outcome is counted once per event). */
const wouldDenyOf = (event: UsageEvent): string | null => {
  const codes = event.wouldDeny;
  if (!Array.isArray(codes) || codes.length === 0) return null;
  const unique = [...new Set(codes.filter((code) => typeof code === 'string' && code.length > 0))];
  return unique.length === 0 ? null : JSON.stringify(unique);
};

const toRaw = (event: UsageEvent, time: number): RawRow => ({
  time,
  workspaceId: event.workspaceId,
  apiId: event.apiId,
  keyId: event.keyId,
  consumerId: event.consumerId,
  outcome: event.code,
  cost: Number.isSafeInteger(event.cost) && event.cost > 0 ? event.cost : 0,
  ip: event.ip,
  tags: Array.isArray(event.tags) && event.tags.length > 0 ? JSON.stringify(event.tags) : EMPTY_TAGS,
  count: 1,
  wouldDeny: wouldDenyOf(event),
});

/** Run-length encoding of consecutive identical events: lossless, and a burst from one client becomes a few rows. */
function encodeRuns(events: readonly UsageEvent[]): { raw: RawRow[]; skipped: number } {
  const raw: RawRow[] = [];
  let previous: UsageEvent | null = null;
  let current: RawRow | null = null;
  let skipped = 0;
  for (const event of events) {
    // A malformed event must not poison its batch (a batch that always fails would be retried forever).
    if (
      typeof event?.time !== 'number' ||
      !Number.isFinite(event.time) ||
      event.time < 0 ||
      typeof event.code !== 'string'
    ) {
      skipped++;
      continue;
    }
    if (previous !== null && current !== null && sameRow(previous, event)) {
      current.count++;
      continue;
    }
    current = toRaw(event, Math.trunc(event.time));
    raw.push(current);
    previous = event;
  }
  return { raw, skipped };
}

const compareRollups = (a: RollupRow, b: RollupRow): number =>
  a.workspaceId < b.workspaceId
    ? -1
    : a.workspaceId > b.workspaceId
      ? 1
      : a.bucket - b.bucket ||
        (a.apiId < b.apiId ? -1 : a.apiId > b.apiId ? 1 : 0) ||
        (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0) ||
        (a.consumerId < b.consumerId ? -1 : a.consumerId > b.consumerId ? 1 : 0) ||
        (a.outcome < b.outcome ? -1 : a.outcome > b.outcome ? 1 : 0);

/** What a rollup is built from: a time and the dimensions, already '' for null. */
interface RollupSource {
  time: number;
  workspaceId: string;
  apiId: string;
  keyId: string;
  consumerId: string;
  outcome: string;
  count: number;
  /** Total credits of the `count` events. */
  cost: number;
}

function rollUp(rows: readonly RollupSource[], granularity: Granularity): RollupRow[] {
  const groups = new Map<string, RollupRow>();
  for (const row of rows) {
    const bucket = bucketStart(row.time, granularity);
    const id = `${bucket}\u0000${row.workspaceId}\u0000${row.apiId}\u0000${row.keyId}\u0000${row.consumerId}\u0000${row.outcome}`;
    const found = groups.get(id);
    if (found === undefined) {
      groups.set(id, {
        bucket,
        workspaceId: row.workspaceId,
        apiId: row.apiId,
        keyId: row.keyId,
        consumerId: row.consumerId,
        outcome: row.outcome,
        count: row.count,
        cost: row.cost,
      });
    } else {
      found.count += row.count;
      found.cost += row.cost;
    }
  }
  return [...groups.values()].sort(compareRollups);
}

function keyTotals(raw: readonly RawRow[]): KeyUsageDelta[] {
  const keys = new Map<string, KeyUsageDelta>();
  for (const row of raw) {
    if (row.keyId === null) continue;
    const valid = row.outcome === 'VALID';
    const found = keys.get(row.keyId);
    if (found === undefined) {
      keys.set(row.keyId, {
        keyId: row.keyId,
        workspaceId: row.workspaceId ?? '',
        lastUsedAt: row.time,
        lastValidAt: valid ? row.time : null,
        requests: row.count,
        valid: valid ? row.count : 0,
      });
      continue;
    }
    found.requests += row.count;
    if (row.time > found.lastUsedAt) found.lastUsedAt = row.time;
    if (valid) {
      found.valid += row.count;
      if (found.lastValidAt === null || row.time > found.lastValidAt) found.lastValidAt = row.time;
    }
  }
  return [...keys.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
}

/**
 * Everything one batch writes, computed in memory: the raw rows (runs of identical events
 * merged), the increments of the minute, hour and day rollups, and the per-key totals.
 * Pure; the stores only apply it in one transaction.
 *
 * @example const { raw, rollups, keys } = aggregateBatch(events);
 */
export function aggregateBatch(events: readonly UsageEvent[]): AggregatedBatch {
  const { raw, skipped } = encodeRuns(events);
  const sources: RollupSource[] = raw.map((row) => ({
    time: row.time,
    workspaceId: row.workspaceId ?? '',
    apiId: row.apiId ?? '',
    keyId: row.keyId ?? '',
    consumerId: row.consumerId ?? '',
    outcome: row.outcome,
    count: row.count,
    cost: row.cost * row.count,
  }));
  // Besides its own outcome, an event counts once under each dry-run rule's would-deny
  // outcome (cost 0); key totals read the raw rows, so they never count these.
  for (const row of raw) {
    if (row.wouldDeny === null) continue;
    for (const code of JSON.parse(row.wouldDeny) as string[]) {
      sources.push({
        time: row.time,
        workspaceId: row.workspaceId ?? '',
        apiId: row.apiId ?? '',
        keyId: row.keyId ?? '',
        consumerId: row.consumerId ?? '',
        outcome: `${WOULD_DENY_PREFIX}${code}`,
        count: row.count,
        cost: 0,
      });
    }
  }
  // Hours and days are summed from the minutes: a batch has far fewer minute rows than events.
  const minute = rollUp(sources, 'minute');
  const fromMinutes = minute.map((row) => ({ ...row, time: row.bucket }));
  const rollups = { minute, hour: rollUp(fromMinutes, 'hour'), day: rollUp(fromMinutes, 'day') };
  return { raw, rollups, keys: keyTotals(raw), skipped, ...aggregateCredentials(events) };
}
