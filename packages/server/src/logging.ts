import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { redactedPath, redactSecrets } from '@keyward/sdk';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Paths pino censors wherever they appear, in case anything ever logs a request, a body or
 * a reply object. keyward's own request log lines (see `app.ts`, the gateway) are built from
 * safe fields only; this is the second line of defence, and `redactSecrets` over every
 * written line the third.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers.authorization',
  'headers["idempotency-key"]',
  'req.body',
  'body',
  'key',
  'plaintext',
  'rootKey',
  'pepper',
  'digest',
  '*.key',
  '*.plaintext',
  '*.rootKey',
  '*.pepper',
  '*.digest',
]);

export interface AppLoggerOptions {
  /** Minimum level; default `info`. */
  level?: Level;
  /** Where lines go; default stdout. Tests pass a capture stream. */
  destination?: DestinationStream;
  /** `json` (default): one JSON object per line, for log shippers; `pretty`: readable lines for a terminal. */
  format?: 'json' | 'pretty';
  /** Colours in `pretty` lines; default false (set it when stdout is a terminal). */
  colorize?: boolean;
}

/** `GET /v1/keys → 200 (3 ms)` for keyward's request lines; other lines keep their message. */
const prettyMessage = (log: Record<string, unknown>, messageKey: string): string =>
  log[messageKey] === 'request'
    ? `${String(log.method)} ${String(log.path)} → ${String(log.status)} (${String(log.ms)} ms)`
    : String(log[messageKey] ?? '');

/**
 * keyward's logger: pino with secret paths redacted, as JSON lines or (on a terminal)
 * readable lines through pino-pretty, in-process and synchronous (no worker thread, so
 * nothing is lost on exit). Redaction happens before either format, and every line is
 * passed through `redactSecrets` as it is written (keys, root keys, webhook secrets,
 * credential headers and query parameters, wherever they hide: messages, error texts, URLs).
 *
 * @example const app = await buildApp({ store, engine, logger: createAppLogger({ level: 'debug' }) });
 */
export function createAppLogger(options: AppLoggerOptions = {}): Logger {
  const { level = 'info', destination, format = 'json', colorize = false } = options;
  const config = {
    level,
    base: { service: 'keyward' },
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    hooks: { streamWrite: redactSecrets },
  };
  if (format === 'pretty') {
    const stream = pretty({
      colorize,
      sync: true,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service,method,path,status,ms',
      messageFormat: prettyMessage,
      ...(destination === undefined ? {} : { destination }),
    });
    return pino(config, stream);
  }
  return destination === undefined ? pino(config) : pino(config, destination);
}

/**
 * A request path fit for a log line: no query string (it could hold a key someone put
 * there) and no long opaque segment (a key pasted into a path).
 *
 * @example loggablePath('/v1/keys/amp_live_3kTq…?key=x') // '/v1/keys/[redacted]'
 */
export const loggablePath = redactedPath;

/** Request ids we accept from `X-Request-Id`: short and plain, never something key-shaped. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const KEY_SHAPED = /[a-z][a-z0-9_]{1,15}_[0-9A-Za-z]{30,}|whsec_/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is sane (so that ids carry
 * across services), a new UUID otherwise.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  if (typeof header === 'string' && SANE_REQUEST_ID.test(header) && !KEY_SHAPED.test(header)) return header;
  return randomUUID();
}
