import { type Static, Type } from '@sinclair/typebox';
import { Id, Permissions, Timestamp } from './common.js';

/** A key's kind: `secret` (server-side only) or `publishable` (may ship in a browser; see docs/publishable-keys.md). */
export const KeyKind = Type.Union([Type.Literal('secret'), Type.Literal('publishable')]);
export type KeyKind = Static<typeof KeyKind>;

/**
 * An allowed browser origin: `scheme://host[:port]` exactly as browsers send it, or
 * `scheme://*.host[:port]` for every subdomain (not the host itself).
 */
export const AllowedOrigin = Type.String({
  minLength: 8,
  maxLength: 512,
  pattern: '^https?://(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$',
});

/** `PUT /v1/apis/{apiId}/policies/publishable`: where and for what this API's publishable keys work. */
export const PublishablePolicyBody = Type.Object(
  {
    /** Permissions a publishable key may use (its own permissions ∩ these); wildcards as in permissions. */
    publicPermissions: Permissions,
    /** Browser origins publishable keys are accepted from; empty: none (every publishable key is refused). */
    allowedOrigins: Type.Array(AllowedOrigin, { maxItems: 100 }),
  },
  { additionalProperties: false },
);
export type PublishablePolicyBody = Static<typeof PublishablePolicyBody>;

export const PublishablePolicyView = Type.Object({
  apiId: Id,
  publicPermissions: Type.Array(Type.String()),
  allowedOrigins: Type.Array(Type.String()),
  /** Null while the API never saved one (the defaults: nothing public, no origin). */
  updatedAt: Type.Union([Timestamp, Type.Null()]),
});
export type PublishablePolicyView = Static<typeof PublishablePolicyView>;
