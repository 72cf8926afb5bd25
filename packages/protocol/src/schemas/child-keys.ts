import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable, Permissions } from './common.js';
import { AllowedIps, RateLimits } from './limits.js';

/** Longest `maxExpiresInSeconds` a policy may set: 30 days (child keys are meant to be short-lived). */
export const MAX_CHILD_KEY_LIFETIME_S = 30 * 24 * 60 * 60;
/** Deepest `maxDepth` a policy may set. */
export const MAX_CHILD_KEY_DEPTH = 5;

/**
 * `POST /v1/keys/children`, authenticated by the parent key itself (`Authorization: Bearer
 * <key>`): a short-lived child key that never has more than its parent.
 */
export const MintChildKeyBody = Type.Object(
  {
    /** Each covered by the parent's permissions (its roles resolved); `[]`: none. */
    permissions: Permissions,
    /** Lifetime in seconds: at most the API's policy `maxExpiresInSeconds`, and not past the parent's expiry. */
    expiresIn: Type.Integer({ minimum: 1, maximum: MAX_CHILD_KEY_LIFETIME_S }),
    /** The child's own limits, on top of every limit of the parent (whose counters the child's traffic also counts against). */
    ratelimits: Type.Optional(RateLimits),
    /** The child's own IP list; the parent's applies as well (the child admits what both admit). */
    allowedIps: Type.Optional(AllowedIps),
    name: Type.Optional(Nullable(Name)),
  },
  { additionalProperties: false },
);
export type MintChildKeyBody = Static<typeof MintChildKeyBody>;

/** `PUT /v1/apis/{id}/policies/child-keys`. */
export const ChildKeyPolicyBody = Type.Object(
  {
    /** Whether key holders of this API may mint child keys. Default (no policy set): true. */
    enabled: Type.Boolean(),
    /** Longest lifetime of a child, in seconds. Default: 3600. */
    maxExpiresInSeconds: Type.Integer({ minimum: 1, maximum: MAX_CHILD_KEY_LIFETIME_S }),
    /** 1: only ordinary keys mint children; 2: their children may mint one more level; ... Default: 1. */
    maxDepth: Type.Integer({ minimum: 1, maximum: MAX_CHILD_KEY_DEPTH }),
  },
  { additionalProperties: false },
);
export type ChildKeyPolicyBody = Static<typeof ChildKeyPolicyBody>;

export const ChildKeyPolicyView = Type.Object({
  apiId: Id,
  enabled: Type.Boolean(),
  maxExpiresInSeconds: Type.Integer(),
  maxDepth: Type.Integer(),
  /** False while no policy was set for the API (the defaults apply). */
  custom: Type.Boolean(),
});
export type ChildKeyPolicyView = Static<typeof ChildKeyPolicyView>;
