/** Stable failure codes; every HTTP face maps each to a status in one place (`PROBLEMS` of `@keyward/protocol`). */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  /** Well-formed but cannot be processed, e.g. an `Idempotency-Key` reused with a different body (422). */
  | 'UNPROCESSABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/**
 * The one error class keyward throws for failures (expected outcomes such as an invalid
 * key are values, not exceptions). `message` is safe to show: it never holds a secret.
 *
 * @example throw new KeywardError('CONFLICT', 'externalId "acme" is taken', { field: 'externalId' })
 */
export class KeywardError extends Error {
  readonly code: ErrorCode;
  /** The request field at fault (JSON pointer-ish, e.g. `body.ratelimits[0].limit`). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeywardError';
    this.code = code;
    this.field = options.field;
  }
}

export const isKeywardError = (error: unknown): error is KeywardError => error instanceof KeywardError;
