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

/** `GET /v1/audit-events/verify`: the workspace's hash chain checked end to end. */
export const AuditVerifyResponse = Type.Object({
  ok: Type.Boolean(),
  /** Events in the chain (when intact). */
  count: Nullable(Type.Integer({ minimum: 0 })),
  /** The last link (when intact): keep it elsewhere and pass it back as `anchorSeq`/`anchorHash` to detect a rewritten chain. */
  head: Nullable(Type.Object({ seq: Type.Integer({ minimum: 1 }), hash: Type.String() })),
  /** The first event that does not fit (when broken; null: before any event). */
  brokenAt: Nullable(Type.String()),
  reason: Nullable(Type.String()),
});
export type AuditVerifyResponse = Static<typeof AuditVerifyResponse>;

export const AuditVerifyQuery = Type.Object(
  {
    anchorSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    anchorHash: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  },
  { additionalProperties: false },
);
export type AuditVerifyQuery = Static<typeof AuditVerifyQuery>;
