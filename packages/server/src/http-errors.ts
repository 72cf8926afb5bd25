import { type ErrorCode, isKeywardError } from '@keyward/core';
import type { FieldError } from '@keyward/protocol';
import type { FastifyError } from 'fastify';
import { ajvFieldErrors } from './http/validation-errors.js';

/** The one table from keyward error codes to HTTP statuses and problem titles. */
const STATUS: Readonly<Record<ErrorCode, { status: number; title: string }>> = Object.freeze({
  BAD_REQUEST: { status: 400, title: 'Bad Request' },
  VALIDATION: { status: 400, title: 'Invalid Request' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not Found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  UNPROCESSABLE: { status: 422, title: 'Unprocessable Content' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Content Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too Many Requests' },
  UNAVAILABLE: { status: 503, title: 'Service Unavailable' },
  INTERNAL: { status: 500, title: 'Internal Server Error' },
});

/**
 * A failure as the HTTP edge answers it. `detail` is always safe to show: 5xx details are
 * fixed text, 4xx details come from `KeywardError` messages (never holding a secret) or
 * from fixed text for framework errors (whose messages may echo request bytes).
 */
export interface HttpFailure {
  code: ErrorCode;
  status: number;
  title: string;
  detail: string;
  errors?: FieldError[];
}

export const INTERNAL_DETAIL = 'An internal error occurred. Quote the request id when reporting it.';

/** Fastify's own 4xx errors, by error code, with the keyward code and fixed detail they map to. */
const FRAMEWORK: Readonly<Record<string, { code: ErrorCode; detail: string }>> = Object.freeze({
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is larger than allowed.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    detail: 'Content-Length does not match the body.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'BAD_REQUEST', detail: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'BAD_REQUEST', detail: 'The request body is not valid JSON.' },
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', detail: 'The request URL is malformed.' },
  FST_ERR_CTP_INVALID_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send the request body as application/json.',
  },
});

const failure = (code: ErrorCode, detail: string, errors?: FieldError[]): HttpFailure => {
  const { status, title } = STATUS[code];
  return errors === undefined ? { code, status, title, detail } : { code, status, title, detail, errors };
};

/** The status a keyward error code answers with. */
export const statusOf = (code: ErrorCode): number => STATUS[code].status;

/**
 * Maps anything thrown while handling a request to the failure to answer: keyward errors by
 * their code, schema validation to 400 naming each field, Fastify's body errors to
 * 400/413/415, JSON syntax errors to 400, everything else to a 500 that reveals nothing.
 */
export function toHttpFailure(error: unknown): HttpFailure {
  if (isKeywardError(error)) {
    const status = STATUS[error.code].status;
    if (status >= 500)
      return failure(error.code, error.code === 'UNAVAILABLE' ? error.message : INTERNAL_DETAIL);
    const errors = error.field === undefined ? undefined : [{ field: error.field, message: error.message }];
    return failure(error.code, error.message, errors);
  }
  const fastifyError = error as Partial<FastifyError> | null;
  if (fastifyError?.validation !== undefined) {
    const errors = ajvFieldErrors(fastifyError.validation, fastifyError.validationContext ?? 'body');
    const first = errors[0];
    const detail = first === undefined ? 'The request is invalid.' : `${first.field} ${first.message}`;
    return failure('VALIDATION', detail, errors);
  }
  const known = fastifyError?.code === undefined ? undefined : FRAMEWORK[fastifyError.code];
  if (known !== undefined) return failure(known.code, known.detail);
  // JSON.parse errors (including prototype poisoning) carry statusCode 400 from the parser.
  if (fastifyError?.statusCode === 400) return failure('BAD_REQUEST', 'The request body is not valid JSON.');
  if (fastifyError?.statusCode === 413)
    return failure('PAYLOAD_TOO_LARGE', 'The request body is larger than allowed.');
  if (fastifyError?.statusCode === 415)
    return failure('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return failure('BAD_REQUEST', 'The request could not be processed.');
  }
  return failure('INTERNAL', INTERNAL_DETAIL);
}
