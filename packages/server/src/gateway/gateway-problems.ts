/**
 * Answers the gateway gives on its own behalf that are not about a key (those come from the
 * SDK's `answerFor`): RFC 9457 problem details, shaped like the SDK's, never cached.
 */

export interface GatewayProblem {
  status: number;
  headers: Record<string, string>;
  body: { type: 'about:blank'; title: string; status: number; detail: string };
}

const problem = (
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): GatewayProblem => ({
  status,
  headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
  body: { type: 'about:blank', title, status, detail },
});

/** No route matches the path: the gateway denies by default. */
export const notFound = (): GatewayProblem => problem(404, 'Not Found', 'No route matches this path.');

export const methodNotAllowed = (allow: readonly string[]): GatewayProblem =>
  problem(405, 'Method Not Allowed', 'This path does not accept this method.', { allow: allow.join(', ') });

/** A path the gateway refuses to interpret (dot segments, encoded slashes, bad percent-encoding). */
export const badPath = (reason: string): GatewayProblem => problem(400, 'Bad Request', `Refused: ${reason}.`);

/** The upstream could not be reached, reset the connection, or answered garbage. */
export const badGateway = (detail = 'The upstream service failed to answer.'): GatewayProblem =>
  problem(502, 'Bad Gateway', detail);

/** The upstream did not answer in time. */
export const gatewayTimeout = (): GatewayProblem =>
  problem(504, 'Gateway Timeout', 'The upstream service did not answer in time.');
