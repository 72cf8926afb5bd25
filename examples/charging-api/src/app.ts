import type { Verifier } from '@keyward/sdk';
import { keywardPlugin } from '@keyward/sdk/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { trustGatewayIdentity } from './behind-gateway.js';
import { createSessionBook, sessionRoutes } from './sessions.js';
import { stationRoutes } from './stations.js';

/** The API checks keys itself, with the SDK's middleware. */
export interface KeyCheckingOptions {
  behindGateway?: false;
  /** How keys are checked; the demo uses `localVerifier(engine)` on keyward's own database. */
  verifier: Verifier;
  /** Only keys of this keyward API are accepted; default: any API of the workspace. */
  apiId?: string;
  /** Clock for the RateLimit headers (tests give the engine's). Default `Date.now`. */
  now?: () => number;
  /** Fastify's logger option. Default false. */
  logger?: boolean;
}

/**
 * keyward's gateway checks keys in front of the API and forwards the caller's identity in
 * headers (behind-gateway.ts). Only safe when nothing but the gateway can reach the API.
 */
export interface BehindGatewayOptions {
  behindGateway: true;
  /** Fastify's logger option. Default false. */
  logger?: boolean;
}

export type ChargingApiOptions = KeyCheckingOptions | BehindGatewayOptions;

/** Protection space of every 401/403, the same as `realm` in gateway.yaml. */
const REALM = 'charging-api';

/** The path without its query: a client may put a key there (`?access_token=`), and logs must never hold one. */
const withoutQuery = (url: string): string => url.split('?', 1)[0] ?? '';

/** Fastify's logger with request lines that never carry a query string. */
const LOGGER = {
  serializers: {
    req: (req: { method: string; url: string; ip?: string }) => ({
      method: req.method,
      path: withoutQuery(req.url),
      ip: req.ip,
    }),
  },
};

/**
 * The EV-charging API: every route but `/healthz` needs a keyward key with the route's
 * permission, and counts against a named limit of the key (`reads` or `writes`). The key is
 * checked here by the middleware, or, with `behindGateway`, by keyward's gateway in front.
 *
 * @example
 * const app = await buildChargingApi({ verifier: localVerifier(engine) });
 * const proxied = await buildChargingApi({ behindGateway: true });
 * await app.listen({ port: 3000 });
 */
export async function buildChargingApi(options: ChargingApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ? LOGGER : false });
  if (options.behindGateway) {
    trustGatewayIdentity(app, { realm: REALM });
  } else {
    const { verifier, apiId, now } = options;
    await app.register(keywardPlugin, {
      verifier,
      realm: REALM,
      ...(apiId === undefined ? {} : { apiId }),
      ...(now === undefined ? {} : { now }),
    });
  }
  app.get('/healthz', { config: { keyward: false } }, async () => ({ status: 'ok' }));
  await app.register(stationRoutes);
  await app.register(sessionRoutes(createSessionBook()));
  return app;
}
