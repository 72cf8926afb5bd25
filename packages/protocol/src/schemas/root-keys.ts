import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Nullable, Page, PageQuery, Timestamp } from './common.js';

/** Every permission a root key can hold. A `:write` implies the `:read` of the same resource; `*` is everything. */
export const ROOT_PERMISSIONS = [
  '*',
  'apis:read',
  'apis:write',
  'consumers:read',
  'consumers:write',
  'keys:read',
  'keys:write',
  'keys:verify',
  'roles:read',
  'roles:write',
  'root_keys:read',
  'root_keys:write',
  'usage:read',
  'audit:read',
  'alerts:read',
  'alerts:write',
  'webhooks:read',
  'webhooks:write',
] as const;
export type RootPermission = (typeof ROOT_PERMISSIONS)[number];

/**
 * The workspace-wide permissions that can also be granted for one API only, as
 * `api.<apiId>.<permission>` (`api.api_3kTq….keys:write`): such a root key manages the keys
 * of that API and nothing else (a provider's billing service, say).
 */
export const API_SCOPED_PERMISSIONS = ['keys:read', 'keys:write', 'keys:verify'] as const;
export type ApiScopedPermission = (typeof API_SCOPED_PERMISSIONS)[number];

/** `api.<apiId>.keys:read|keys:write|keys:verify`: group 1 is the API id, group 2 the permission. */
export const API_PERMISSION_PATTERN = `^api\\.([A-Za-z0-9_]{1,64})\\.(${API_SCOPED_PERMISSIONS.join('|')})$`;

export const RootPermissionSchema = Type.Union([
  ...ROOT_PERMISSIONS.map((p) => Type.Literal(p)),
  Type.String({ pattern: API_PERMISSION_PATTERN, maxLength: 90 }),
]);

/** Most permissions one root key holds (every workspace-wide one, plus per-API grants). */
export const MAX_ROOT_PERMISSIONS = 100;

/** A new root key may only hold permissions its creator holds. */
export const CreateRootKeyBody = Type.Object(
  {
    name: Type.Optional(Nullable(Name)),
    permissions: Type.Array(RootPermissionSchema, { minItems: 1, maxItems: MAX_ROOT_PERMISSIONS }),
  },
  { additionalProperties: false },
);
export type CreateRootKeyBody = Static<typeof CreateRootKeyBody>;

export const RootKeyView = Type.Object({
  id: Id,
  /** Display hint (`kwroot_3kTq…9fQ2`). */
  hint: Type.String(),
  name: Nullable(Type.String()),
  permissions: Type.Array(Type.String()),
  revokedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RootKeyView = Static<typeof RootKeyView>;

/** Create and roll answer the plaintext root key once. */
export const IssuedRootKey = Type.Composite([RootKeyView, Type.Object({ key: Type.String() })]);
export type IssuedRootKey = Static<typeof IssuedRootKey>;

export const ListRootKeysQuery = PageQuery;
export type ListRootKeysQuery = Static<typeof ListRootKeysQuery>;

export const RootKeyPage = Page(RootKeyView);
export type RootKeyPage = Static<typeof RootKeyPage>;
