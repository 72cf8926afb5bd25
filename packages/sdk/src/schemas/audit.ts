import { type Static, Type } from '@sinclair/typebox';
import { Id, Meta, Nullable, Page, PageQueryFields, Timestamp } from './common.js';

export const AuditEventView = Type.Object({
  id: Id,
  /** Root key id, or `system` / `cli`. */
  actor: Type.String(),
  /** e.g. `key.create`, `key.revoke`, `api.update`. */
  action: Type.String(),
  targetType: Type.String(),
  targetId: Nullable(Type.String()),
  before: Nullable(Meta),
  after: Nullable(Meta),
  ip: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  createdAt: Timestamp,
});
export type AuditEventView = Static<typeof AuditEventView>;

export const ListAuditQuery = Type.Object(
  {
    ...PageQueryFields,
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type ListAuditQuery = Static<typeof ListAuditQuery>;

export const AuditPage = Page(AuditEventView);
export type AuditPage = Static<typeof AuditPage>;
