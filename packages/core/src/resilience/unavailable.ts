import { isKeywardError, KeywardError } from '../contracts/errors.js';

/** Socket errors of a dependency that is down, restarting or unreachable. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** How deep a cause chain is searched (drivers wrap their socket errors once or twice). */
const CAUSE_DEPTH = 4;

/** True when `error` or an error it was caused by satisfies `test`. */
export function someCause(error: unknown, test: (error: Error) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < CAUSE_DEPTH && current instanceof Error; depth++) {
    if (test(current)) return true;
    current = current.cause;
  }
  return false;
}

/** The `code` of a driver error (a string), or null. */
export const errorCode = (error: Error): string | null => {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
};

/**
 * A translator for one driver: an error that `isUnavailable` recognises (in it or its causes)
 * becomes `KeywardError('UNAVAILABLE')` (HTTP 503 with Retry-After: "not now", never "wrong")
 * with the driver error as its cause; a `KeywardError` and every other error pass unchanged.
 *
 * @example const translate = unavailableTranslator('the database', isPostgresUnavailable);
 */
export function unavailableTranslator(
  what: string,
  isUnavailable: (error: Error) => boolean,
): (error: unknown) => unknown {
  return (error) =>
    !isKeywardError(error) && someCause(error, isUnavailable)
      ? new KeywardError('UNAVAILABLE', `${what} is unavailable; retry later`, { cause: error })
      : error;
}
