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
  /** A publishable key presented from an origin its API does not allow (or from none). */
  Type.Literal('FORBIDDEN_ORIGIN'),
]);
export type VerifyCode = Static<typeof VerifyCode>;

/** The codes of a denial (every code but VALID): what a dry-run rule reports it would have answered. */
export const WouldDenyCode = Type.Union([
  Type.Literal('NOT_FOUND'),
  Type.Literal('DISABLED'),
  Type.Literal('EXPIRED'),
  Type.Literal('REVOKED'),
  Type.Literal('FORBIDDEN_IP'),
  Type.Literal('FORBIDDEN_ORIGIN'),
  Type.Literal('INSUFFICIENT_PERMISSIONS'),
  Type.Literal('RATE_LIMITED'),
  Type.Literal('USAGE_EXCEEDED'),
]);

/** A dry-run rule that would have denied a VALID verification. */
export const VerifyWouldDeny = Type.Object({
  code: WouldDenyCode,
  /** Which rule: the rate limit's name, the quota's owner (`key`, `consumer`), the dry-run permission query. */
  rule: Type.Optional(Type.String()),
});
/**
 * What the verifying face saw of the HTTP client (`ClientHints` of `client-hints.ts`): the
 * browser signals that publishable keys need and that expose a secret key used in a browser.
 */
export const VerifyClientHints = Type.Object(
  {
    userAgent: Type.Optional(Type.String({ maxLength: 256 })),
    origin: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    secFetchSite: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    secFetchMode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type VerifyClientHints = Static<typeof VerifyClientHints>;

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
    /**
     * A permission query evaluated after `permissions` that never denies: a key it would
     * refuse is answered as usual, with `wouldDeny` INSUFFICIENT_PERMISSIONS (dry run).
     */
    dryRunPermissions: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    /** The end caller's HTTP client as the provider's backend saw it (`Origin`, `Sec-Fetch-*`, `User-Agent`). */
    client: Type.Optional(VerifyClientHints),
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
 * Something a VALID key's holder should act on. `ROTATION_DUE`: the API's lifetime policy
 * asks for a new secret (roll the key) by `rotateBy`, after which the key is refused.
 */
export const VerifyWarning = Type.Object({
  code: Type.Literal('ROTATION_DUE'),
  message: Type.String(),
  /** Epoch ms: since when the secret is due for rotation (the `Deprecation` header's date). */
  dueAt: Timestamp,
  /** Epoch ms: the key is refused (DISABLED) from then on unless rolled before. */
  rotateBy: Timestamp,
});
export type VerifyWarning = Static<typeof VerifyWarning>;

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
  /** VALID only, and only when some dry-run rule would have denied: which ones (absent: none). */
  wouldDeny: Type.Optional(Type.Array(VerifyWouldDeny)),
  /** Present when a VALID key's holder should act (e.g. rotate it); absent otherwise. */
  warnings: Type.Optional(Type.Array(VerifyWarning)),
});
export type VerifyKeyResponse = Static<typeof VerifyKeyResponse>;
