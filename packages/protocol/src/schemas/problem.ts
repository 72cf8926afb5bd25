import { type Static, Type } from '@sinclair/typebox';

/** One invalid field of a request, e.g. `{ field: 'body.ratelimits[0].limit', message: 'must be >= 1' }`. */
export const FieldError = Type.Object({
  field: Type.String(),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

/** The RFC 6750 error code of a Bearer challenge, repeated in the body of the answer that sends it. */
export const BearerError = Type.Union([
  Type.Literal('invalid_request'),
  Type.Literal('invalid_token'),
  Type.Literal('insufficient_scope'),
]);
export type BearerError = Static<typeof BearerError>;

/**
 * RFC 9457 problem details, the body of every 4xx and 5xx (`application/problem+json`) of
 * every face: server, gateway and middleware. `code` is keyward's stable problem code
 * (`VALIDATION`, `NOT_FOUND`, `RATE_LIMITED`, ...); `type` and `title` follow from it
 * (`problem.ts`).
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
  /** On answers that carry a Bearer challenge: its RFC 6750 error code. */
  error: Type.Optional(BearerError),
  /** For 503 from `/readyz`: the state of each dependency. */
  checks: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal('up'), Type.Literal('down')]))),
});
export type Problem = Static<typeof Problem>;
