import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Meta, Nullable, Timestamp } from './common.js';
import { Environment } from './keys.js';
import { RateLimitName } from './limits.js';

export const VerifyCode = Type.Union([
  Type.Literal('VALID'),
  Type.Literal('NOT_FOUND'),
  Type.Literal('DISABLED'),
  Type.Literal('EXPIRED'),
  Type.Literal('REVOKED'),
  Type.Literal('FORBIDDEN_IP'),
  Type.Literal('INSUFFICIENT_PERMISSIONS'),
  Type.Literal('RATE_LIMITED'),
  Type.Literal('USAGE_EXCEEDED'),
]);
export type VerifyCode = Static<typeof VerifyCode>;

export const VerifyKeyBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: LIMITS.keyLength }),
    /** Only keys of this API are valid. */
    apiId: Type.Optional(Id),
    /** A query such as `sessions:read AND (chargers:read OR admin)`; malformed → 400 naming the position. */
    permissions: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** Credits this call costs (default 1 where the key has a quota; 0 allowed). */
    credits: Type.Optional(
      Type.Object(
        { cost: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) },
        { additionalProperties: false },
      ),
    ),
    /** Limits to apply and their cost (default: every limit of the key and its consumer, cost 1). */
    ratelimits: Type.Optional(
      Type.Array(
        Type.Object(
          { name: RateLimitName, cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })) },
          { additionalProperties: false },
        ),
        { maxItems: LIMITS.ratelimits },
      ),
    ),
    /** The end caller's IP address, checked against the key's allowed IPs. */
    ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64 })),
    /** Labels recorded with the usage event (e.g. the route). */
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.tagLength }), { maxItems: LIMITS.tags }),
    ),
    /**
     * Look up keyward-format keys only: anything else (an imported key of another format)
     * answers NOT_FOUND. The middleware sets it for clients its brute-force throttle blocks.
     */
    keywardFormatOnly: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type VerifyKeyBody = Static<typeof VerifyKeyBody>;

export const VerifyRateLimit = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  remaining: Type.Integer(),
  /** Epoch ms: with nothing remaining, when one unit fits again (the limit that denied: when this request does); otherwise when the limit is whole again. */
  reset: Timestamp,
  /** `reset` as ms after this verification, by the server's clock (immune to clock skew between hosts). */
  resetAfterMs: Type.Integer({ minimum: 0 }),
  /** The limit's window in ms (`w=` of the RateLimit-Policy header, in seconds). */
  duration: Type.Integer(),
  /** Owner of the limit: the key alone, or every key of its consumer. */
  scope: Type.Union([Type.Literal('key'), Type.Literal('consumer')]),
});
export type VerifyRateLimit = Static<typeof VerifyRateLimit>;

export const VerifyConsumer = Type.Object({
  id: Id,
  externalId: Type.String(),
  name: Nullable(Type.String()),
  meta: Nullable(Meta),
});

/**
 * The answer to every verification (HTTP 200 whatever the outcome): the engine's
 * `VerifyResult` with its identity flattened (`verify-response.ts`). Identity fields are
 * filled once the key was found; `NOT_FOUND` carries nulls and empty lists.
 */
export const VerifyKeyResponse = Type.Object({
  valid: Type.Boolean(),
  code: VerifyCode,
  keyId: Nullable(Id),
  /** The key's workspace: always the calling root key's (another workspace's key is NOT_FOUND). */
  workspaceId: Nullable(Id),
  apiId: Nullable(Id),
  consumer: Nullable(VerifyConsumer),
  name: Nullable(Type.String()),
  meta: Nullable(Meta),
  permissions: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  credits: Nullable(Type.Object({ remaining: Type.Integer() })),
  ratelimits: Type.Array(VerifyRateLimit),
  expiresAt: Nullable(Timestamp),
  environment: Nullable(Environment),
  /** The parent key of a child key (`POST /v1/keys/children`); null for every other key. */
  parentKeyId: Nullable(Id),
  /** For RATE_LIMITED / USAGE_EXCEEDED: ms until a retry may succeed (null when unknown). */
  retryAfterMs: Nullable(Type.Integer({ minimum: 0 })),
});
export type VerifyKeyResponse = Static<typeof VerifyKeyResponse>;
