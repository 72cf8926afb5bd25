import { MissingPackageError } from '../optional-package.js';
/**
 * A failure the CLI reports as one line, `keyward: <message>`, with a non-zero exit code.
 * The message must be safe to print: never a key, root key or pepper.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** One line without control characters: what the CLI prints after `keyward: `. */
export const oneLine = (text: string): string =>
  text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Socket error codes in words (Node's own messages name syscalls: `connect ECONNREFUSED 127.0.0.1:5432`). */
const NETWORK_CAUSES: Readonly<Record<string, string>> = Object.freeze({
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
});

/**
 * What went wrong at the bottom of an error's cause chain: a socket error in words, or the
 * innermost message (PostgreSQL's own, e.g. `database "x" does not exist`). Follows `cause`
 * and the first of an AggregateError's `errors` (a host name with several addresses).
 */
export function rootCause(error: unknown): string {
  let current = error;
  let innermost = '';
  for (let depth = 0; current !== null && typeof current === 'object' && depth < 8; depth++) {
    const { message, code, cause, errors } = current as {
      message?: unknown;
      code?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === 'string' && NETWORK_CAUSES[code] !== undefined) return NETWORK_CAUSES[code];
    // Its message names the package and the command that installs it; its cause only says "Cannot find package".
    if (current instanceof MissingPackageError) return current.message;
    if (typeof message === 'string' && message.trim() !== '') innermost = message;
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return innermost;
}

/** An error's message followed by its root cause when the message does not already say it. */
export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = rootCause(error);
  return oneLine(cause === '' || message.includes(cause) ? message : `${message}: ${cause}`);
}
