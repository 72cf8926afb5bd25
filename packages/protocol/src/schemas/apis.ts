import { type Static, Type } from '@sinclair/typebox';
import { Id, Name, Page, PageQuery, Timestamp } from './common.js';

/** A key prefix: a lower-case letter, then 1-15 lower-case letters, digits or underscores (`kwroot` is reserved). */
export const KeyPrefix = Type.String({ minLength: 2, maxLength: 16, pattern: '^[a-z][a-z0-9_]{1,15}$' });

export const CreateApiBody = Type.Object({ name: Name, prefix: KeyPrefix }, { additionalProperties: false });
export type CreateApiBody = Static<typeof CreateApiBody>;

/** A new prefix applies to keys issued (or rolled) afterwards; existing keys keep working. */
export const UpdateApiBody = Type.Object(
  { name: Type.Optional(Name), prefix: Type.Optional(KeyPrefix) },
  { additionalProperties: false },
);
export type UpdateApiBody = Static<typeof UpdateApiBody>;

export const ApiView = Type.Object({
  id: Id,
  name: Type.String(),
  prefix: Type.String(),
  /** The published, anchored regex matching this API's keys (for secret scanners). */
  keyPattern: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ApiView = Static<typeof ApiView>;

export const ListApisQuery = PageQuery;
export type ListApisQuery = Static<typeof ListApisQuery>;

export const ApiPage = Page(ApiView);
export type ApiPage = Static<typeof ApiPage>;
