import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** Whole days, 1 to 3650 (ten years). */
const Days = Type.Integer({ minimum: 1, maximum: 3650 });
/** Whole days, 0 to 3650. */
const DaysOrZero = Type.Integer({ minimum: 0, maximum: 3650 });

/**
 * `PUT /v1/apis/{apiId}/policies/lifetime`: the whole policy (left-out fields take their
 * defaults: null, 0, `enforce`).
 */
export const LifetimePolicyBody = Type.Object(
  {
    /** New and updated keys expire at most this many days ahead; a create without `expiresAt` gets exactly that. */
    maxTtlDays: Type.Optional(Nullable(Days)),
    /** Secrets older than this answer VALID with a `ROTATION_DUE` warning (and `Deprecation`/`Sunset` headers). */
    rotateAfterDays: Type.Optional(Nullable(Days)),
    /** Days after `rotateAfterDays` until the key is refused and disabled (`rotation_required`). Default 0. */
    rotationGraceDays: Type.Optional(DaysOrZero),
    /** Keys not verified for this many days (never verified: since creation) are disabled (`idle`). */
    idleDisableAfterDays: Type.Optional(Nullable(Days)),
    /** `key.expiring`, `key.rotation_due` and `key.idle` reminders this many days ahead. Default 0: none. */
    remindBeforeDays: Type.Optional(DaysOrZero),
    /** `dry-run`: nothing is refused, warned or disabled; usage events record `wouldDeny`. Default `enforce`. */
    mode: Type.Optional(Type.Union([Type.Literal('enforce'), Type.Literal('dry-run')])),
  },
  { additionalProperties: false },
);
export type LifetimePolicyBody = Static<typeof LifetimePolicyBody>;

export const LifetimePolicyView = Type.Object({
  apiId: Id,
  maxTtlDays: Nullable(Type.Integer()),
  rotateAfterDays: Nullable(Type.Integer()),
  rotationGraceDays: Type.Integer(),
  idleDisableAfterDays: Nullable(Type.Integer()),
  remindBeforeDays: Type.Integer(),
  mode: Type.Union([Type.Literal('enforce'), Type.Literal('dry-run')]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type LifetimePolicyView = Static<typeof LifetimePolicyView>;
