import { KeywardError } from '@keyward/core';
import { Problem } from '@keyward/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth.js';
import type { Actor, ServiceDeps } from '../services/context.js';
import type { Idempotency, StoredReply } from '../services/idempotency.js';

/** What every route plugin is built with. */
export interface RouteContext {
  deps: ServiceDeps;
  idempotency: Idempotency;
}

/** The error replies every admin route documents (all RFC 9457 problem details). */
export const PROBLEM_RESPONSES = Object.freeze({ '4xx': Problem, '5xx': Problem });

/** OpenAPI security requirement of admin routes. */
export const ROOT_KEY_SECURITY = [{ rootKey: [] }];

/** The authenticated root key of an admin route. */
function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  // The auth hook sets a principal on every route with a permission; reaching here without one is a wiring bug.
  if (principal === null) throw new KeywardError('INTERNAL', 'admin route reached without a principal');
  return principal;
}

/** The authenticated caller as services see it. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return {
    workspaceId: principal.workspaceId,
    rootKeyId: principal.rootKeyId,
    permissions: principal.permissions,
    ip: request.ip ?? null,
    requestId: request.id,
  };
}

/**
 * Runs a create under the request's `Idempotency-Key` (when sent) and answers its reply;
 * a replay carries `Idempotency-Replayed: true`.
 */
export async function idempotentCreate<T>(
  ctx: RouteContext,
  request: FastifyRequest,
  reply: FastifyReply,
  /** The create, run with the deps it is given (one transaction with the stored reply). */
  run: (deps: ServiceDeps) => Promise<StoredReply & { body: T }>,
): Promise<T> {
  const header = request.headers['idempotency-key'];
  const outcome = await ctx.idempotency.run(
    actorOf(request).workspaceId,
    {
      idempotencyKey: typeof header === 'string' ? header : undefined,
      route: `${request.method} ${request.routeOptions.url ?? ''}`,
      body: request.body,
      replaySecret: principalOf(request).replaySecret,
    },
    run,
  );
  if (outcome.replayed) reply.header('idempotency-replayed', 'true');
  reply.code(outcome.status);
  // A replayed body is the stored JSON of the same route's reply, so it has the route's reply type.
  return outcome.body as T;
}

/** `preValidation` of routes whose body is optional: no body at all validates as `{}`. */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
