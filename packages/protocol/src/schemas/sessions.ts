import { type Static, Type } from '@sinclair/typebox';
import { Id, LIMITS, Nullable, Timestamp } from './common.js';

/**
 * The dashboard's sign-in (`/dashboard/api/session`): a root key exchanged for a
 * server-side session held in an `HttpOnly`, `SameSite=Strict` cookie.
 */

/** Sign-in: the root key here, or as `Authorization: Bearer <root key>` (then the body may be empty). */
export const SignInBody = Type.Object(
  { rootKey: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.keyLength })) },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBody>;

/** Who is signed in, and until when. No secret: the session token lives in the cookie only. */
export const DashboardSessionView = Type.Object({
  workspace: Type.Object({ id: Id, name: Type.String() }),
  rootKey: Type.Object({
    id: Id,
    hint: Type.String(),
    name: Nullable(Type.String()),
    permissions: Type.Array(Type.String()),
  }),
  createdAt: Timestamp,
  /** The session ends then whatever happens. */
  expiresAt: Timestamp,
  /** The session ends then unless a request comes first (each request moves it on). */
  idleExpiresAt: Timestamp,
  /** Send this value as the `X-Keyward-Csrf` header with every cookie-authenticated request. */
  csrfHeader: Type.Literal('X-Keyward-Csrf'),
});
export type DashboardSessionView = Static<typeof DashboardSessionView>;
