/**
 * The domain records every store adapter reads and writes. Times are milliseconds since
 * the Unix epoch (numbers, never Date or bigint), ids are opaque strings with a type
 * prefix (`ws_`, `api_`, `con_`, `key_`, `rk_`, `role_`, `evt_`), JSON fields are plain values.
 */

export type Meta = Record<string, unknown>;

/** One named rate limit on a key or a consumer. */
export interface RateLimitConfig {
  /** Unique per owner; a verification names limits by it. */
  name: string;
  /** Units admitted per `duration`. */
  limit: number;
  /** Window length (or full refill time of the bucket) in ms. */
  duration: number;
  /** Defaults to `sliding_window`. */
  algorithm: 'sliding_window' | 'token_bucket';
  /** `dry-run`: counted, never denies (recorded as would-deny RATE_LIMITED). Absent: enforced. */
  mode?: RuleMode;
}

/** How a rule applies: `enforce` denies; `dry-run` never denies and reports what it would have denied. */
export type RuleMode = 'enforce' | 'dry-run';

export type RefillInterval = 'daily' | 'monthly' | number;

/** Quota configuration: the remaining balance itself lives in a `CreditLedger`. */
export interface CreditsConfig {
  refill: {
    interval: RefillInterval;
    amount: number /** day of month for 'monthly', 1-31 */;
    day?: number;
  } | null;
  /** `dry-run`: spent while the balance lasts; an empty balance never denies (would-deny USAGE_EXCEEDED). Absent: enforced. */
  mode?: RuleMode;
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

export interface Api {
  id: string;
  workspaceId: string;
  name: string;
  /** `[a-z][a-z0-9_]{1,15}`; keys of this API start with `<prefix>_`. */
  prefix: string;
  createdAt: number;
  updatedAt: number;
}

export interface Consumer {
  id: string;
  workspaceId: string;
  /** The provider's own id for its customer; unique per workspace. */
  externalId: string;
  name: string | null;
  meta: Meta | null;
  ratelimits: RateLimitConfig[];
  credits: CreditsConfig | null;
  createdAt: number;
  updatedAt: number;
}

export interface Role {
  id: string;
  workspaceId: string;
  /** Unique per workspace. */
  name: string;
  description: string | null;
  permissions: string[];
  createdAt: number;
  updatedAt: number;
}

export interface KeyRecord {
  id: string;
  workspaceId: string;
  apiId: string;
  consumerId: string | null;
  /** Current digest (see digest.ts); the plaintext is never stored. */
  digest: string;
  /** Display hint: prefix + first 4 + last 4 of the secret part, e.g. `amp_live_Ab3x…9fQ2`. */
  hint: string;
  name: string | null;
  meta: Meta | null;
  permissions: string[];
  /** Role names (resolved to permissions at verification). */
  roles: string[];
  ratelimits: RateLimitConfig[];
  credits: CreditsConfig | null;
  /** CIDRs; empty = any address. */
  allowedIps: string[];
  /** `dry-run`: an address outside `allowedIps` is admitted and recorded as would-deny FORBIDDEN_IP. Absent: enforced. */
  allowedIpsMode?: RuleMode;
  environment: 'live' | 'test';
  /** `secret` (server-side only) or `publishable` (browser-safe: origins and public permissions of its API only). */
  kind: KeyKind;
  enabled: boolean;
  /** Set when disabled by a detector or an admin, for the audit trail and UI. */
  disabledReason: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  /** True when the key came from `POST /v1/keys/import` (foreign format possible). */
  imported: boolean;
  /** When the current secret was issued by a roll; absent: never rolled (issued at `createdAt`). */
  rolledAt?: number;
  createdAt: number;
  updatedAt: number;
  /** Set on a child key (minted by its parent key, `POST /v1/keys/children`); absent on every other key. */
  parent?: KeyParent;
}

/** What ties a child key to its parent (see `engine/child-keys.ts`). */
export interface KeyParent {
  keyId: string;
  /** 1 for a child of an ordinary key, 2 for a grandchild, ... */
  depth: number;
  /** `childBinding` of the parent's digest at mint: a parent rolled since no longer matches. */
  binding: string;
}

/** Per-API policy of child keys (`PUT /v1/apis/{apiId}/policies/child-keys`). */
export interface ChildKeyPolicy {
  /** Whether key holders of this API may mint child keys at all. */
  enabled: boolean;
  /** Longest `expiresIn` a child may ask for, in seconds. */
  maxExpiresInSeconds: number;
  /** Deepest child allowed: 1 = children of ordinary keys only, 2 = their children too, ... */
  maxDepth: number;
}

/** A key's kind (see `KeyRecord.kind`). */
export type KeyKind = 'secret' | 'publishable';

/** Where and for what an API's publishable keys work (`PUT /v1/apis/{apiId}/policies/publishable`). */
export interface PublishablePolicy {
  workspaceId: string;
  apiId: string;
  /** Permissions a publishable key may use: its own ∩ these. */
  publicPermissions: string[];
  /** Browser origins (`https://app.example.com`, `https://*.example.com`). Empty: none. */
  allowedOrigins: string[];
  updatedAt: number;
}

export interface RootKey {
  id: string;
  workspaceId: string;
  digest: string;
  hint: string;
  name: string | null;
  /** `*`, `apis:read`, `apis:write`, `consumers:read`, `consumers:write`, `keys:read`, `keys:write`, `keys:verify`, `roles:read`, `roles:write`, `root_keys:read`, `root_keys:write`, `usage:read`, `audit:read`, ... */
  permissions: string[];
  revokedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AuditEvent {
  id: string;
  workspaceId: string;
  /** Root key id, or `system` / `cli`. */
  actor: string;
  /** e.g. `key.create`, `key.revoke`, `api.update`. */
  action: string;
  targetType: string;
  targetId: string | null;
  /** Public views only: never a digest or plaintext. */
  before: Meta | null;
  after: Meta | null;
  ip: string | null;
  requestId: string | null;
  createdAt: number;
}
