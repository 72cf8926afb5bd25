import { type Problem, problemType } from '@keyward/sdk/schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpFailure } from './http-errors.js';
import { loggablePath } from './logging.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** `WWW-Authenticate` for a 401 (RFC 6750): `error="invalid_token"` only when a token was presented. */
export const wwwAuthenticate = (request: FastifyRequest): string =>
  request.headers.authorization === undefined
    ? 'Bearer realm="keyward"'
    : 'Bearer realm="keyward", error="invalid_token"';

/** The path of the request without its query string, and without a key pasted into it (errors travel into logs). */
const instanceOf = (request: FastifyRequest): string => loggablePath(request.url);

/** RFC 9457 body of a failure. */
export function problemBody(
  failure: HttpFailure,
  request: FastifyRequest,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(failure.code),
    title: failure.title,
    status: failure.status,
    detail: failure.detail,
    code: failure.code,
    instance: instanceOf(request),
    requestId: request.id,
    ...(failure.errors === undefined ? {} : { errors: failure.errors }),
    ...extra,
  };
}

/**
 * Seconds a client should wait after a 503: the circuit breakers in front of PostgreSQL
 * and Redis let a trial call through every second, so a retry after that may succeed.
 */
const UNAVAILABLE_RETRY_AFTER_S = '1';

/**
 * Answers a failure as `application/problem+json`, with the headers its status calls for
 * (`WWW-Authenticate` on 401, `Retry-After` on 503 unless already set).
 */
export function sendProblem(
  reply: FastifyReply,
  failure: HttpFailure,
  extra: Partial<Problem> = {},
): FastifyReply {
  if (failure.status === 401) reply.header('www-authenticate', wwwAuthenticate(reply.request));
  if (failure.status === 503 && !reply.hasHeader('retry-after'))
    reply.header('retry-after', UNAVAILABLE_RETRY_AFTER_S);
  return reply
    .code(failure.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemBody(failure, reply.request, extra));
}
