import { type ErrorCode, isKeywardError } from '@keyward/core';
import { type FieldError, PROBLEMS, type ProblemCode } from '@keyward/protocol';
import type { FastifyError } from 'fastify';
import { ajvFieldErrors } from './http/validation-errors.js';

/**
 * A failure as the HTTP edge answers it. `detail` is always safe to show: 5xx details are
 * fixed text, 4xx details come from `KeywardError` messages (never holding a secret) or
 * from fixed text for framework errors (whose messages may echo request bytes).
 */
export interface HttpFailure {
  code: ProblemCode;
  status: number;
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

/** A failure of `code`: its status from `PROBLEMS` of `@keyward/protocol`, the one table every face answers from. */
export const failure = (code: ProblemCode, detail: string, errors?: FieldError[]): HttpFailure => {
  const { status } = PROBLEMS[code];
  return errors === undefined ? { code, status, detail } : { code, status, detail, errors };
};

/**
 * Maps anything thrown while handling a request to the failure to answer: keyward errors by
 * their code, schema validation to 400 naming each field, Fastify's body errors to
 * 400/413/415, JSON syntax errors to 400, everything else to a 500 that reveals nothing.
 */
export function toHttpFailure(error: unknown): HttpFailure {
  if (isKeywardError(error)) {
    const { status } = PROBLEMS[error.code];
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
