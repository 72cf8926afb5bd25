import type { BearerError, FieldError, Problem } from './schemas/problem.js';

/**
 * Every problem keyward answers, by its stable code: the status and the RFC 9457 title
 * (the same for every occurrence of the code). The server's errors, the gateway's own
 * answers and the middleware's denials all come from this one table, so the same
 * situation gets the same status and body on every face.
 */
export const PROBLEMS = Object.freeze({
  BAD_REQUEST: { status: 400, title: 'Bad Request' },
  VALIDATION: { status: 400, title: 'Invalid Request' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  INSUFFICIENT_PERMISSIONS: { status: 403, title: 'Insufficient Permissions' },
  FORBIDDEN_IP: { status: 403, title: 'Address Not Allowed' },
  FORBIDDEN_ORIGIN: { status: 403, title: 'Origin Not Allowed' },
  NOT_FOUND: { status: 404, title: 'Not Found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed' },
  CONFLICT: { status: 409, title: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Content Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  UNPROCESSABLE: { status: 422, title: 'Unprocessable Content' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too Many Requests' },
  /** Too many invalid keys from one client address (brute-force throttle). */
  TOO_MANY_FAILURES: { status: 429, title: 'Too Many Failed Attempts' },
  RATE_LIMITED: { status: 429, title: 'Rate Limit Exceeded' },
  USAGE_EXCEEDED: { status: 429, title: 'Usage Exceeded' },
  INTERNAL: { status: 500, title: 'Internal Server Error' },
  BAD_GATEWAY: { status: 502, title: 'Bad Gateway' },
  UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  GATEWAY_TIMEOUT: { status: 504, title: 'Gateway Timeout' },
} as const);

export type ProblemCode = keyof typeof PROBLEMS;

/** The headers of every problem answer: never cached, since each describes one request. */
export const PROBLEM_HEADERS = Object.freeze({
  'content-type': 'application/problem+json; charset=utf-8',
  'cache-control': 'no-store',
});

/** The problem-type URI of a code, e.g. `urn:keyward:problem:not-found`. */
export const problemType = (code: ProblemCode): string =>
  `urn:keyward:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** What varies between two occurrences of a problem; everything else follows from `code`. */
export interface ProblemInit {
  code: ProblemCode;
  /** Safe to show: never a secret, never request bytes echoed back. */
  detail: string;
  /** The request path, without its query string. */
  instance?: string | undefined;
  /** The id the face gave the request (also in its logs and `X-Request-Id`). */
  requestId?: string | undefined;
  /** Each invalid field, for VALIDATION. */
  errors?: FieldError[] | undefined;
  /** The RFC 6750 error code, when the answer carries a Bearer challenge. */
  error?: BearerError | undefined;
  /** For 503 from `/readyz`: the state of each dependency. */
  checks?: Problem['checks'];
}

/** The longest `instance` written: a path is the client's and could be anything. */
const MAX_INSTANCE = 512;

/**
 * The RFC 9457 body of a problem; optional members only when given.
 *
 * @example problemDetails({ code: 'NOT_FOUND', detail: 'no API api_123', requestId: 'req-1' })
 */
export function problemDetails(init: ProblemInit): Problem {
  const { code, detail, instance, requestId, errors, error, checks } = init;
  const { status, title } = PROBLEMS[code];
  const body: Problem = { type: problemType(code), title, status, detail, code };
  if (instance !== undefined) body.instance = instance.slice(0, MAX_INSTANCE);
  if (requestId !== undefined) body.requestId = requestId;
  if (errors !== undefined) body.errors = errors;
  if (error !== undefined) body.error = error;
  if (checks !== undefined) body.checks = checks;
  return body;
}

/** The path of a request target without its query string (which could hold anything, a key included). */
export const pathOf = (target: string): string => {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
};
