import { KeywardError } from '@keyward/core';
import type { FastifyRequest } from 'fastify';

/** The header the dashboard and the portal send with every cookie-authenticated request. */
export const CSRF_HEADER = 'x-keyward-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin this request was made to: the configured public origin, or its own scheme and Host. */
export const ownOrigin = (request: FastifyRequest, publicOrigin: string | null): string =>
  publicOrigin ?? `${request.protocol}://${request.host}`;

const refused = (why: string) =>
  new KeywardError('FORBIDDEN', `cross-site request refused: ${why}`, { field: 'headers.origin' });

/**
 * The CSRF defence of cookie-authenticated requests, two layers:
 * - a custom header (`X-Keyward-Csrf`): another site can only send one through CORS, and
 *   keyward answers no CORS preflight, so a forged request never carries it;
 * - the browser's own word on where the request came from: `Origin` must be this server's
 *   origin (required on unsafe methods, which browsers always label), and `Sec-Fetch-Site`,
 *   when sent, must be `same-origin`.
 * Throws `FORBIDDEN` naming what failed; requests with a Bearer token never come here.
 */
export function checkCsrf(request: FastifyRequest, publicOrigin: string | null): void {
  const marker = request.headers[CSRF_HEADER];
  if (typeof marker !== 'string' || marker === '') throw refused('the X-Keyward-Csrf header is missing');
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined && fetchSite !== 'same-origin') {
    throw refused(`Sec-Fetch-Site is "${String(fetchSite).slice(0, 32)}"`);
  }
  const origin = request.headers.origin;
  if (origin === undefined) {
    if (SAFE_METHODS.has(request.method)) return;
    throw refused('the Origin header is missing');
  }
  if (origin !== ownOrigin(request, publicOrigin)) throw refused('the Origin is not this server');
}
