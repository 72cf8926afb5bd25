import { PROBLEM_HEADERS, type Problem, type ProblemCode, pathOf, problemDetails } from '@keyward/protocol';
import type { FastifyReply } from 'fastify';

/**
 * Answers the gateway gives on its own behalf that are not about a key (those come from the
 * SDK's `answerFor`): the same RFC 9457 problem details as every keyward face
 * (`problemDetails`), with the request's path and id, never cached.
 */
export interface GatewayProblem {
  code: ProblemCode;
  detail: string;
  headers?: Record<string, string>;
}

/** No route matches the path: the gateway denies by default. */
export const notFound = (): GatewayProblem => ({ code: 'NOT_FOUND', detail: 'No route matches this path.' });

export const methodNotAllowed = (allow: readonly string[]): GatewayProblem => ({
  code: 'METHOD_NOT_ALLOWED',
  detail: 'This path does not accept this method.',
  headers: { allow: allow.join(', ') },
});

/** A path the gateway refuses to interpret (dot segments, encoded slashes, bad percent-encoding). */
export const badPath = (reason: string): GatewayProblem => ({
  code: 'BAD_REQUEST',
  detail: `Refused: ${reason}.`,
});

/** The upstream could not be reached, reset the connection, or answered garbage. */
export const badGateway = (detail = 'The upstream service failed to answer.'): GatewayProblem => ({
  code: 'BAD_GATEWAY',
  detail,
});

/** The upstream did not answer in time. */
export const gatewayTimeout = (): GatewayProblem => ({
  code: 'GATEWAY_TIMEOUT',
  detail: 'The upstream service did not answer in time.',
});

/** The body of a gateway problem for the request `reply` answers. */
export function gatewayProblemBody(reply: FastifyReply, { code, detail }: GatewayProblem): Problem {
  const { request } = reply;
  return problemDetails({
    code,
    detail,
    instance: pathOf(request.raw.url ?? '/'),
    requestId: String(request.id),
  });
}

/** Sends a gateway problem. */
export const sendGatewayProblem = (reply: FastifyReply, problem: GatewayProblem): FastifyReply => {
  const body = gatewayProblemBody(reply, problem);
  return reply
    .code(body.status)
    .headers({ ...PROBLEM_HEADERS, ...problem.headers })
    .send(body);
};
