import { type Static, type TSchema, Type } from '@sinclair/typebox';

/**
 * Building blocks shared by every wire schema. The server validates requests with these
 * exact schemas and the SDK derives its types from them, so the two cannot drift.
 * Times on the wire are epoch milliseconds; ids are opaque strings (`key_…`, `api_…`).
 */

/** Field limits enforced by the schemas (and, where JSON Schema cannot say it, by the server). */
export const LIMITS = Object.freeze({
  /** Names, descriptions of one line, external ids. */
  nameLength: 200,
  descriptionLength: 1000,
  /** `meta` serialized as JSON, in bytes (UTF-8); checked by the server. */
  metaBytes: 16 * 1024,
  /** Nesting depth of `meta`; checked by the server. */
  metaDepth: 16,
  ratelimits: 50,
  permissions: 1000,
  permissionLength: 200,
  roles: 100,
  allowedIps: 100,
  importBatch: 1000,
  pageSize: 100,
  idLength: 64,
  cursorLength: 512,
  keyLength: 512,
  tags: 20,
  tagLength: 128,
  /** Longest accepted roll grace period: 30 days. */
  maxGracePeriodMs: 30 * 24 * 60 * 60 * 1000,
});

/** Marks a schema as also accepting `null`. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** An opaque id such as `key_0Ot9Xq3mWk1Zc8Rb2Ld4Fh`. */
export const Id = Type.String({ minLength: 1, maxLength: LIMITS.idLength, description: 'Opaque id' });

/** Epoch milliseconds (up to the year 275760, the largest `Date`). */
export const Timestamp = Type.Integer({
  minimum: 0,
  maximum: 8_640_000_000_000_000,
  description: 'Epoch ms',
});

/** A human-readable name. */
export const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength });

/** Free-form JSON object owned by the provider (≤ 16 KiB serialized, ≤ 16 levels deep). */
export const Meta = Type.Record(Type.String({ maxLength: LIMITS.nameLength }), Type.Unknown(), {
  description: 'Free-form JSON object, at most 16 KiB serialized and 16 levels deep',
});
export type Meta = Static<typeof Meta>;

/** A permission such as `sessions:read` or `chargers:*` (segments joined by `:`). */
export const Permission = Type.String({
  minLength: 1,
  maxLength: LIMITS.permissionLength,
  pattern: '^[A-Za-z0-9_.:*-]+$',
  description: 'Segments of [A-Za-z0-9_.*-] joined by ":"; "*" as a whole segment is a wildcard',
});

export const Permissions = Type.Array(Permission, { maxItems: LIMITS.permissions });

/** A role name: the reference keys hold, unique per workspace. */
export const RoleName = Type.String({
  minLength: 1,
  maxLength: LIMITS.nameLength,
  pattern: '^[A-Za-z0-9_.:-]+$',
});

/** `:id` path parameter. */
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** Cursor pagination: pass `nextCursor` of one page as `cursor` to get the next. */
export const PageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.pageSize, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.cursorLength })),
};
export const PageQuery = Type.Object(PageQueryFields, { additionalProperties: false });
export type PageQuery = Static<typeof PageQuery>;

/** A page of `items`; `nextCursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `Idempotency-Key` request header of create calls. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Replays the first reply for 24 h when the same body is sent again',
    }),
  ),
});
