import { type Static, Type } from '@sinclair/typebox';
import {
  Id,
  LIMITS,
  Meta,
  Name,
  Nullable,
  Page,
  PageQueryFields,
  Permissions,
  RoleName,
  Timestamp,
} from './common.js';
import { ExternalId } from './consumers.js';
import { AllowedIps, Credits, CreditsInput, RateLimits, RateLimitView, RuleMode } from './limits.js';
import { KeyKind } from './publishable.js';

export const Environment = Type.Union([Type.Literal('live'), Type.Literal('test')]);

/** Fields a key accepts on create, update and import. */
export const KeySettingsFields = {
  name: Type.Optional(Nullable(Name)),
  meta: Type.Optional(Nullable(Meta)),
  permissions: Type.Optional(Permissions),
  /** Names of roles of the workspace (`POST /v1/roles`). */
  roles: Type.Optional(Type.Array(RoleName, { maxItems: LIMITS.roles })),
  ratelimits: Type.Optional(RateLimits),
  /** A quota; null removes it. */
  credits: Type.Optional(Nullable(CreditsInput)),
  allowedIps: Type.Optional(AllowedIps),
  /** `dry-run`: an address outside `allowedIps` is admitted and recorded as would_deny FORBIDDEN_IP. */
  allowedIpsMode: Type.Optional(RuleMode),
  /** Must lie in the future; null: never expires. */
  expiresAt: Type.Optional(Nullable(Timestamp)),
  enabled: Type.Optional(Type.Boolean()),
};

/** Owner of a new key: a consumer by id, or by external id (created when unknown). At most one of the two. */
const OwnerFields = {
  consumerId: Type.Optional(Id),
  externalId: Type.Optional(ExternalId),
};

export const CreateKeyBody = Type.Object(
  {
    apiId: Id,
    ...OwnerFields,
    environment: Type.Optional(Environment),
    /** Default `secret`. A `publishable` key starts with `<api prefix>_pub_`, and has no quota. */
    kind: Type.Optional(KeyKind),
    ...KeySettingsFields,
  },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const UpdateKeyBody = Type.Object(
  {
    ...KeySettingsFields,
    /** Moves the key to another consumer; null detaches it. */
    consumerId: Type.Optional(Nullable(Id)),
    externalId: Type.Optional(ExternalId),
    disabledReason: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.descriptionLength }))),
  },
  { additionalProperties: false },
);
export type UpdateKeyBody = Static<typeof UpdateKeyBody>;

/** Derived state: `active` keys verify (subject to limits); the others do not. */
export const KeyStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('disabled'),
  Type.Literal('expired'),
  Type.Literal('revoked'),
]);

export const KeyView = Type.Object({
  id: Id,
  apiId: Id,
  consumerId: Nullable(Id),
  /** Display hint: prefix, first 4 and last 4 characters (`amp_live_3kTq…9fQ2`). */
  hint: Type.String(),
  name: Nullable(Type.String()),
  meta: Nullable(Meta),
  permissions: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
  ratelimits: Type.Array(RateLimitView),
  credits: Nullable(Credits),
  allowedIps: Type.Array(Type.String()),
  /** Present only when the allow-list is in dry-run (absent: enforced). */
  allowedIpsMode: Type.Optional(RuleMode),
  environment: Environment,
  kind: KeyKind,
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.String()),
  status: KeyStatus,
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  imported: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** A child key's parent (`POST /v1/keys/children`); null for every other key. */
  parentKeyId: Nullable(Id),
});
export type KeyView = Static<typeof KeyView>;

/** The reply of create and roll: the only time the plaintext `key` is ever shown. */
export const IssuedKey = Type.Composite([KeyView, Type.Object({ key: Type.String() })]);
export type IssuedKey = Static<typeof IssuedKey>;

export const ListKeysQuery = Type.Object(
  {
    ...PageQueryFields,
    apiId: Type.Optional(Id),
    consumerId: Type.Optional(Id),
    externalId: Type.Optional(ExternalId),
    /** Only the child keys of this key. */
    parentKeyId: Type.Optional(Id),
    /** Case-insensitive substring of the name, the hint or the consumer's external id; or a key id. */
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Only keys in this state now. */
    state: Type.Optional(KeyStatus),
    /** `asc` (default): oldest first; `desc`: newest first. */
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
  },
  { additionalProperties: false },
);
export type ListKeysQuery = Static<typeof ListKeysQuery>;

export const KeyPage = Page(KeyView);
export type KeyPage = Static<typeof KeyPage>;

export const RollKeyBody = Type.Object(
  {
    /** How long the old secret keeps verifying; 0 (default) ends it at once. At most 30 days. */
    gracePeriodMs: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.maxGracePeriodMs, default: 0 })),
  },
  { additionalProperties: false },
);
export type RollKeyBody = Static<typeof RollKeyBody>;

export const AttachRolesBody = Type.Object(
  { roles: Type.Array(RoleName, { minItems: 1, maxItems: LIMITS.roles }) },
  { additionalProperties: false },
);
export type AttachRolesBody = Static<typeof AttachRolesBody>;

export const KeyRoleParams = Type.Object({ id: Id, name: RoleName }, { additionalProperties: false });
export type KeyRoleParams = Static<typeof KeyRoleParams>;
