import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Name, Nullable, Page, Permissions, Timestamp } from './common.js';
import { ExternalId } from './consumers.js';
import { Environment, KeyStatus } from './keys.js';
import { Credits, CreditsInput, RateLimits, RateLimitView } from './limits.js';
import { UsageSeries } from './usage.js';

/**
 * The customer portal: the provider's backend asks for a short-lived link for one customer
 * (`POST /v1/portal/sessions`), the customer opens it and manages their own keys through
 * `/portal/api/...`, within the policy the provider set per API.
 */

/** Longest portal session: one day; default one hour. */
export const PORTAL_SESSION_MAX_SECONDS = 86_400;

/** `POST /v1/portal/sessions`. */
export const CreatePortalSessionBody = Type.Object(
  {
    /** The customer, by the provider's own id (a consumer of this workspace). */
    externalId: ExternalId,
    /** Where the portal's "back" link goes: an absolute http(s) URL. */
    returnUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    /** Lifetime of the portal session in seconds once the link is opened (60 to 86400; default 3600). */
    expiresIn: Type.Optional(
      Type.Integer({ minimum: 60, maximum: PORTAL_SESSION_MAX_SECONDS, default: 3600 }),
    ),
  },
  { additionalProperties: false },
);
export type CreatePortalSessionBody = Static<typeof CreatePortalSessionBody>;

export const PortalSessionLink = Type.Object({
  /** Open (or redirect the customer to) this URL; it works once, until `expiresAt`. */
  url: Type.String(),
  /** The link stops working then (a few minutes); the session it opens lasts `expiresIn`. */
  expiresAt: Timestamp,
});
export type PortalSessionLink = Static<typeof PortalSessionLink>;

/** Starting credits of keys created in the portal. */
export const PortalCredits = CreditsInput;

/** What customers may do with one API's keys in the portal. */
export const PortalPolicyBody = Type.Object(
  {
    /** Show the API's keys in the portal at all; false hides the API (the default). */
    enabled: Type.Boolean(),
    allowCreate: Type.Optional(Type.Boolean({ default: false })),
    allowRoll: Type.Optional(Type.Boolean({ default: false })),
    allowRevoke: Type.Optional(Type.Boolean({ default: false })),
    /** Permissions a portal-created key may hold; the customer picks a subset (default: all). */
    permissions: Type.Optional(Permissions),
    /** Rate limits every portal-created key gets. */
    ratelimits: Type.Optional(RateLimits),
    /** Credits every portal-created key starts with; null or absent: unlimited. */
    credits: Type.Optional(Nullable(PortalCredits)),
    /** Most live keys of this API one customer may hold (1-100, default 5). */
    maxKeysPerConsumer: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5 })),
  },
  { additionalProperties: false },
);
export type PortalPolicyBody = Static<typeof PortalPolicyBody>;

export const PortalPolicyView = Type.Object({
  apiId: Id,
  enabled: Type.Boolean(),
  allowCreate: Type.Boolean(),
  allowRoll: Type.Boolean(),
  allowRevoke: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  ratelimits: Type.Array(RateLimitView),
  credits: Nullable(Type.Object({ remaining: Type.Integer(), refill: Nullable(Credits.properties.refill) })),
  maxKeysPerConsumer: Type.Integer(),
  /** 0 when never saved (the default policy). */
  updatedAt: Timestamp,
});
export type PortalPolicyView = Static<typeof PortalPolicyView>;

/** `#rgb` or `#rrggbb`. */
export const HexColor = Type.String({ pattern: '^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$' });

export const PortalBrandingBody = Type.Object(
  {
    /** Shown in the portal's header; null: the workspace's name. */
    name: Type.Optional(Nullable(Name)),
    /** An https:// image URL. */
    logoUrl: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2048 }))),
    accentColor: Type.Optional(Nullable(HexColor)),
    /** Your API's base URL (http or https), shown in the portal's curl example. */
    apiBaseUrl: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 2048 }))),
  },
  { additionalProperties: false },
);
export type PortalBrandingBody = Static<typeof PortalBrandingBody>;

export const PortalBrandingView = Type.Object({
  name: Nullable(Type.String()),
  logoUrl: Nullable(Type.String()),
  accentColor: Nullable(Type.String()),
  apiBaseUrl: Nullable(Type.String()),
  updatedAt: Timestamp,
});
export type PortalBrandingView = Static<typeof PortalBrandingView>;

/** The portal page exchanges the link's token for the session cookie. */
export const PortalExchangeBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export type PortalExchangeBody = Static<typeof PortalExchangeBody>;

/** An API as its customers see it, with what the policy lets them do. */
export const PortalApiView = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String(),
  allowCreate: Type.Boolean(),
  allowRoll: Type.Boolean(),
  allowRevoke: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  ratelimits: Type.Array(RateLimitView),
  maxKeysPerConsumer: Type.Integer(),
});
export type PortalApiView = Static<typeof PortalApiView>;

export const PortalSessionView = Type.Object({
  customer: Type.Object({ externalId: Type.String(), name: Nullable(Type.String()) }),
  branding: Type.Object({
    name: Type.String(),
    logoUrl: Nullable(Type.String()),
    accentColor: Nullable(Type.String()),
    apiBaseUrl: Nullable(Type.String()),
  }),
  returnUrl: Nullable(Type.String()),
  expiresAt: Timestamp,
  apis: Type.Array(PortalApiView),
  /** Where the customer's backend verifies keys, for the curl example. */
  verifyUrl: Type.String(),
  csrfHeader: Type.Literal('X-Keyward-Csrf'),
});
export type PortalSessionView = Static<typeof PortalSessionView>;

/** A key as its owner sees it in the portal (no metadata, no internal flags). */
export const PortalKeyView = Type.Object({
  id: Id,
  apiId: Id,
  name: Nullable(Type.String()),
  hint: Type.String(),
  environment: Environment,
  status: KeyStatus,
  permissions: Type.Array(Type.String()),
  ratelimits: Type.Array(RateLimitView),
  credits: Nullable(Credits),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  /** A child key's parent (minted with `POST /v1/keys/children`); null for every other key. */
  parentKeyId: Nullable(Id),
});
export type PortalKeyView = Static<typeof PortalKeyView>;

export const PortalKeyPage = Page(PortalKeyView);
export type PortalKeyPage = Static<typeof PortalKeyPage>;

export const PortalIssuedKey = Type.Composite([PortalKeyView, Type.Object({ key: Type.String() })]);
export type PortalIssuedKey = Static<typeof PortalIssuedKey>;

export const PortalCreateKeyBody = Type.Object(
  {
    apiId: Id,
    name: Type.Optional(Nullable(Name)),
    /** A subset of the API's portal permissions; absent: all of them. */
    permissions: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: LIMITS.permissionLength }), {
        maxItems: LIMITS.permissions,
      }),
    ),
  },
  { additionalProperties: false },
);
export type PortalCreateKeyBody = Static<typeof PortalCreateKeyBody>;

export const PortalRollKeyBody = Type.Object(
  {
    /** How long the old secret keeps working: 0 to 7 days (default 0: it stops at once). */
    gracePeriodMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type PortalRollKeyBody = Static<typeof PortalRollKeyBody>;

export const PortalUsageQuery = Type.Object(
  {
    keyId: Type.Optional(Id),
    granularity: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' })),
  },
  { additionalProperties: false },
);
export type PortalUsageQuery = Static<typeof PortalUsageQuery>;

/** The customer's verifications by outcome: of one key, or of all their keys. */
export const PortalUsage = UsageSeries;
export type PortalUsage = Static<typeof UsageSeries>;
