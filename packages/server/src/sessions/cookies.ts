import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';

/** The dashboard's session cookie: sent with every admin API call of the page. */
export const DASHBOARD_COOKIE = 'keyward_session';
/** The portal's session cookie: sent to `/portal/` only, so it never reaches the admin API. */
export const PORTAL_COOKIE = 'keyward_portal';
export const PORTAL_COOKIE_PATH = '/portal';

/**
 * Session cookie attributes: unreadable by scripts, never sent by another site's request
 * (`SameSite=Strict`), and `Secure` when the request came over HTTPS (as Fastify's
 * `request.protocol` says, which honours `trustProxy`).
 */
export function sessionCookie(
  request: FastifyRequest,
  path: string,
  maxAgeMs: number,
): CookieSerializeOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path,
    maxAge: Math.max(1, Math.floor(maxAgeMs / 1000)),
  };
}

/** Attributes that delete the cookie set with `sessionCookie`. */
export const expiredCookie = (request: FastifyRequest, path: string): CookieSerializeOptions => ({
  httpOnly: true,
  sameSite: 'strict',
  secure: request.protocol === 'https',
  path,
});
