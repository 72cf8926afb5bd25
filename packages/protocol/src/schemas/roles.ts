import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Nullable, Page, PageQuery, Permissions, RoleName, Timestamp } from './common.js';

const Description = Type.String({ maxLength: LIMITS.descriptionLength });

/** A named set of permissions; keys hold roles by name, so the name cannot change once created. */
export const CreateRoleBody = Type.Object(
  { name: RoleName, description: Type.Optional(Nullable(Description)), permissions: Permissions },
  { additionalProperties: false },
);
export type CreateRoleBody = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Object(
  { description: Type.Optional(Nullable(Description)), permissions: Type.Optional(Permissions) },
  { additionalProperties: false },
);
export type UpdateRoleBody = Static<typeof UpdateRoleBody>;

export const RoleView = Type.Object({
  id: Id,
  name: Type.String(),
  description: Nullable(Type.String()),
  permissions: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type RoleView = Static<typeof RoleView>;

export const ListRolesQuery = PageQuery;
export type ListRolesQuery = Static<typeof ListRolesQuery>;

export const RolePage = Page(RoleView);
export type RolePage = Static<typeof RolePage>;
