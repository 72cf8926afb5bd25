import { CloneType, type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';
import { VerifyCode, WouldDenyCode } from './verify.js';

export const UsageGranularity = Type.Union(
  [Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day')],
  {
    description: 'Bucket length; buckets are aligned to UTC',
  },
);
export type UsageGranularity = Static<typeof UsageGranularity>;

export const UsageGroupBy = Type.Union([
  Type.Literal('outcome'),
  Type.Literal('key'),
  Type.Literal('consumer'),
]);
export type UsageGroupBy = Static<typeof UsageGroupBy>;

/** Most buckets one query may span (one day of minutes, 60 days of hours, ~4 years of days). */
export const USAGE_MAX_BUCKETS = 1440;
/** Most points in one answer. */
export const USAGE_MAX_POINTS = 10_000;

/** `GET /v1/usage` query: verifications of this workspace, filtered, bucketed and optionally grouped. */
export const UsageQuery = Type.Object(
  {
    apiId: Type.Optional(Id),
    keyId: Type.Optional(Id),
    consumerId: Type.Optional(Id),
    parentKeyId: Type.Optional(
      CloneType(Id, { description: "Only the verifications of this key's child keys (its direct children)" }),
    ),
    // CloneType rather than a spread: the copy keeps a type the declaration files can name.
    from: Type.Optional(
      CloneType(Timestamp, {
        description:
          'Epoch ms, inclusive (widened to its bucket start). Default: `to` minus 1 h (minute), 24 h (hour) or 30 days (day)',
      }),
    ),
    to: Type.Optional(
      CloneType(Timestamp, { description: 'Epoch ms, exclusive (widened to the next bucket). Default: now' }),
    ),
    granularity: Type.Optional(CloneType(UsageGranularity, { default: 'hour' })),
    groupBy: Type.Optional(UsageGroupBy),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: 'csv: the same series as text/csv (also chosen by `Accept: text/csv`)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

/**
 * What usage counts a verification as: its code, and besides it one `would_deny:<CODE>` per
 * dry-run rule that would have denied it (so `count` grouped by outcome adds up to more than
 * the verifications when dry-run rules are on; ungrouped totals count verifications only).
 */
export const UsageOutcome = Type.Union([
  VerifyCode,
  Type.TemplateLiteral([Type.Literal('would_deny:'), WouldDenyCode]),
]);
export type UsageOutcome = Static<typeof UsageOutcome>;

/** One bucket of one group: its start, the group value when grouped, and the verifications counted. */
export const UsagePoint = Type.Object({
  start: Timestamp,
  outcome: Type.Optional(UsageOutcome),
  /** null: verifications that matched no key. */
  keyId: Type.Optional(Nullable(Id)),
  /** null: keys without a consumer. */
  consumerId: Type.Optional(Nullable(Id)),
  count: Type.Integer({ minimum: 0 }),
});
export type UsagePoint = Static<typeof UsagePoint>;

export const UsageSeries = Type.Object({
  granularity: UsageGranularity,
  /** The aligned range covered: first bucket start (inclusive) to the end of the last bucket (exclusive). */
  from: Timestamp,
  to: Timestamp,
  /** Ordered by start, then group value. Ungrouped: every bucket, zeros included. Grouped: only groups with traffic. */
  series: Type.Array(UsagePoint),
});
export type UsageSeries = Static<typeof UsageSeries>;

/** A key's totals since its first verification, kept without a write per request. */
export const KeyUsageView = Type.Object({
  keyId: Id,
  /** Last verification, whatever its outcome; null if never verified. */
  lastUsedAt: Nullable(Timestamp),
  /** Last VALID verification. */
  lastValidAt: Nullable(Timestamp),
  /** Verifications of any outcome. */
  requests: Type.Integer({ minimum: 0 }),
  /** VALID verifications. */
  valid: Type.Integer({ minimum: 0 }),
});
export type KeyUsageView = Static<typeof KeyUsageView>;
