import type { Context, MiddlewareHandler } from 'hono';
import { authorizationLines, parseAuthorization, parseCombinedAuthorization } from './bearer.js';
import { clientHintsFrom } from './client-hints.js';
import { createGuard, type KeywardOptions, logVerificationError } from './guard.js';
import type { KeywardIdentity } from './verification.js';

/** Add to your app's Env to type `c.get('keyward')`: `new Hono<KeywardEnv>()`. */
export type KeywardEnv = { Variables: { keyward: KeywardIdentity } };

export type KeywardHonoOptions = KeywardOptions<Context>;

/** The Node request and response under @hono/node-server (`c.env`); absent on other runtimes and in `app.request()`. */
type NodeBindings =
  | {
      incoming?: { rawHeaders?: string[]; socket?: { remoteAddress?: string } };
      outgoing?: { setHeader?: (name: string, value: string) => unknown };
    }
  | undefined;

const nodePeerAddress = (c: Context): string | undefined =>
  (c.env as NodeBindings)?.incoming?.socket?.remoteAddress;

/** Path and query of the request (`c.req.url` is absolute). */
const targetOf = (c: Context): string => {
  const url = c.req.url;
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return path === -1 ? '/' : url.slice(path);
};

/** The id set by Hono's `requestId()` middleware, when the app uses it (`c.get`: `c.var` copies every variable). */
const requestIdOf = (c: Context): string | undefined => {
  const id: unknown = c.get('requestId');
  return typeof id === 'string' ? id : undefined;
};

/**
 * On Node the raw header lines tell two Authorization headers apart exactly; the Fetch
 * `Headers` elsewhere join them with ", ", which the combined parser reads as well as it can.
 */
const credentialOf = (c: Context) => {
  const rawHeaders = (c.env as NodeBindings)?.incoming?.rawHeaders;
  return Array.isArray(rawHeaders)
    ? parseAuthorization(authorizationLines(rawHeaders))
    : parseCombinedAuthorization(c.req.raw.headers.get('authorization'));
};

/**
 * Bearer key middleware for Hono. On success the identity is `c.get('keyward')` and the
 * RateLimit headers go on the response (on @hono/node-server onto the Node response
 * itself, so middleware reading `c.res.headers` does not see them; the client does);
 * otherwise it answers itself (answers.ts).
 * Hono has no trusted-proxy setting: the default address is the socket peer on
 * @hono/node-server; behind a proxy, or on another runtime, pass `getClientIp` (e.g.
 * built on `getConnInfo` and the proxy you trust).
 *
 * @example
 * const app = new Hono<KeywardEnv>();
 * app.get('/stations', keyward({ verifier, permissions: 'stations:read' }), (c) => c.json(c.get('keyward').keyId));
 */
export function keyward(options: KeywardHonoOptions): MiddlewareHandler<KeywardEnv> {
  const guard = createGuard<Context>(options, {
    credential: credentialOf,
    target: targetOf,
    ip: nodePeerAddress,
    client: (c) => clientHintsFrom((name) => c.req.header(name)),
    requestId: requestIdOf,
    onError: logVerificationError,
  });
  return async (c, next) => {
    const answer = await guard(c);
    if (!answer.allow) return c.body(JSON.stringify(answer.body), answer.status as 400, answer.headers);
    c.set('keyward', answer.identity);
    const outgoing = (c.env as NodeBindings)?.outgoing;
    if (typeof outgoing?.setHeader === 'function') {
      // On Node the headers go straight onto the response, which merges them under whatever
      // the route answers (its own headers win, a raw Response keeps them too). Context
      // headers would turn the route's plain header object into a Fetch `Headers`, which cost
      // more than the verification (bench/PROFILE.md).
      for (const name in answer.headers) outgoing.setHeader(name, answer.headers[name] ?? '');
      await next();
      return;
    }
    for (const name in answer.headers) c.header(name, answer.headers[name]);
    await next();
    // A handler that returns its own Response drops headers prepared on the context.
    if (answer.headers.ratelimit !== undefined && !c.res.headers.has('ratelimit')) {
      for (const name in answer.headers) c.header(name, answer.headers[name]);
    }
  };
}
