import {
  type Answer,
  clientHintsFrom,
  createGuard,
  type FailureThrottle,
  type RequestReader,
  type Verifier,
} from '@keyward/sdk';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from './config.js';
import { readCredential } from './key-credential.js';
import { compileRoutes, type RouteTable } from './route-table.js';
import { createUpstreamPool, type UpstreamPool } from './upstream-pool.js';

/** What each route carries: the SDK's guard (the same pipeline as every middleware), none on public routes. */
export interface GatewayRoute {
  readonly guard: ((request: FastifyRequest) => Promise<Answer>) | null;
}

/**
 * Everything a request needs from the configuration, built once per (re)load and then
 * read-only: a request captures the state it started with, so a reload never changes the
 * rules under a request in flight.
 */
export interface GatewayState {
  readonly config: GatewayConfig;
  readonly table: RouteTable<GatewayRoute>;
  readonly pool: UpstreamPool;
}

export interface GatewayStateDependencies {
  verifier: Verifier;
  /** Shared by every route and kept across reloads, so a reload does not forgive failures. */
  throttle: FailureThrottle | false;
  dispatcher: Dispatcher;
  logger: FastifyBaseLogger;
  /** The state being replaced: upstream health carries over. */
  previous?: GatewayState | null;
}

/** Builds the route table (one guard per protected route) and the upstream pool for a configuration. */
export function createGatewayState(
  config: GatewayConfig,
  { verifier, throttle, dispatcher, logger, previous = null }: GatewayStateDependencies,
): GatewayState {
  const reader: RequestReader<FastifyRequest> = {
    credential: (request) => readCredential(request.raw, config.keyHeader),
    target: (request) => request.raw.url ?? '/',
    ip: (request) => request.ip,
    client: (request) => clientHintsFrom((name) => request.headers[name]),
    requestId: (request) => String(request.id),
    keyHeader: config.keyHeader,
    onError: (error, request) =>
      request.log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'key verification failed',
      ),
  };
  const table = compileRoutes(config.routes, (route, tagFor): GatewayRoute => {
    if (route.public) return { guard: null };
    const guard = createGuard<FastifyRequest>(
      {
        verifier,
        realm: config.realm,
        throttle,
        tags: (request) => [tagFor(request.raw.method ?? 'GET')],
        ...(config.apiId === null ? {} : { apiId: config.apiId }),
        ...(route.permissions === null ? {} : { permissions: route.permissions }),
        ...(route.dryRunPermissions === null ? {} : { dryRunPermissions: route.dryRunPermissions }),
        ...(route.cost === null ? {} : { cost: route.cost }),
        ...(route.ratelimits === null ? {} : { ratelimits: route.ratelimits }),
      },
      reader,
    );
    return { guard };
  });
  const pool = createUpstreamPool(config.upstreams, { dispatcher, logger, previous: previous?.pool ?? null });
  return Object.freeze({ config, table, pool });
}
