import type { DenialCode, KeywardIdentity, VerifiedConsumer, VerifiedIdentity } from './verification.js';

/**
 * The caller's identity as keyward's gateway forwards it to the upstream API (see
 * `packages/server/src/gateway/forward-headers.ts`):
 *
 * - `x-keyward-key-id`, `x-keyward-workspace-id`, `x-keyward-api-id`: the key's id, its
 *   workspace's and its API's
 * - `x-keyward-environment`: `live` or `test`
 * - `x-keyward-consumer-id`, `x-keyward-consumer-external-id`: both or neither; the external
 *   id is percent-encoded
 * - `x-keyward-permissions`: the key's permissions (roles resolved), comma-separated
 * - `x-keyward-would-deny`: only when dry-run rules would have denied the request: their
 *   codes (`RATE_LIMITED`, ...), comma-separated (see docs/dry-run.md)
 * - `x-keyward-parent-key-id`: a child key's parent (absent for other keys)
 *
 * Trust model: these are plain request headers. They are trustworthy only because the gateway
 * removes every client-sent `x-keyward-*` header before adding its own, so an app that reads
 * them must be reachable **solely through the gateway**: bound to loopback, a private network
 * or a socket only the gateway can reach. Anyone who can call the app directly can claim any
 * identity.
 */

/** Lower-case names of the identity headers, as Node, Fastify, Express and Hono expose them. */
export const GATEWAY_IDENTITY_HEADERS = Object.freeze({
  keyId: 'x-keyward-key-id',
  workspaceId: 'x-keyward-workspace-id',
  apiId: 'x-keyward-api-id',
  environment: 'x-keyward-environment',
  consumerId: 'x-keyward-consumer-id',
  consumerExternalId: 'x-keyward-consumer-external-id',
  permissions: 'x-keyward-permissions',
  wouldDeny: 'x-keyward-would-deny',
  parentKeyId: 'x-keyward-parent-key-id',
});

/** keyward ids (`key_…`, `con_…`): short runs of letters, digits, `_` and `-`. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** What `encodeURIComponent` produces: a header that holds anything else was not written by the gateway. */
const URI_COMPONENT = /^(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-Fa-f]{2})*$/;
const PERMISSION = /^[A-Za-z0-9_.:*-]{1,256}$/;

/** Request headers with lower-case names (Node's `IncomingHttpHeaders`, Hono's `c.req.header()`). */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** The one value of a header; undefined when absent, null when sent more than once. */
function single(headers: HeaderMap, name: string): string | null | undefined {
  const value = headers[name];
  return Array.isArray(value) ? null : value;
}

const isId = (value: string | null | undefined): value is string =>
  typeof value === 'string' && ID.test(value);

const environmentOf = (value: string | null | undefined): VerifiedIdentity['environment'] | null =>
  value === 'live' || value === 'test' ? value : null;

function decodedExternalId(encoded: string): string | null {
  if (!URI_COMPONENT.test(encoded)) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

/** The consumer (null: the key has none), or `'malformed'`. */
function consumerOf(headers: HeaderMap): VerifiedConsumer | null | 'malformed' {
  const id = single(headers, GATEWAY_IDENTITY_HEADERS.consumerId);
  const encoded = single(headers, GATEWAY_IDENTITY_HEADERS.consumerExternalId);
  if (id === undefined && encoded === undefined) return null;
  if (typeof id !== 'string' || typeof encoded !== 'string' || !ID.test(id)) return 'malformed';
  const externalId = decodedExternalId(encoded);
  return externalId === null ? 'malformed' : { id, externalId, name: null, meta: null };
}

const WOULD_DENY_CODE = /^[A-Z_]{1,32}$/;

/** `x-keyward-would-deny`: absent → none; codes only (the rules' names stay with the gateway); null when malformed. */
function wouldDenyOf(header: string | null | undefined): Array<{ code: DenialCode }> | null | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header === '') return null;
  const codes = header.split(',');
  return codes.every((code) => WOULD_DENY_CODE.test(code))
    ? codes.map((code) => ({ code: code as DenialCode }))
    : null;
}

function permissionsOf(header: string): string[] | null {
  if (header === '') return [];
  const permissions = header.split(',');
  return permissions.every((p) => PERMISSION.test(p)) ? permissions : null;
}

/**
 * Reads the identity the gateway forwarded; null when the request carries none or any of it
 * is malformed or sent twice (never a partial identity). Only safe in an app that nothing but
 * the gateway can reach (see the trust model above). Fields the gateway does not forward are
 * empty: `roles` is `[]` (they are resolved into `permissions`), `name`, `meta`, `expiresAt`,
 * `consumer.name`, `consumer.meta` and `credits` are null, and `ratelimits` is `[]` (the
 * gateway adds the RateLimit headers to the response itself).
 *
 * @example
 * app.addHook('onRequest', async (request, reply) => {
 *   const identity = gatewayIdentity(request.headers);
 *   if (identity === null) return reply.code(401).send();
 *   request.keyward = identity;
 * });
 */
export function gatewayIdentity(headers: HeaderMap): KeywardIdentity | null {
  const keyId = single(headers, GATEWAY_IDENTITY_HEADERS.keyId);
  const workspaceId = single(headers, GATEWAY_IDENTITY_HEADERS.workspaceId);
  const apiId = single(headers, GATEWAY_IDENTITY_HEADERS.apiId);
  const environment = environmentOf(single(headers, GATEWAY_IDENTITY_HEADERS.environment));
  if (!isId(keyId) || !isId(workspaceId) || !isId(apiId) || environment === null) return null;
  const permissionsHeader = single(headers, GATEWAY_IDENTITY_HEADERS.permissions);
  if (typeof permissionsHeader !== 'string') return null;
  const permissions = permissionsOf(permissionsHeader);
  const consumer = consumerOf(headers);
  const wouldDeny = wouldDenyOf(single(headers, GATEWAY_IDENTITY_HEADERS.wouldDeny));
  if (permissions === null || consumer === 'malformed' || wouldDeny === null) return null;
  const parentKeyId = single(headers, GATEWAY_IDENTITY_HEADERS.parentKeyId);
  if (parentKeyId !== undefined && !isId(parentKeyId)) return null;
  const identity: KeywardIdentity = {
    keyId,
    workspaceId,
    apiId,
    environment,
    name: null,
    consumer,
    permissions,
    roles: [],
    meta: null,
    expiresAt: null,
    ratelimits: [],
    credits: null,
    parentKeyId: parentKeyId ?? null,
  };
  if (wouldDeny !== undefined) identity.wouldDeny = wouldDeny;
  return identity;
}
