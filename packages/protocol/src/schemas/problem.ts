import { type Static, Type } from '@sinclair/typebox';

/** One invalid field of a request, e.g. `{ field: 'body.ratelimits[0].limit', message: 'must be >= 1' }`. */
export const FieldError = Type.Object({
  field: Type.String(),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

/**
 * RFC 9457 problem details, the body of every 4xx and 5xx (`application/problem+json`).
 * `code` is keyward's stable error code (`VALIDATION`, `NOT_FOUND`, `CONFLICT`, ...).
 */
export const Problem = Type.Object({
  type: Type.String({ description: 'URI naming the problem type, e.g. urn:keyward:problem:not-found' }),
  title: Type.String(),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: Type.String(),
  code: Type.String(),
  instance: Type.Optional(Type.String({ description: 'The request path' })),
  requestId: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(FieldError)),
  /** For 503 from `/readyz`: the state of each dependency. */
  checks: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal('up'), Type.Literal('down')]))),
});
export type Problem = Static<typeof Problem>;

/** The problem-type URI of a keyward error code, e.g. `urn:keyward:problem:not-found`. */
export const problemType = (code: string): string =>
  `urn:keyward:problem:${code.toLowerCase().replaceAll('_', '-')}`;
