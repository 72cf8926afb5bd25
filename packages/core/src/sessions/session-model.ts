import type { CreditsConfig, RateLimitConfig } from '../contracts/model.js';

/** Why a dashboard session ended. */
export type SessionEndReason = 'sign-out' | 'expired' | 'root-key';

/** A root key exchanged for a dashboard cookie. The cookie holds a token; only its digest is kept. */
export interface DashboardSession {
  id: string;
  /** SHA-256 (hex) of the cookie's token. */
  digest: string;
  workspaceId: string;
  rootKeyId: string;
  /** The root key's digest at sign-in: once the root key is rolled it no longer matches, which ends the session. */
  rootKeyDigest: string;
  ip: string | null;
  createdAt: number;
  /** Last request seen (moved forward at most once a minute); idle expiry counts from it. */
  lastSeenAt: number;
  /** Absolute expiry. */
  expiresAt: number;
  endedAt: number | null;
  endReason: SessionEndReason | null;
}

/** A single-use link that opens a portal session for one consumer (what `POST /v1/portal/sessions` hands out). */
export interface PortalToken {
  /** SHA-256 (hex) of the token in the link. */
  digest: string;
  workspaceId: string;
  consumerId: string;
  /** Where the portal's "back" link goes; validated absolute http(s) URL. */
  returnUrl: string | null;
  /** Lifetime of the session the token opens. */
  sessionTtlMs: number;
  /** The root key id that created it. */
  createdBy: string;
  createdAt: number;
  /** The link works until then (a few minutes). */
  expiresAt: number;
  usedAt: number | null;
}

/** A customer's portal session: one consumer of one workspace. */
export interface PortalSession {
  id: string;
  /** SHA-256 (hex) of the cookie's token. */
  digest: string;
  workspaceId: string;
  consumerId: string;
  returnUrl: string | null;
  createdAt: number;
  expiresAt: number;
  endedAt: number | null;
}

/** Starting credits (and refill) of keys created in the portal. */
export interface PortalCredits {
  remaining: number;
  refill: CreditsConfig['refill'];
}

/** What customers may do in the portal with the keys of one API. */
export interface PortalPolicySettings {
  /** The API's keys appear in the portal at all; false (the default) hides the API. */
  enabled: boolean;
  allowCreate: boolean;
  allowRoll: boolean;
  allowRevoke: boolean;
  /** Permissions a portal-created key may hold (the customer picks a subset; default all of them). */
  permissions: string[];
  /** Rate limits every portal-created key gets. */
  ratelimits: RateLimitConfig[];
  /** Credits every portal-created key starts with; null: unlimited. */
  credits: PortalCredits | null;
  /** Most live (not revoked) keys of this API one customer may hold. */
  maxKeysPerConsumer: number;
}

export interface PortalPolicy extends PortalPolicySettings {
  workspaceId: string;
  apiId: string;
  updatedAt: number;
}

/** How the portal presents the provider. */
export interface PortalBrandingSettings {
  /** Shown in the portal's header; null: the workspace's own name. */
  name: string | null;
  /** An https:// image URL, or null. */
  logoUrl: string | null;
  /** `#rgb` or `#rrggbb`, or null for keyward's default. */
  accentColor: string | null;
  /** Your API's base URL (`https://api.example.com`), for the portal's curl example; null: a placeholder. */
  apiBaseUrl: string | null;
}

export interface PortalBranding extends PortalBrandingSettings {
  workspaceId: string;
  updatedAt: number;
}

/** The policy of an API nobody configured: hidden from the portal. */
export const DEFAULT_PORTAL_POLICY: Readonly<PortalPolicySettings> = Object.freeze({
  enabled: false,
  allowCreate: false,
  allowRoll: false,
  allowRevoke: false,
  permissions: [],
  ratelimits: [],
  credits: null,
  maxKeysPerConsumer: 5,
});
