import { type BearerError, PROBLEM_HEADERS, type Problem, problemDetails } from '@keyward/protocol';
import { challengeFor } from '@keyward/sdk';
import type { FastifyReply } from 'fastify';
import type { HttpFailure } from './http-errors.js';
import { loggablePath } from './logging.js';

/** The protection space of the admin and verify API's Bearer challenges. */
const REALM = 'keyward';

/**
 * Seconds a client should wait after a 503: the circuit breakers in front of PostgreSQL
 * and Redis let a trial call through every second, so a retry after that may succeed.
 */
const UNAVAILABLE_RETRY_AFTER_S = '1';

/** What an answer may add to a failure's problem details. */
export interface ProblemExtra {
  /** The RFC 6750 error of the Bearer challenge this answer carries (every 401 carries one). */
  error?: BearerError;
  /** With `insufficient_scope`: the permission the credential lacks. */
  scope?: string;
  /** For 503 from `/readyz`: the state of each dependency. */
  checks?: Problem['checks'];
}

/**
 * Answers a failure as `application/problem+json` (`problemDetails` of `@keyward/protocol`,
 * as every keyward face does), with the request's path and id, and the headers its status
 * calls for: `WWW-Authenticate` on 401 (and on any answer about the credential),
 * `Retry-After` on 503 unless already set.
 */
export function sendProblem(
  reply: FastifyReply,
  failure: HttpFailure,
  extra: ProblemExtra = {},
): FastifyReply {
  const { request } = reply;
  const { error, scope, checks } = extra;
  if (failure.status === 401 || error !== undefined)
    reply.header('www-authenticate', challengeFor(REALM, error, scope));
  if (failure.status === 503 && !reply.hasHeader('retry-after'))
    reply.header('retry-after', UNAVAILABLE_RETRY_AFTER_S);
  const body = problemDetails({
    code: failure.code,
    detail: failure.detail,
    errors: failure.errors,
    // The path without its query, and without a key pasted into it (error bodies travel into logs).
    instance: loggablePath(request.url),
    requestId: request.id,
    error,
    checks,
  });
  return reply.code(failure.status).headers(PROBLEM_HEADERS).send(body);
}
