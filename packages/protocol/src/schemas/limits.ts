import { type Static, Type } from '@sinclair/typebox';
import { LIMITS, Nullable } from './common.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How a rule applies: `enforce` denies; `dry-run` is evaluated on every verification but
 * never denies, and reports what it would have denied (`wouldDeny` of the result, usage
 * outcomes `would_deny:<CODE>`), so that a new rule can be watched before it is enforced.
 */
export const RuleMode = Type.Union([Type.Literal('enforce'), Type.Literal('dry-run')], {
  description: '`dry-run`: evaluated, never denies, recorded as would_deny in usage. Default enforce',
});
export type RuleMode = Static<typeof RuleMode>;

/** A rate limit's name: how a verification selects it. */
export const RateLimitName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

/** One named rate limit of a key or a consumer (a consumer's limits are shared by all its keys). */
export const RateLimit = Type.Object(
  {
    name: RateLimitName,
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Units admitted per duration' }),
    duration: Type.Integer({ minimum: 1, maximum: 366 * DAY_MS, description: 'Window length in ms' }),
    algorithm: Type.Optional(
      Type.Union([Type.Literal('sliding_window'), Type.Literal('token_bucket')], {
        default: 'sliding_window',
      }),
    ),
    mode: Type.Optional(RuleMode),
  },
  { additionalProperties: false },
);
export type RateLimit = Static<typeof RateLimit>;

/** Names must be unique within one list (checked by the server). */
export const RateLimits = Type.Array(RateLimit, { maxItems: LIMITS.ratelimits });

/** How a quota refills: every day (UTC midnight), every month on `day`, or every `interval` ms. */
export const Refill = Type.Object(
  {
    interval: Type.Union([
      Type.Literal('daily'),
      Type.Literal('monthly'),
      Type.Integer({ minimum: 1000, maximum: 366 * DAY_MS, description: 'Interval in ms' }),
    ]),
    amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    day: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: "Day of month, for 'monthly'" })),
  },
  { additionalProperties: false },
);
export type Refill = Static<typeof Refill>;

/** Quota of a key or a consumer as sent by the caller: the balance and an optional refill. */
export const CreditsInput = Type.Object(
  {
    remaining: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    refill: Type.Optional(Nullable(Refill)),
    /** `dry-run`: credits are spent while the balance lasts; an empty balance never denies. */
    mode: Type.Optional(RuleMode),
  },
  { additionalProperties: false },
);
export type CreditsInput = Static<typeof CreditsInput>;

/** Quota as answered: `remaining` is null when no balance is held. */
export const Credits = Type.Object({
  remaining: Nullable(Type.Integer()),
  refill: Nullable(
    Type.Object({
      interval: Type.Union([Type.Literal('daily'), Type.Literal('monthly'), Type.Integer()]),
      amount: Type.Integer(),
      day: Type.Optional(Type.Integer()),
    }),
  ),
  /** Present only for a dry-run quota (absent: enforced). */
  mode: Type.Optional(RuleMode),
});
export type Credits = Static<typeof Credits>;

/** A rate limit as answered (algorithm always present). */
export const RateLimitView = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  duration: Type.Integer(),
  algorithm: Type.Union([Type.Literal('sliding_window'), Type.Literal('token_bucket')]),
  /** Present only for a dry-run limit (absent: enforced). */
  mode: Type.Optional(RuleMode),
});
export type RateLimitView = Static<typeof RateLimitView>;

/** Allowed caller addresses as IPv4/IPv6 CIDRs or single addresses; empty = any address. */
export const AllowedIps = Type.Array(Type.String({ minLength: 2, maxLength: 64 }), {
  maxItems: LIMITS.allowedIps,
});
