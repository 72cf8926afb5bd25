import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_IDENTITY_HEADERS, type KeywardIdentity } from '@keyward/sdk';

/**
 * What the upstream learns about the caller: the `x-keyward-*` headers of the SDK's
 * `GATEWAY_IDENTITY_HEADERS` (one list, read back by `gatewayIdentity`). It can trust them
 * because the gateway removes every incoming `x-keyward-*` header before adding its own.
 * Public routes send none of them.
 */
const IDENTITY_HEADERS = GATEWAY_IDENTITY_HEADERS;

/** Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

const connectionTokens = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');

/** Headers some frameworks read to serve another method than the request line's. */
export const METHOD_OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'];

export interface ForwardContext {
  /** Lower-case name of the header that carries the key (removed before forwarding). */
  keyHeader: string;
  /** The verified caller; null on public routes. */
  identity: KeywardIdentity | null;
  /** Socket address of the client (the hop the gateway sees). */
  remoteAddress: string | undefined;
  /** `http` or `https`, as the client reached the gateway. */
  protocol: string;
  /** The Host the client asked for. */
  host: string | undefined;
}

/**
 * Builds the request headers the upstream receives from the client's: drops the key header,
 * every `x-keyward-*`, proxy-only fields and method overrides, then adds the identity and
 * `X-Forwarded-*`.
 * Mutates and returns `headers` (a copy made by the caller).
 */
export function forwardRequestHeaders(
  headers: IncomingHttpHeaders,
  { keyHeader, identity, remoteAddress, protocol, host }: ForwardContext,
): IncomingHttpHeaders {
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-keyward-')) delete headers[name];
  }
  delete headers[keyHeader];
  // Fields the client named in Connection are hop-by-hop too (HTTP2-Settings, ...).
  for (const name of connectionTokens(headers.connection)) delete headers[name];
  for (const name of HOP_BY_HOP) delete headers[name];
  // Node already answered `100 Continue` to the client; undici cannot send `Expect` upstream.
  delete headers.expect;
  delete headers['proxy-authorization'];
  // The method keyward authorized is the method the upstream serves: no override.
  for (const name of METHOD_OVERRIDES) delete headers[name];
  if (identity) {
    headers[IDENTITY_HEADERS.keyId] = identity.keyId;
    headers[IDENTITY_HEADERS.workspaceId] = identity.workspaceId;
    headers[IDENTITY_HEADERS.apiId] = identity.apiId;
    headers[IDENTITY_HEADERS.environment] = identity.environment;
    if (identity.consumer) {
      headers[IDENTITY_HEADERS.consumerId] = identity.consumer.id;
      headers[IDENTITY_HEADERS.consumerExternalId] = encodeURIComponent(identity.consumer.externalId);
    }
    headers[IDENTITY_HEADERS.permissions] = identity.permissions.join(',');
    if (identity.wouldDeny !== undefined) {
      headers[IDENTITY_HEADERS.wouldDeny] = identity.wouldDeny.map((entry) => entry.code).join(',');
    }
    if (identity.parentKeyId !== null) headers[IDENTITY_HEADERS.parentKeyId] = identity.parentKeyId;
  }
  if (remoteAddress !== undefined) {
    const prior = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = prior
      ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${remoteAddress}`
      : remoteAddress;
  }
  headers['x-forwarded-proto'] = protocol;
  if (host !== undefined) headers['x-forwarded-host'] = host;
  return headers;
}

/** Response headers from the upstream, minus hop-by-hop fields, plus the gateway's own (RateLimit...). */
export function forwardResponseHeaders(
  headers: IncomingHttpHeaders,
  extra: Readonly<Record<string, string>>,
): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  for (const [name, value] of Object.entries(extra)) out[name] = value;
  return out;
}
